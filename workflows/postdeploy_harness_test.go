package workflows

import (
	"context"

	"github.com/stretchr/testify/mock"

	"github.com/tollgate-dev/tollgate/activities"
)

// mockPostDeploy answers the post-deployment activities: every watch healthy unless h.watch
// says otherwise, no API document changes unless h.apiDocs says otherwise, every review filed,
// every handoff sent, every archive written.
func (h *harness) mockPostDeploy(a *activities.Activities) {
	env := h.env
	env.OnActivity(a.WatchHealth, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.WatchHealthInput) (activities.WatchHealthResult, error) {
		if h.watch != nil {
			return h.watch(ctx, in)
		}
		return activities.WatchHealthResult{Verdict: activities.WatchHealthy, Evaluations: 45}, nil
	})
	env.OnActivity(a.AttachAPIDocs, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AttachAPIDocsInput) (activities.AttachAPIDocsResult, error) {
		if h.apiDocs != nil {
			return h.apiDocs(in)
		}
		return activities.AttachAPIDocsResult{}, nil
	})
	env.OnActivity(a.FileReview, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FileReviewInput) (activities.FileReviewResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.reviews = append(h.reviews, in)
		return activities.FileReviewResult{ID: int64(len(h.reviews)), Link: activities.ReviewLink(int64(len(h.reviews)))}, nil
	})
	env.OnActivity(a.SendHandoff, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SendHandoffInput) (activities.SendHandoffResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.handoffs = append(h.handoffs, in)
		return activities.SendHandoffResult{Channel: "#support", DiagramFormat: activities.DiagramMermaid}, nil
	})
	env.OnActivity(a.ArchiveRelease, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ArchiveReleaseInput) (activities.ArchiveReleaseResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.archives = append(h.archives, in)
		return activities.ArchiveReleaseResult{Path: "/archive/" + in.ReleaseID + ".tar.gz", Files: 9}, nil
	})
	env.OnActivity(a.PruneArchives, mock.Anything, mock.Anything).Return(activities.PruneArchivesResult{}, nil)
}
