package activities

import (
	"context"
	"fmt"
	"strconv"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/review"
	"github.com/tollgate-dev/tollgate/store"
)

// FileReviewInput is the review the workflow assembled when the review timer fired.
type FileReviewInput struct {
	Review review.Input `json:"review"`
}

// FileReviewResult locates the filed report.
type FileReviewResult struct {
	// ID is the knowledge-base entry; Link is how people find it.
	ID   int64  `json:"id"`
	Link string `json:"link"`
	// Summary is the report in one line (review.Report.Summary) for the change request.
	Summary string `json:"summary,omitempty"`
}

// ReviewLink is how a filed review is found: `tollgate kb list --release ID --all` shows it.
func ReviewLink(id int64) string { return "kb:" + strconv.FormatInt(id, 10) }

// FileReview renders the 24-hour review report (Markdown and HTML) and files it to the
// knowledge base, linked to the release. Filing twice returns the first entry. With Jira
// configured and no incident source in the input, the release's incidents come from Jira
// (reviewIncidents); an incident found makes the release a DORA change failure.
func (a *Activities) FileReview(ctx context.Context, in FileReviewInput) (FileReviewResult, error) {
	kb, ok := a.Store.(store.Knowledge)
	if !ok {
		return FileReviewResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("review of release %q: the store keeps no knowledge base", in.Review.ReleaseID), ErrStoreFailure, nil)
	}
	if a.Jira.Tracker != nil && in.Review.IncidentSource == "" {
		if err := a.reviewIncidents(ctx, &in.Review); err != nil {
			return FileReviewResult{}, err
		}
	}
	r := review.Build(in.Review)
	md, err := r.Markdown()
	if err != nil {
		return FileReviewResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("review of release %q: %v", in.Review.ReleaseID, err), ErrStoreFailure, err)
	}
	html, err := r.HTML()
	if err != nil {
		return FileReviewResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("review of release %q: %v", in.Review.ReleaseID, err), ErrStoreFailure, err)
	}
	id, err := kb.AddKnowledge(ctx, store.KnowledgeEntry{
		Kind: store.KnowledgeReview, ReleaseID: in.Review.ReleaseID, Title: "24-hour review of " + in.Review.ReleaseID,
		Body: md, HTML: html, CreatedBy: auditSystemActorName, CreatedAt: in.Review.ReviewedAt,
	})
	if err != nil {
		return FileReviewResult{}, fmt.Errorf("review of release %q: %w", in.Review.ReleaseID, err)
	}
	a.logger().InfoContext(ctx, "review filed", "release", in.Review.ReleaseID, "entry", id)
	return FileReviewResult{ID: id, Link: ReviewLink(id), Summary: r.Summary()}, nil
}

// auditSystemActorName is the author of entries Tollgate writes itself.
const auditSystemActorName = "system"
