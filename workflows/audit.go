package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
)

// auditSystemActor is the actor of entries Tollgate writes itself (phase changes, risk).
const auditSystemActor = "system"

// audit appends one entry to the tamper-evident audit trail. The sequence number lives in
// workflow state, so a retried or replayed append finds the entry written the first time.
// Appends are retried until they succeed; a permanent refusal (no audit store, a conflicting
// entry) is put on the timeline, where the operator sees it.
func (r *releaseRun) audit(ctx workflow.Context, kind, actor, reason string, payload any) {
	if !r.governed {
		return
	}
	if actor == "" {
		actor = auditSystemActor
	}
	r.auditSeq++
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	err := workflow.ExecuteActivity(actx, a.AppendAudit, activities.AppendAuditInput{
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, EventSeq: r.auditSeq,
		ReleaseID: r.spec.Metadata.ID, Time: workflow.Now(ctx), Actor: actor, Kind: kind, Reason: reason, Payload: payload,
	}).Get(ctx, nil)
	if err != nil {
		r.event(ctx, "audit-failed", "", "audit entry "+kind+" not written: "+errorMessage(err))
	}
}

// sealAudit signs a checkpoint covering the release's entries when it closes.
func (r *releaseRun) sealAudit(ctx workflow.Context) {
	if !r.governed {
		return
	}
	var a *activities.Activities
	var res activities.SealAuditResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.SealAudit, activities.SealAuditInput{ReleaseID: r.spec.Metadata.ID}).Get(ctx, &res)
	if err != nil {
		r.event(ctx, "audit-failed", "", "audit checkpoint not signed: "+errorMessage(err))
		return
	}
	r.status.AuditHead = res.Hash
}
