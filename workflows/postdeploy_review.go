package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/review"
)

// fileReview files the review report when the review timer fires, or when a rollback ends the
// release after something was deployed (rolledBack, with the rollback's start as the failure).
func (r *releaseRun) fileReview(ctx workflow.Context, rolledBack bool, failure time.Time) {
	if !r.postDeploy || r.deployStarted.IsZero() {
		return
	}
	in := r.reviewInput(ctx, rolledBack, failure)
	var a *activities.Activities
	var res activities.FileReviewResult
	r.status.Review = &ReviewStatus{}
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.FileReview, activities.FileReviewInput{Review: in}).Get(ctx, &res); err != nil {
		r.status.Review.Error = errorMessage(err)
		r.event(ctx, "review-failed", "", "review report not filed: "+r.status.Review.Error)
		r.itsmReviewed("")
		return
	}
	r.status.Review.Link, r.status.Review.Filed = res.Link, workflow.Now(ctx)
	r.event(ctx, "review-filed", "", "review report filed to the knowledge base: "+res.Link)
	r.itsmReviewed(res.Summary)
}

// reviewInput gathers the review from the release's state.
func (r *releaseRun) reviewInput(ctx workflow.Context, rolledBack bool, failure time.Time) review.Input {
	now := workflow.Now(ctx)
	in := review.Input{
		ReleaseID: r.spec.Metadata.ID, Title: r.spec.Metadata.Title, Owner: r.spec.Metadata.Owner,
		Outcome: "deployed", ReviewedAt: now, DeployStarted: r.deployStarted, DeployFinished: r.deployFinished,
		RolledBack: rolledBack,
	}
	if rolledBack {
		in.Outcome, in.FailureDetected, in.Restored = "rolled-back", failure, now
	}
	for _, c := range r.spec.Commits {
		if at, ok := c.At(); ok {
			in.CommitTimes = append(in.CommitTimes, at)
		}
	}
	in.CommitTimes = append(in.CommitTimes, r.sourceCommitTimes()...)
	for _, ev := range r.status.Timeline {
		in.Timeline = append(in.Timeline, review.Event{Time: ev.Time, Kind: ev.Kind, Actor: ev.Actor, Message: ev.Message})
		switch ev.Kind {
		case "held", "escalation", "audit-failed", "rollback-failed", "review-forced":
			in.Anomalies = append(in.Anomalies, review.Anomaly{Time: ev.Time, Kind: ev.Kind, Message: ev.Message})
		}
	}
	if rd := r.status.Readiness; rd != nil {
		for _, g := range rd.Gates {
			outcome := "passed"
			if g.Blocked {
				outcome = "blocked"
			}
			in.Gates = append(in.Gates, review.Gate{Name: string(g.Phase), Outcome: outcome, Evidence: g.Summary + digestSuffix(g.EvidenceDigest)})
		}
	}
	if it := r.status.Integrity; it != nil {
		outcome := "failed"
		if it.Passed {
			outcome = "passed"
		}
		in.Gates = append(in.Gates, review.Gate{Name: "integrity", Outcome: outcome, Evidence: fmt.Sprintf("%d artifact(s) checked", len(it.Artifacts))})
	}
	if rk := r.status.Risk; rk != nil {
		in.Gates = append(in.Gates, review.Gate{Name: "risk", Outcome: string(rk.Class), Evidence: rk.Explanation})
	}
	for _, d := range r.status.APIDocs {
		outcome := "compatible"
		if len(d.Breaking) > 0 {
			outcome = fmt.Sprintf("%d breaking change(s)", len(d.Breaking))
		}
		in.Gates = append(in.Gates, review.Gate{Name: "api " + d.Service, Outcome: outcome, Evidence: fmt.Sprintf("%s since %s: %d change(s)", d.Version, orFirst(d.Previous), d.Changes)})
	}
	in.Gates = append(in.Gates, review.Gate{Name: "approval", Outcome: approvalOutcome(r.status.Approval), Evidence: strings.Join(r.approvers(), ", ")})
	for _, w := range r.status.Watch {
		in.Gates = append(in.Gates, review.Gate{Name: "watch " + w.Wave, Outcome: w.Verdict,
			Evidence: fmt.Sprintf("%d evaluation(s), %d alert(s)%s", w.Evaluations, len(w.Alerts), prefixIf("; ", w.Error))})
		for _, al := range w.Alerts {
			in.Alerts = append(in.Alerts, review.Alert{Time: al.Time, Environment: al.Environment, Service: al.Service, Indicator: al.Indicator,
				Value: al.Value, Limit: al.Limit, Confirmed: al.Confirmed, Reason: al.Reason})
		}
		in.Gaps = append(in.Gaps, w.Gaps...)
	}
	return in
}

func approvalOutcome(a ApprovalStatus) string {
	if a.Rejected != nil {
		return "rejected"
	}
	return fmt.Sprintf("%d of %d approvals", len(a.Approved), a.Required)
}

func digestSuffix(d string) string { return prefixIf(" (evidence ", d) + closeIf(d) }

func prefixIf(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func closeIf(s string) string {
	if s == "" {
		return ""
	}
	return ")"
}

func orFirst(prev string) string {
	if prev == "" {
		return "no earlier document"
	}
	return prev
}
