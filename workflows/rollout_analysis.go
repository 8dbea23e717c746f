package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// analysisAttempts bounds retries of one analysis; a retry resumes from its heartbeat.
const analysisAttempts = 3

// analyse runs the step's analysis until a verdict decides: pass → next step; extend-bake →
// measure another bake, up to the template's limit, then fail; marginal or inconclusive →
// hold for a human, whose resume continues and whose rollback aborts; anything else fails.
func (r *rolloutRun) analyse(ctx workflow.Context, step rollout.Step) error {
	tpl, ok := r.in.Analysis.Template(step.Analysis)
	if !ok {
		return fmt.Errorf("analysis template %q is not in the spec's analysis.templates", step.Analysis)
	}
	limit := tpl.ExtendBakeLimit
	if limit == 0 {
		limit = release.DefaultExtendBakeLimit
	}
	for ext := 0; ; ext++ {
		if ext > 0 {
			if err := r.gate(ctx); err != nil {
				return err
			}
		}
		res, err := r.runAnalysis(ctx, step, tpl, ext)
		if err != nil {
			return err
		}
		r.status.Verdict, r.status.Score, r.status.Reason, r.status.Extensions = res.Verdict, res.Score, res.Reason, ext
		switch res.Verdict {
		case activities.VerdictPass:
			return nil
		case activities.VerdictExtendBake:
			if ext >= limit {
				r.status.Verdict = activities.VerdictFail
				return fmt.Errorf("analysis %q: still too few samples after %d bake extensions: %s", step.Analysis, ext, res.Reason)
			}
		case activities.VerdictMarginal, activities.VerdictInconclusive:
			r.hold(ctx, step, res)
			return r.gate(ctx)
		default: // fail, or a verdict this build does not know: never a pass
			return fmt.Errorf("analysis %q: %s, score %.0f: %s", step.Analysis, res.Verdict, res.Score, res.Reason)
		}
	}
}

// runAnalysis runs RunAnalysis once, cancelling it when the wave aborts.
func (r *rolloutRun) runAnalysis(ctx workflow.Context, step rollout.Step, tpl release.AnalysisTemplate, ext int) (activities.RunAnalysisResult, error) {
	var interval time.Duration
	var queries map[string]string
	if r.in.Analysis != nil {
		interval, queries = r.in.Analysis.Interval.D(), r.in.Analysis.Queries
	}
	if interval <= 0 {
		interval = release.DefaultAnalysisInterval
	}
	actx, cancel := workflow.WithCancel(ctx)
	actx = workflow.WithActivityOptions(actx, workflow.ActivityOptions{
		// The activity measures for the whole bake, then judges.
		StartToCloseTimeout: step.Bake + 2*interval + stepTimeoutSlack,
		// It heartbeats at every measurement: two missed ones mean the worker is gone.
		HeartbeatTimeout: max(2*interval, stepHeartbeatTimeout),
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumAttempts:        analysisAttempts,
			NonRetryableErrorTypes: []string{activities.ErrAnalysisConfig},
		},
	})
	prev := r.status.Previous.Version
	var a *activities.Activities
	f := workflow.ExecuteActivity(actx, a.RunAnalysis, activities.RunAnalysisInput{
		ReleaseID: r.in.ReleaseID, Service: r.in.Service.Name, Environment: r.in.Environment.Name,
		CanaryVersion: r.in.Service.Version, BaselineVersion: prev, Template: tpl, Queries: queries,
		Bake: step.Bake, Interval: interval, Extensions: ext,
	})
	if err := workflow.Await(ctx, func() bool { return f.IsReady() || r.abort }); err != nil {
		cancel()
		return activities.RunAnalysisResult{}, err
	}
	if !f.IsReady() {
		cancel() // a rollback preempts the analysis and whatever promotion would follow it
		return activities.RunAnalysisResult{}, errStopped
	}
	var res activities.RunAnalysisResult
	err := f.Get(ctx, &res)
	return res, err
}

// hold pauses the rollout for a human and tells the wave, which pauses too and tells the
// release: the release shows as paused, and its resume or rollback reaches back here.
func (r *rolloutRun) hold(ctx workflow.Context, step rollout.Step, res activities.RunAnalysisResult) {
	r.paused, r.status.Held = true, true
	h := WaveHeld{Wave: r.in.Wave, Environment: r.in.Environment.Name, Service: r.in.Service.Name,
		Reason: fmt.Sprintf("%s: %s, score %.0f: %s", step.Name, res.Verdict, res.Score, res.Reason)}
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalWaveHeld, h).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("wave not told of the hold", "error", err)
	}
}
