package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// trafficOptions are those of traffic operations: bounded like runbook steps, heartbeating,
// and never retried once the deployer refused.
func trafficOptions(ctx workflow.Context, svc release.Service, attempts int32) workflow.Context {
	return stepOptions(ctx, svc, attempts, true, activities.ErrTrafficRefused)
}

// stepOptions bound one operation on a target by the service's runbook timeout; heartbeats let a
// crashed worker's operation be retried within seconds instead of after the whole timeout.
func stepOptions(ctx workflow.Context, svc release.Service, attempts int32, heartbeat bool, refused string) workflow.Context {
	timeout := svc.Runbook.Timeout.D()
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: timeout + stepTimeoutSlack,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumAttempts:        attempts,
			NonRetryableErrorTypes: []string{refused},
		},
	}
	if heartbeat {
		opts.HeartbeatTimeout = stepHeartbeatTimeout
	}
	return workflow.WithActivityOptions(ctx, opts)
}

// setTraffic runs one traffic step (DeployBatch, Scale, SetWeight, SwitchColour).
func setTraffic(ctx workflow.Context, releaseID string, svc release.Service, env release.Environment, step rollout.Step, attempts int32) (activities.SetTrafficResult, error) {
	var a *activities.Activities
	var res activities.SetTrafficResult
	err := workflow.ExecuteActivity(trafficOptions(ctx, svc, attempts), a.SetTraffic, activities.SetTrafficInput{
		ReleaseID: releaseID, Service: svc, Environment: env, Step: step,
	}).Get(ctx, &res)
	return res, err
}

// observeTarget snapshots a target before its first traffic step.
func observeTarget(ctx workflow.Context, releaseID string, svc release.Service, env release.Environment) (rollout.Snapshot, error) {
	ctx = stepOptions(ctx, svc, deployAttempts, false, activities.ErrTrafficRefused)
	var a *activities.Activities
	var snap rollout.Snapshot
	err := workflow.ExecuteActivity(ctx, a.ObserveTarget, activities.ObserveTargetInput{
		ReleaseID: releaseID, Service: svc, Environment: env,
	}).Get(ctx, &snap)
	return snap, err
}

// smokeChecks runs a service's smoke checks in order; the first failure ends them.
func smokeChecks(ctx workflow.Context, releaseID string, svc release.Service, env release.Environment) error {
	for _, check := range svc.Smoke {
		limit := check.MaxLatency.D()
		if limit <= 0 {
			limit = release.DefaultSmokeTimeout
		}
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: limit + 10*time.Second,
			RetryPolicy: &temporal.RetryPolicy{
				InitialInterval:    time.Second,
				BackoffCoefficient: 2,
				MaximumAttempts:    smokeAttempts,
			},
		})
		var a *activities.Activities
		err := workflow.ExecuteActivity(actx, a.SmokeCheck, activities.SmokeInput{
			ReleaseID: releaseID, Service: svc, Environment: env, Check: check,
		}).Get(ctx, nil)
		if err != nil {
			return err
		}
	}
	return nil
}
