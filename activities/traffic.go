package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
	"github.com/tollgate-dev/tollgate/store"
)

// SetTrafficInput is one traffic step of a rollout or rollback plan for one service in one
// environment.
type SetTrafficInput struct {
	ReleaseID   string              `json:"releaseId"`
	Service     release.Service     `json:"service"`
	Environment release.Environment `json:"environment"`
	// Step is a DeployBatch, Scale, SetWeight or SwitchColour step from rollout.Plan or
	// rollout.RollbackPlan; its Name makes the idempotency key.
	Step rollout.Step `json:"step"`
}

// SetTrafficResult reports a finished traffic step.
type SetTrafficResult struct {
	// Replayed is true when the step had completed before and was not run again.
	Replayed   bool  `json:"replayed"`
	DurationMS int64 `json:"durationMs"`
}

// SetTraffic runs a traffic step at most once to completion, with the idempotency key
// release/environment/service/traffic:<step name>: a step recorded as completed is never run
// again, and the deployer receives the key so that a crash between its effect and our record
// does not apply it twice.
func (a *Activities) SetTraffic(ctx context.Context, in SetTrafficInput) (SetTrafficResult, error) {
	key := StepKey(in.ReleaseID, in.Environment.Name, in.Service.Name, "traffic:"+in.Step.Name)
	log := a.logger().With("release", in.ReleaseID, "environment", in.Environment.Name, "service", in.Service.Name, "step", in.Step.Name)
	if done, ok, err := a.Store.CompletedStep(ctx, key); err != nil {
		return SetTrafficResult{}, fmt.Errorf("step ledger %s: %w", key, err)
	} else if ok {
		log.InfoContext(ctx, "traffic step completed before; not running it again")
		return SetTrafficResult{Replayed: true, DurationMS: done.DurationMS}, nil
	}
	if a.Traffic == nil {
		return SetTrafficResult{}, temporal.NewNonRetryableApplicationError("no traffic deployer configured", ErrTrafficRefused, nil)
	}
	res, err := a.runTraffic(ctx, key, in)
	if err != nil {
		return SetTrafficResult{}, a.trafficError(in, err)
	}
	rec := store.StepRecord{Key: key, ReleaseID: in.ReleaseID, Step: "traffic:" + in.Step.Name, Output: res.Output,
		DurationMS: res.Duration.Milliseconds(), FinishedAt: time.Now().UTC()}
	if err := a.Store.RecordStep(ctx, rec); err != nil {
		return SetTrafficResult{}, fmt.Errorf("record step %s: %w", key, err)
	}
	log.InfoContext(ctx, "traffic step completed", "kind", in.Step.Kind)
	return SetTrafficResult{DurationMS: rec.DurationMS}, nil
}

func (a *Activities) runTraffic(ctx context.Context, key string, in SetTrafficInput) (deploy.Result, error) {
	beat := func() { activity.RecordHeartbeat(ctx) }
	t := trafficTarget(key, in.ReleaseID, in.Service, in.Environment)
	cmds := release.TrafficCommands{}
	if in.Service.Strategy != nil {
		cmds = in.Service.Strategy.Commands
	}
	s := in.Step
	switch s.Kind {
	case rollout.DeployBatch, rollout.Scale:
		t.Command = cmds.Scale
		if s.Version != "" {
			t.Env["VERSION"] = s.Version
		}
		return a.Traffic.Scale(ctx, deploy.ScaleOp{Target: t, Track: s.Track, Version: s.Version, Replicas: s.Replicas,
			Batch: s.Batch, From: s.From, To: s.To}, beat)
	case rollout.SetWeight:
		t.Command = cmds.Weight
		return a.Traffic.SetWeight(ctx, deploy.WeightOp{Target: t, Weight: s.Weight}, beat)
	case rollout.SwitchColour:
		t.Command = cmds.Switch
		return a.Traffic.SwitchColour(ctx, deploy.ColourOp{Target: t, Colour: s.Colour}, beat)
	}
	return deploy.Result{}, &deploy.PermanentError{Op: string(s.Kind), Message: "not a traffic step: bake and analyse run in the workflow"}
}

func trafficTarget(key, releaseID string, svc release.Service, env release.Environment) deploy.Target {
	vars := release.StepVars(releaseID, svc, env)
	vars["IDEMPOTENCY_KEY"] = key
	return deploy.Target{Key: key, Service: svc.Name, Environment: env.Name, Env: vars, Timeout: svc.Runbook.Timeout.D()}
}

// trafficError classifies a deployer error for Temporal: refusals and failed operations are
// not retried, throttling waits for Retry-After, the rest is retried.
func (a *Activities) trafficError(in SetTrafficInput, err error) error {
	what := fmt.Sprintf("%s %s in %s", in.Step.Name, in.Service.Name, in.Environment.Name)
	var perm *deploy.PermanentError
	var retry *deploy.RetryableError
	var stepErr *deploy.StepError
	switch {
	case errors.As(err, &perm):
		return temporal.NewNonRetryableApplicationError(what+": "+perm.Error(), ErrTrafficRefused, nil)
	case errors.As(err, &stepErr):
		return temporal.NewApplicationError(what+": "+stepErr.Error(), ErrStepFailed)
	case errors.As(err, &retry) && retry.RetryAfter > 0:
		return temporal.NewApplicationErrorWithOptions(what+": "+retry.Error(), "Throttled",
			temporal.ApplicationErrorOptions{NextRetryDelay: retry.RetryAfter})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ObserveTargetInput names the target to snapshot before its first traffic step.
type ObserveTargetInput struct {
	ReleaseID   string              `json:"releaseId"`
	Service     release.Service     `json:"service"`
	Environment release.Environment `json:"environment"`
}

// ObserveTarget returns the target's state as a rollout.Snapshot, which the workflow keeps in
// rollout.Progress so a rollback knows what to restore.
func (a *Activities) ObserveTarget(ctx context.Context, in ObserveTargetInput) (rollout.Snapshot, error) {
	if a.Traffic == nil {
		return rollout.Snapshot{}, temporal.NewNonRetryableApplicationError("no traffic deployer configured", ErrTrafficRefused, nil)
	}
	key := StepKey(in.ReleaseID, in.Environment.Name, in.Service.Name, "traffic:observe")
	t := trafficTarget(key, in.ReleaseID, in.Service, in.Environment)
	if in.Service.Strategy != nil {
		t.Command = in.Service.Strategy.Commands.Observe
	}
	st, err := a.Traffic.Observe(ctx, t)
	if err != nil {
		return rollout.Snapshot{}, a.trafficError(SetTrafficInput{Service: in.Service, Environment: in.Environment,
			Step: rollout.Step{Name: "observe"}}, err)
	}
	return rollout.Snapshot{Version: st.Version, Replicas: st.Replicas, Weight: st.Weight, Colour: st.Colour}, nil
}
