package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// RolloutInput is the strategy of one service in one environment of a deploy wave.
type RolloutInput struct {
	ReleaseID   string              `json:"releaseId"`
	Wave        string              `json:"wave"`
	Service     release.Service     `json:"service"`
	Environment release.Environment `json:"environment"`
	// Analysis holds the release's analysis templates that the strategy's steps name.
	Analysis *release.Analysis `json:"analysis,omitempty"`
	// Paused is the wave's pause state when the rollout starts.
	Paused bool `json:"paused"`
}

// RolloutResult is how a rollout ended: deployed; failed and undone by itself (rolled-back, or
// rollback-failed); failed before touching anything (failed); or stopped part-way by an abort
// (deploying), which the release's rollback undoes from Rollout.
type RolloutResult struct {
	State    ServiceState  `json:"state"`
	Error    string        `json:"error,omitempty"`
	Rollout  RolloutStatus `json:"rollout"`
	Replayed int           `json:"replayed,omitempty"`
}

// RolloutWorkflow runs one service's strategy in one environment: it snapshots the target,
// plans the steps (rollout.Plan) and runs them in order — traffic operations as activities,
// bakes as durable timers, analyses as heartbeating activities. It is a child of the wave so
// that a release of many services keeps every history small. Controls arrive from the wave as
// SignalWaveControl; a marginal or inconclusive analysis holds the rollout and tells the wave
// with SignalWaveHeld.
func RolloutWorkflow(ctx workflow.Context, in RolloutInput) (RolloutResult, error) {
	r := &rolloutRun{in: in, paused: in.Paused, state: ServicePending}
	r.status.Strategy = in.Service.Strategy.Name()
	if err := r.setup(ctx); err != nil {
		return RolloutResult{}, err
	}
	return r.run(ctx), nil
}

// rolloutRun is the state of one rollout; every field is driven only by history.
type rolloutRun struct {
	in       RolloutInput
	paused   bool
	abort    bool
	state    ServiceState
	errMsg   string
	replayed int
	steps    []rollout.Step
	status   RolloutStatus
}

func (r *rolloutRun) setup(ctx workflow.Context) error {
	receiveControls(ctx, func(c WaveControl) {
		r.paused = c.Paused
		r.abort = r.abort || c.Abort
		if !c.Paused {
			r.status.Held = false
		}
	})
	return workflow.SetQueryHandler(ctx, QueryStatus, func() (RolloutResult, error) { return r.result(), nil })
}

func (r *rolloutRun) run(ctx workflow.Context) RolloutResult {
	svc := r.in.Service
	r.state = ServiceDeploying
	if err := r.gate(ctx); err != nil {
		return r.stopped("observe")
	}
	prev, err := observeTarget(ctx, r.in.ReleaseID, svc, r.in.Environment)
	if err != nil {
		return r.fail(ctx, "observe: "+errorMessage(err))
	}
	steps, err := rollout.Plan(svc.Strategy, prev, svc.Version)
	if err != nil {
		return r.fail(ctx, err.Error())
	}
	r.steps = steps
	r.status.Previous, r.status.Steps = prev, len(steps)
	r.status.Weight, r.status.Colour = prev.Weight, prev.Colour
	for i, step := range steps {
		if err := r.gate(ctx); err != nil {
			return r.stopped(step.Name)
		}
		r.status.Started, r.status.Step = i+1, step.Name
		if absorbed(steps, i) {
			continue
		}
		switch step.Kind {
		case rollout.Bake:
			err = r.bake(ctx, step)
		case rollout.Analyse:
			err = r.analyse(ctx, step)
		default:
			err = r.traffic(ctx, step)
		}
		if errors.Is(err, errStopped) {
			return r.stopped(step.Name)
		}
		if err != nil {
			return r.fail(ctx, step.Name+": "+errorMessage(err))
		}
	}
	if len(svc.Smoke) > 0 {
		if err := r.gate(ctx); err != nil {
			return r.stopped("smoke checks")
		}
		r.state = ServiceSmokeTesting
		if err := smokeChecks(ctx, r.in.ReleaseID, svc, r.in.Environment); err != nil {
			return r.fail(ctx, "smoke: "+errorMessage(err))
		}
	}
	r.state = ServiceDeployed
	return r.result()
}

// absorbed reports whether step i is a bake that the analysis right after it measures: the
// analysis activity watches the target for the bake (heartbeating at every interval), so the
// bake is not waited twice.
func absorbed(steps []rollout.Step, i int) bool {
	s := steps[i]
	return s.Kind == rollout.Bake && i+1 < len(steps) && steps[i+1].Kind == rollout.Analyse && steps[i+1].Bake == s.Bake
}

// gate waits until the next step may begin: not while paused, never after an abort.
func (r *rolloutRun) gate(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return r.abort || !r.paused }); err != nil {
		return err
	}
	if r.abort {
		return errStopped
	}
	return nil
}

func (r *rolloutRun) traffic(ctx workflow.Context, step rollout.Step) error {
	res, err := setTraffic(ctx, r.in.ReleaseID, r.in.Service, r.in.Environment, step, deployAttempts)
	if err != nil {
		return err
	}
	r.applied(step, res)
	return nil
}

func (r *rolloutRun) applied(step rollout.Step, res activities.SetTrafficResult) {
	if res.Replayed {
		r.replayed++
	}
	switch step.Kind {
	case rollout.SetWeight:
		r.status.Weight = step.Weight
	case rollout.SwitchColour:
		r.status.Colour = step.Colour
	}
}

// bake waits the step's bake on a durable timer; an abort ends it early.
func (r *rolloutRun) bake(ctx workflow.Context, step rollout.Step) error {
	aborted, err := workflow.AwaitWithTimeout(ctx, step.Bake, func() bool { return r.abort })
	if err != nil {
		return err
	}
	if aborted {
		return errStopped
	}
	return nil
}

// stopped ends the rollout where an abort found it; the release's rollback undoes it.
func (r *rolloutRun) stopped(step string) RolloutResult {
	r.errMsg = "stopped before " + step + ": the wave was aborted"
	return r.result()
}

// fail undoes everything the rollout started (rollout.RollbackPlan over the recorded progress)
// and reports the service rolled back, or rollback-failed when the undo itself failed. A
// rollback is never paused nor aborted.
func (r *rolloutRun) fail(ctx workflow.Context, msg string) RolloutResult {
	r.errMsg = msg
	if r.status.Started == 0 {
		r.state = ServiceFailed // nothing was touched
		return r.result()
	}
	r.state = ServiceRollingBack
	plan, err := rollout.RollbackPlan(rollout.Progress{Steps: r.steps, Started: r.status.Started, Previous: r.status.Previous})
	for _, step := range plan {
		if err != nil {
			break
		}
		r.status.Step = step.Name
		var res activities.SetTrafficResult
		if res, err = setTraffic(ctx, r.in.ReleaseID, r.in.Service, r.in.Environment, step, rollbackAttempts); err == nil {
			r.applied(step, res)
		}
	}
	if err != nil {
		r.state = ServiceRollbackFailed
		r.errMsg = fmt.Sprintf("%s; rollback failed: %s", msg, errorMessage(err))
		return r.result()
	}
	r.state = ServiceRolledBack
	r.errMsg = msg + " (rolled back to " + r.status.Previous.Version + ")"
	return r.result()
}

func (r *rolloutRun) result() RolloutResult {
	return RolloutResult{State: r.state, Error: r.errMsg, Rollout: r.status, Replayed: r.replayed}
}
