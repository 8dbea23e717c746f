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
	"github.com/tollgate-dev/tollgate/store"
)

// RunStepInput names one runbook step of one service in one environment.
type RunStepInput struct {
	ReleaseID   string              `json:"releaseId"`
	Step        string              `json:"step"`
	Service     release.Service     `json:"service"`
	Environment release.Environment `json:"environment"`
}

// RunStepResult reports a finished step.
type RunStepResult struct {
	// Replayed is true when the step had completed before (a retry after a crash) and was not
	// run again.
	Replayed   bool  `json:"replayed"`
	DurationMS int64 `json:"durationMs"`
}

// StepKey is the idempotency key of a step: one per release, environment, service and step.
func StepKey(releaseID, environment, service, step string) string {
	return releaseID + "/" + environment + "/" + service + "/" + step
}

// RunStep runs a runbook step at most once to completion: a step recorded as completed is
// never run again, whatever retries or worker crashes happened in between.
func (a *Activities) RunStep(ctx context.Context, in RunStepInput) (RunStepResult, error) {
	key := StepKey(in.ReleaseID, in.Environment.Name, in.Service.Name, in.Step)
	log := a.logger().With("release", in.ReleaseID, "environment", in.Environment.Name, "service", in.Service.Name, "step", in.Step)
	if done, ok, err := a.Store.CompletedStep(ctx, key); err != nil {
		return RunStepResult{}, fmt.Errorf("step ledger %s: %w", key, err)
	} else if ok {
		log.InfoContext(ctx, "step completed before; not running it again")
		return RunStepResult{Replayed: true, DurationMS: done.DurationMS}, nil
	}
	command, err := stepCommand(in.Service.Runbook, in.Step)
	if err != nil {
		return RunStepResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrStepRefused, nil)
	}
	vars := release.StepVars(in.ReleaseID, in.Service, in.Environment)
	vars["STEP"] = in.Step
	vars["IDEMPOTENCY_KEY"] = key
	step := deploy.Step{Key: key, Name: in.Step, Command: command, Env: vars, Timeout: in.Service.Runbook.Timeout.D()}

	log.InfoContext(ctx, "step starting")
	res, err := a.Deployer.Run(ctx, step, func() { activity.RecordHeartbeat(ctx) })
	var stepErr *deploy.StepError
	switch {
	case errors.As(err, &stepErr):
		log.WarnContext(ctx, "step failed", "exit", stepErr.ExitCode)
		return RunStepResult{}, temporal.NewApplicationError(
			fmt.Sprintf("%s %s in %s: %v", in.Step, in.Service.Name, in.Environment.Name, stepErr), ErrStepFailed)
	case err != nil:
		return RunStepResult{}, fmt.Errorf("%s %s in %s: %w", in.Step, in.Service.Name, in.Environment.Name, err)
	}
	rec := store.StepRecord{
		Key: key, ReleaseID: in.ReleaseID, Step: in.Step, Output: res.Output,
		ExitCode: res.ExitCode, DurationMS: res.Duration.Milliseconds(), FinishedAt: time.Now().UTC(),
	}
	if err := a.Store.RecordStep(ctx, rec); err != nil {
		// The step ran; failing here would run it again on retry. Retrying the record is the
		// lesser evil, and the script receives IDEMPOTENCY_KEY to guard itself.
		return RunStepResult{}, fmt.Errorf("record step %s: %w", key, err)
	}
	log.InfoContext(ctx, "step completed", "duration", res.Duration)
	return RunStepResult{DurationMS: rec.DurationMS}, nil
}

func stepCommand(rb release.Runbook, step string) (string, error) {
	var cmd string
	switch step {
	case "deploy":
		cmd = rb.Deploy
	case "verify":
		cmd = rb.Verify
	case "rollback":
		cmd = rb.Rollback
	default:
		return "", fmt.Errorf("unknown runbook step %q", step)
	}
	if cmd == "" {
		return "", fmt.Errorf("runbook has no %s command", step)
	}
	return cmd, nil
}
