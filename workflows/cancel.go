package workflows

import "go.temporal.io/sdk/workflow"

// cancelChange marks releases that, cancelled through Temporal (the Web UI's Cancel, `temporal
// workflow cancel`), still close like any other ending: what was deployed is rolled back, the
// store records the outcome (so target locks free up), Slack, GitHub and Jira are told, the
// audit trail is sealed and the archive written. Before it, a cancelled release failed in its
// first closing activity and stayed open in the store. The version is asked only once a
// cancellation arrived, so no other history records a marker.
const (
	cancelChange  = "cancel-closes"
	cancelVersion = 1
)

// cancelledReason is the reason a release cancelled through Temporal closes with. Temporal does
// not hand the workflow who asked; its history has the request's identity and reason.
const cancelledReason = "cancelled through Temporal (the cancellation request in the workflow history says by whom)"

// survive returns a context the closing work can run in once the release was cancelled
// through Temporal, and true; ctx and false when it was not cancelled, or when the release
// started before cancelChange (it ends as it always did).
func (r *releaseRun) survive(ctx workflow.Context) (workflow.Context, bool) {
	if ctx.Err() == nil {
		return ctx, false
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if workflow.GetVersion(dctx, cancelChange, workflow.DefaultVersion, cancelVersion) == workflow.DefaultVersion {
		return ctx, false
	}
	if r.cancelledIn == "" {
		r.cancelledIn = r.status.Phase
		r.event(dctx, "cancelled", "", cancelledReason+" in phase "+string(r.cancelledIn))
	}
	return dctx, true
}

// cancelledOutcome is how a cancelled release ends: rolled back when it had deployed something
// (the rollback's outcome), cancelled otherwise.
func (r *releaseRun) cancelledOutcome(outcome Outcome) (Outcome, string) {
	if outcome == OutcomeRolledBack || outcome == OutcomeRollbackFailed {
		return outcome, cancelledReason + " in phase " + string(r.cancelledIn) + ": what was deployed is rolled back"
	}
	if r.cancelledIn == PhaseApproval {
		r.notifyApproval("cancelled through Temporal")
	}
	return OutcomeCancelled, cancelledReason + " in phase " + string(r.cancelledIn)
}

// detached runs the Slack and ITSM coroutines in a context a cancellation does not end, so the
// closing messages and records still go out. It adds no command.
func detached(ctx workflow.Context) workflow.Context {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return dctx
}
