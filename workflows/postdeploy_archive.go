package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
)

// archive writes the signed archive of the closed release and prunes expired ones. Failures
// go on the timeline: the release is closed already and its record and audit trail stand.
func (r *releaseRun) archive(ctx workflow.Context) {
	if !r.postDeploy {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	var a *activities.Activities
	var res activities.ArchiveReleaseResult
	closedAt := workflow.Now(ctx)
	err := workflow.ExecuteActivity(actx, a.ArchiveRelease, activities.ArchiveReleaseInput{
		ReleaseID: r.spec.Metadata.ID, ClosedAt: closedAt, Status: r.status,
	}).Get(ctx, &res)
	if err != nil {
		r.status.Archive = &ArchiveStatus{Error: errorMessage(err)}
		r.event(ctx, "archive-failed", "", "release archive not written: "+r.status.Archive.Error)
	} else {
		r.status.Archive = &ArchiveStatus{Path: res.Path, SHA256: res.SHA256, Files: res.Files, KeyID: res.KeyID}
		r.event(ctx, "archived", "", "signed archive written: "+res.Path)
	}
	if err := workflow.ExecuteActivity(actx, a.PruneArchives, activities.PruneArchivesInput{Now: closedAt}).Get(ctx, nil); err != nil {
		r.event(ctx, "archive-failed", "", "expired archives not pruned: "+errorMessage(err))
	}
}
