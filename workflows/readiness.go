package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/policy"
)

// Activity bounds of the readiness and pre-deploy gates. Collection may run a load test, a DR
// drill and a migration dry run, hence the long bound; the sources' own failures are evidence,
// so an activity error is a store or worker problem worth a few retries, not more.
const (
	collectEvidenceTimeout = 30 * time.Minute
	evaluateTimeout        = 2 * time.Minute
	snapshotTimeout        = time.Minute
	gateActivityAttempts   = 3
)

// ReadinessStatus is the readiness and pre-deploy gates as the status query shows them. It is
// also the gates' state: waivers and recheck requests live here, driven only by history.
type ReadinessStatus struct {
	// ConfigSnapshot is path → sha256 of the declared configuration files, taken when the
	// readiness gate first ran; rollbacks verify the files against it.
	ConfigSnapshot map[string]string `json:"configSnapshot,omitempty"`
	SnapshotAt     time.Time         `json:"snapshotAt,omitzero"`
	// Gates are the gates that ran, in order: readiness, then pre-deploy.
	Gates []GateStatus `json:"gates"`
	// Waivers are every waiver granted, in order; a waiver holds across rechecks.
	Waivers []Waiver `json:"waivers,omitempty"`
	// RollbackCheck is the check of the rollback prerequisites made right before a rollback.
	RollbackCheck *RollbackCheck `json:"rollbackCheck,omitempty"`
	// SourceSHA is the commit source.head named when its checks were last read: the risk phase
	// compares it and deployments point at it, so the commit verified is the commit shipped.
	SourceSHA string `json:"sourceSha,omitempty"`
}

// GateStatus is one gate's latest evaluation: its table and whether it holds the release.
type GateStatus struct {
	Phase   Phase  `json:"phase"`
	Blocked bool   `json:"blocked"`
	Summary string `json:"summary"`
	// Error is why the evidence could not be collected or judged; the gate stays blocked until
	// a recheck succeeds (there is nothing to waive).
	Error          string                         `json:"error,omitempty"`
	EvidenceDigest string                         `json:"evidenceDigest,omitempty"`
	EvaluatedAt    time.Time                      `json:"evaluatedAt,omitzero"`
	Evaluations    int                            `json:"evaluations"`
	Rows           []GateRow                      `json:"rows"`
	Sources        map[string]policy.SourceStatus `json:"sources,omitempty"`
	// Recheck is the pending recheck request, cleared when the gate starts collecting again.
	Recheck *Decision `json:"recheck,omitempty"`
}

// GateRow is one criterion of a gate table with its waiver, if any.
type GateRow struct {
	policy.Row
	Waiver *Waiver `json:"waiver,omitempty"`
}

// Blocks reports whether the row holds the release: a failed blocking criterion not waived.
func (r GateRow) Blocks() bool { return r.Row.Blocks() && r.Waiver == nil }

// Waiver is a failing blocking criterion its owner accepted, with the reason and the time.
type Waiver struct {
	Criterion string    `json:"criterion"`
	Phase     Phase     `json:"phase"`
	Actor     string    `json:"actor"`
	Reason    string    `json:"reason"`
	Time      time.Time `json:"time"`
}

// readinessGate evaluates the readiness criteria (issue #3). Releases whose spec declares none
// of the readiness blocks pass through without a command, so their histories are unchanged.
func (r *releaseRun) readinessGate(ctx workflow.Context) (Outcome, string, bool) {
	if !declaresReadiness(r.spec) {
		return "", "", true
	}
	return r.runGate(ctx, PhaseReadiness, policy.PhaseReadiness)
}

// preDeployGate runs pre-deploy validation (end-to-end, load, SARIF, DR drill, migrations,
// accessibility, localization) with the same machinery as readiness.
func (r *releaseRun) preDeployGate(ctx workflow.Context) (Outcome, string, bool) {
	if !declaresPreDeploy(r.spec) {
		return "", "", true
	}
	return r.runGate(ctx, PhasePreDeploy, policy.PhasePreDeploy)
}

// runGate evaluates a gate and, while a blocking criterion fails, waits in readiness-blocked
// for a recheck, the waiver of every blocking failure, or a rejection. The wait has no
// deadline on purpose: a blocked release never proceeds, nor expires, without a decision.
func (r *releaseRun) runGate(ctx workflow.Context, phase Phase, pphase policy.Phase) (Outcome, string, bool) {
	r.setPhase(ctx, phase)
	rs := r.readiness()
	rs.Gates = append(rs.Gates, GateStatus{Phase: phase, Rows: []GateRow{}})
	idx := len(rs.Gates) - 1
	for {
		if rej := r.status.Approval.Rejected; rej != nil {
			return OutcomeRejected, "rejected by " + rej.Actor + ": " + rej.Reason, false
		}
		r.gateEvaluating = true
		r.evaluateGate(ctx, idx, pphase)
		r.gateEvaluating = false
		g := &r.status.Readiness.Gates[idx]
		if !g.Blocked {
			g.Recheck = nil // asked during the evaluation, answered by its passing
			r.event(ctx, string(phase)+"-passed", "", g.Summary)
			r.audit(ctx, string(phase)+"-passed", "", g.Summary, g.Rows)
			return "", "", true
		}
		// A recheck requested during the evaluation (g.Recheck) ends the wait below at once: the
		// evidence this round judged may predate what prompted it.
		r.setPhase(ctx, PhaseReadinessBlocked)
		r.event(ctx, string(phase)+"-blocked", "", blockedMessage(*g))
		r.audit(ctx, string(phase)+"-blocked", "", blockedMessage(*g), g.Rows)
		err := workflow.Await(ctx, func() bool {
			g := &r.status.Readiness.Gates[idx]
			return g.Recheck != nil || !g.Blocked || r.status.Approval.Rejected != nil
		})
		if err != nil {
			return OutcomeReadinessBlocked, string(phase) + " gate interrupted while blocked: " + err.Error(), false
		}
		g = &r.status.Readiness.Gates[idx]
		switch {
		case r.status.Approval.Rejected != nil:
			continue // the loop head ends the release
		case !g.Blocked:
			r.event(ctx, string(phase)+"-passed", "", "every blocking failure waived: "+g.Summary)
			r.audit(ctx, string(phase)+"-passed", "", "every blocking failure waived: "+g.Summary, g.Rows)
			return "", "", true
		}
		req := g.Recheck
		g.Recheck = nil
		r.event(ctx, "recheck", req.Actor, string(phase)+": collecting the evidence again"+reasonSuffix(req.Reason))
		r.setPhase(ctx, phase)
	}
}

func (r *releaseRun) readiness() *ReadinessStatus {
	if r.status.Readiness == nil {
		r.status.Readiness = &ReadinessStatus{Gates: []GateStatus{}}
	}
	return r.status.Readiness
}

// evaluateGate takes the config snapshot when due, collects the phase's evidence and judges
// it. Any activity failure leaves the gate blocked with the error: it fails closed.
func (r *releaseRun) evaluateGate(ctx workflow.Context, idx int, pphase policy.Phase) {
	rs := r.status.Readiness
	g := &rs.Gates[idx]
	g.Evaluations++
	g.EvaluatedAt = workflow.Now(ctx)
	fail := func(msg string) {
		g.Error, g.Blocked = msg, true
		g.Summary = "could not evaluate: " + msg
	}
	var a *activities.Activities
	if paths := r.spec.RollbackPrerequisites.ConfigSnapshot; len(paths) > 0 && rs.ConfigSnapshot == nil {
		var snap activities.ConfigSnapshotResult
		err := workflow.ExecuteActivity(gateOptions(ctx, snapshotTimeout), a.RecordConfigSnapshot, activities.ConfigSnapshotInput{
			ReleaseID: r.spec.Metadata.ID, Paths: paths,
		}).Get(ctx, &snap)
		if err != nil {
			fail("configuration snapshot: " + errorMessage(err))
			return
		}
		rs.ConfigSnapshot, rs.SnapshotAt = snap.Files, workflow.Now(ctx)
		r.event(ctx, "config-snapshot", "", snapshotMessage(snap.Files))
	}
	var col activities.CollectEvidenceResult
	err := workflow.ExecuteActivity(gateOptions(ctx, collectEvidenceTimeout), a.CollectEvidence, activities.CollectEvidenceInput{
		ReleaseID: r.spec.Metadata.ID, Spec: r.spec, Phase: pphase, At: workflow.Now(ctx), ConfigSnapshot: rs.ConfigSnapshot,
	}).Get(ctx, &col)
	if err != nil {
		fail("collect evidence: " + errorMessage(err))
		return
	}
	var res activities.EvaluateReadinessResult
	err = workflow.ExecuteActivity(gateOptions(ctx, evaluateTimeout), a.EvaluateReadiness, activities.EvaluateReadinessInput{
		ReleaseID: r.spec.Metadata.ID, Spec: r.spec, Phase: pphase, Digest: col.Digest,
	}).Get(ctx, &res)
	if err != nil {
		fail("evaluate criteria: " + errorMessage(err))
		return
	}
	g.Error, g.EvidenceDigest, g.Sources = "", col.Digest, col.Sources
	if col.SourceSHA != "" {
		rs.SourceSHA = col.SourceSHA // each recheck judges the head as it is then
	}
	g.Rows = make([]GateRow, 0, len(res.Table.Rows))
	for _, row := range res.Table.Rows {
		gr := GateRow{Row: row}
		if !row.Passed { // a waiver outlives rechecks, but a criterion that passes needs none
			gr.Waiver = rs.waiver(row.Criterion)
		}
		g.Rows = append(g.Rows, gr)
	}
	r.refreshGate(idx)
	if adv := advisoryFailures(g.Rows); len(adv) > 0 {
		r.event(ctx, string(g.Phase)+"-advisory", "", "advisory criteria failed (they do not block): "+strings.Join(adv, ", "))
	}
}

// refreshGate recomputes a gate's Blocked and Summary from its rows, after an evaluation or
// a waiver.
func (r *releaseRun) refreshGate(idx int) {
	g := &r.status.Readiness.Gates[idx]
	if g.Error != "" {
		return
	}
	var passed, blocking, waived, advisory int
	for _, row := range g.Rows {
		switch {
		case row.Passed:
			passed++
		case row.Waiver != nil:
			waived++
		case row.Severity == policy.Blocking:
			blocking++
		default:
			advisory++
		}
	}
	g.Blocked = blocking > 0
	g.Summary = fmt.Sprintf("%d of %d criteria passed, %d blocking failed, %d waived, %d advisory failed",
		passed, len(g.Rows), blocking, waived, advisory)
}

// waiver returns the waiver granted for a criterion, or nil.
func (rs *ReadinessStatus) waiver(criterion string) *Waiver {
	for i := range rs.Waivers {
		if rs.Waivers[i].Criterion == criterion {
			w := rs.Waivers[i]
			return &w
		}
	}
	return nil
}

// evaluatingGate returns the gate collecting and judging its evidence now, or nil.
func (r *releaseRun) evaluatingGate() *GateStatus {
	if !r.gateEvaluating || r.status.Readiness == nil || len(r.status.Readiness.Gates) == 0 {
		return nil
	}
	return &r.status.Readiness.Gates[len(r.status.Readiness.Gates)-1]
}

// blockedGate returns the gate the release is blocked in, or nil.
func (r *releaseRun) blockedGate() (int, *GateStatus) {
	if r.status.Phase != PhaseReadinessBlocked || r.status.Readiness == nil || len(r.status.Readiness.Gates) == 0 {
		return -1, nil
	}
	idx := len(r.status.Readiness.Gates) - 1
	g := &r.status.Readiness.Gates[idx]
	if !g.Blocked {
		return -1, nil
	}
	return idx, g
}

func gateOptions(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumAttempts: gateActivityAttempts},
	})
}

// blockedMessage names every unwaived blocking failure with its owner and why it failed.
func blockedMessage(g GateStatus) string {
	if g.Error != "" {
		return g.Summary + "; fix it and run tollgate recheck"
	}
	var parts []string
	for _, row := range g.Rows {
		if row.Blocks() {
			parts = append(parts, fmt.Sprintf("%s (owner %s): %s", row.Criterion, row.Owner, row.Message))
		}
	}
	return g.Summary + "; blocking: " + strings.Join(parts, "; ") + "; fix and recheck, or the owner waives"
}

func advisoryFailures(rows []GateRow) []string {
	var out []string
	for _, row := range rows {
		if !row.Passed && row.Severity != policy.Blocking {
			out = append(out, row.Criterion)
		}
	}
	return out
}

// snapshotMessage lists the snapshot in path order; workflow.DeterministicKeys keeps the
// timeline identical on replay.
func snapshotMessage(files map[string]string) string {
	parts := make([]string, 0, len(files))
	for _, p := range workflow.DeterministicKeys(files) {
		parts = append(parts, p+" "+files[p])
	}
	return fmt.Sprintf("configuration snapshot of %d file(s) recorded: %s", len(files), strings.Join(parts, ", "))
}
