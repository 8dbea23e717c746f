package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// registerReadinessControls installs recheck and waive. Like every control, their validators
// only read state, so a refused request writes nothing to history.
func (r *releaseRun) registerReadinessControls(ctx workflow.Context) error {
	controls := []struct {
		name     string
		validate func(Request) error
		handle   func(workflow.Context, Request) (Response, error)
	}{
		{UpdateRecheck, r.validateRecheck, r.recheck},
		{UpdateWaive, r.validateWaive, r.waive},
	}
	for _, c := range controls {
		validate := c.validate
		err := workflow.SetUpdateHandlerWithOptions(ctx, c.name, c.handle, workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, req Request) error { return validate(req) },
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// validateRecheck accepts anyone: re-collecting evidence changes nothing by itself, and the
// person who fixed a report is often not the criterion's owner. A gate still collecting its
// evidence takes the request too: what prompted it (CI finishing) may postdate what it read.
func (r *releaseRun) validateRecheck(req Request) error {
	if err := requireActor(req); err != nil {
		return err
	}
	g, _ := r.recheckableGate()
	if g == nil {
		return fmt.Errorf("release %q is not blocked by a readiness gate (phase %s); nothing to recheck", r.status.ReleaseID, r.status.Phase)
	}
	if g.Recheck != nil {
		return fmt.Errorf("release %q: a recheck is already requested by %s", r.status.ReleaseID, g.Recheck.Actor)
	}
	return nil
}

// recheckableGate returns the gate blocked, or else the gate evaluating (evaluating true).
func (r *releaseRun) recheckableGate() (g *GateStatus, evaluating bool) {
	if _, g := r.blockedGate(); g != nil {
		return g, false
	}
	g = r.evaluatingGate()
	return g, g != nil
}

// recheck asks the blocked gate to collect and evaluate again, or the evaluating one to do so
// if this round blocks. It returns at once: collection may take minutes (load test, migration
// dry run); the status shows the new table.
func (r *releaseRun) recheck(ctx workflow.Context, req Request) (Response, error) {
	g, evaluating := r.recheckableGate()
	if g == nil { // the validator ran on the same state; unreachable
		return Response{}, errors.New("release is no longer blocked")
	}
	g.Recheck = &Decision{Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)}
	r.event(ctx, "recheck-requested", req.Actor, "recheck of the "+string(g.Phase)+" gate requested"+reasonSuffix(req.Reason))
	r.audit(ctx, "recheck", req.Actor, "recheck of the "+string(g.Phase)+" gate"+reasonSuffix(req.Reason), nil)
	if evaluating {
		return Response{Phase: r.status.Phase, Message: "recheck requested by " + req.Actor + ": the " + string(g.Phase) +
			" gate is collecting its evidence now and collects it again if this round blocks"}, nil
	}
	return Response{Phase: r.status.Phase, Message: "recheck requested by " + req.Actor +
		": collecting the " + string(g.Phase) + " evidence again; tollgate release status shows the new table"}, nil
}

// validateWaive accepts only the owner of a failing, blocking, not yet waived criterion of the
// gate the release is blocked in, with a reason.
func (r *releaseRun) validateWaive(req Request) error {
	if err := requireActorAndReason(req, "waive a criterion"); err != nil {
		return err
	}
	if strings.TrimSpace(req.Criterion) == "" {
		return errors.New("name the criterion to waive (--criterion ID)")
	}
	_, g := r.blockedGate()
	if g == nil {
		return fmt.Errorf("release %q is not blocked by a readiness gate (phase %s); nothing to waive", r.status.ReleaseID, r.status.Phase)
	}
	row := g.row(req.Criterion)
	switch {
	case row == nil:
		return fmt.Errorf("release %q: the %s gate has no criterion %q (criteria: %s)", r.status.ReleaseID, g.Phase, req.Criterion, strings.Join(g.criteria(), ", "))
	case row.Passed:
		return fmt.Errorf("release %q: criterion %q passes; nothing to waive", r.status.ReleaseID, req.Criterion)
	case !row.Row.Blocks():
		return fmt.Errorf("release %q: criterion %q is %s and never blocks; nothing to waive", r.status.ReleaseID, req.Criterion, row.Severity)
	case row.Waiver != nil:
		return fmt.Errorf("release %q: criterion %q is already waived by %s", r.status.ReleaseID, req.Criterion, row.Waiver.Actor)
	case !ownsCriterion(row.Owner, req.Actor):
		return fmt.Errorf("%s does not own criterion %q of release %q (owner: %s); only its owner may waive it", req.Actor, req.Criterion, r.status.ReleaseID, row.Owner)
	}
	return nil
}

// ownsCriterion reports whether actor may act as a criterion's owner. An owner may be a team;
// until the directory of issue #5 exists, only an actor whose identity equals the owner is
// accepted. Seam: validators cannot do I/O, so team membership must be resolved by an activity
// when the gate is evaluated and kept in the gate's state; this function then checks it.
func ownsCriterion(owner, actor string) bool {
	return owner != "" && owner == actor
}

// waive records the waiver in the gate table and the timeline; when it was the last blocking
// failure the gate opens.
func (r *releaseRun) waive(ctx workflow.Context, req Request) (Response, error) {
	idx, g := r.blockedGate()
	if g == nil { // the validator ran on the same state; unreachable
		return Response{}, errors.New("release is no longer blocked")
	}
	w := Waiver{Criterion: req.Criterion, Phase: g.Phase, Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)}
	r.status.Readiness.Waivers = append(r.status.Readiness.Waivers, w)
	g.row(req.Criterion).Waiver = &w
	r.refreshGate(idx)
	r.event(ctx, "waiver", req.Actor, fmt.Sprintf("criterion %s waived: %s", req.Criterion, req.Reason))
	r.audit(ctx, "waiver", req.Actor, req.Reason, w)
	msg := "criterion " + req.Criterion + " waived by " + req.Actor
	if g.Blocked {
		msg += "; still blocked: " + g.Summary
	} else {
		msg += "; no blocking failure left, the release proceeds"
	}
	return Response{Phase: r.status.Phase, Message: msg}, nil
}

// row returns the gate's row of a criterion, or nil.
func (g *GateStatus) row(criterion string) *GateRow {
	for i := range g.Rows {
		if g.Rows[i].Criterion == criterion {
			return &g.Rows[i]
		}
	}
	return nil
}

func (g *GateStatus) criteria() []string {
	ids := make([]string, len(g.Rows))
	for i, row := range g.Rows {
		ids[i] = row.Criterion
	}
	return ids
}
