package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/policy"
)

// rollbackCheckTimeout bounds the re-check before a rollback: a sandbox restore of the backup
// and the rollback script's dry run.
const rollbackCheckTimeout = 10 * time.Minute

// RollbackCheck is the rollback prerequisites as verified right before a rollback used them.
type RollbackCheck struct {
	At    time.Time `json:"at"`
	Ready bool      `json:"ready"`
	// Evidence is what CheckRollbackPrerequisites found; empty when it could not run.
	Evidence policy.RollbackEvidence `json:"evidence"`
	Warnings []string                `json:"warnings,omitempty"`
}

// verifyRollbackPrerequisites checks the backup, the configuration files against the snapshot
// taken at release start, and the rollback script, before the rollback runs. A failure is a
// warning on the timeline and the rollback still proceeds: by now services are changed or
// failing in production, and refusing to roll back would leave them so. The warning tells the
// on-call engineer which prerequisite (restored configuration, backup) not to trust.
func (r *releaseRun) verifyRollbackPrerequisites(ctx workflow.Context) {
	rs := r.readiness()
	actx := gateOptions(ctx, rollbackCheckTimeout)
	var a *activities.Activities
	var ev policy.RollbackEvidence
	err := workflow.ExecuteActivity(actx, a.CheckRollbackPrerequisites, activities.RollbackPrerequisitesInput{
		ReleaseID: r.spec.Metadata.ID, Spec: r.spec, At: workflow.Now(ctx), ConfigSnapshot: rs.ConfigSnapshot,
	}).Get(ctx, &ev)
	check := &RollbackCheck{At: workflow.Now(ctx), Evidence: ev}
	rs.RollbackCheck = check
	if err != nil {
		check.Warnings = []string{"rollback prerequisites could not be checked: " + errorMessage(err)}
	} else {
		check.Warnings = r.rollbackWarnings(ev)
	}
	check.Ready = len(check.Warnings) == 0
	if check.Ready {
		r.event(ctx, "rollback-prerequisites", "", "rollback prerequisites verified: "+r.rollbackReadyText(ev))
		return
	}
	msg := strings.Join(check.Warnings, "; ") + "; rolling back anyway"
	workflow.GetLogger(ctx).Warn("rollback prerequisites not met", "release", r.spec.Metadata.ID, "warnings", msg)
	r.event(ctx, "rollback-prerequisites-warning", "", msg)
}

// rollbackWarnings lists the declared prerequisites that do not hold.
func (r *releaseRun) rollbackWarnings(ev policy.RollbackEvidence) []string {
	rb := r.spec.RollbackPrerequisites
	var out []string
	if rb.Backup.Path != "" && !ev.Backup.Valid {
		out = append(out, "backup: "+ev.Backup.Reason)
	}
	if len(rb.ConfigSnapshot) > 0 {
		switch {
		case r.status.Readiness.ConfigSnapshot == nil:
			// Without a recorded snapshot the activity compares the files with themselves, so
			// its "verified" means nothing.
			out = append(out, "configuration snapshot: none was recorded at release start; the configuration cannot be verified")
		case !ev.ConfigSnapshot.Verified:
			out = append(out, "configuration snapshot mismatch: "+strings.Join(ev.ConfigSnapshot.Changed, ", "))
		}
	}
	if rb.Script.Path != "" && !ev.Script.Ready {
		out = append(out, "rollback script: "+ev.Script.Reason)
	}
	return out
}

func (r *releaseRun) rollbackReadyText(ev policy.RollbackEvidence) string {
	rb := r.spec.RollbackPrerequisites
	var parts []string
	if rb.Backup.Path != "" {
		parts = append(parts, "backup valid")
	}
	if len(rb.ConfigSnapshot) > 0 {
		parts = append(parts, fmt.Sprintf("configuration matches the snapshot (%d files)", ev.ConfigSnapshot.Files))
	}
	if rb.Script.Path != "" {
		parts = append(parts, "rollback script ready")
	}
	if len(parts) == 0 {
		return "nothing declared to check"
	}
	return strings.Join(parts, ", ")
}
