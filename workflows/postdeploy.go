package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
)

// postDeployChange marks the release shape with the health watch after production waves, the
// filed review, the support handoff and the signed archive at close. Histories recorded before
// it replay without any of them.
const (
	postDeployChange  = "post-deploy"
	postDeployVersion = 1
)

// watchHeartbeat is how long the watch activity may go silent before a worker is presumed
// lost and the watch resumes elsewhere from its last heartbeat.
const watchHeartbeat = 2 * time.Minute

// watchWave runs the key-health-indicator watch after a watched production wave. A confirmed
// breach pauses the release or rolls it back, by policy; telemetry that is not ready, or a
// watch that cannot run, holds the release for a human: it is never reported healthy. It
// returns false with a reason when the release must be rolled back.
func (r *releaseRun) watchWave(ctx workflow.Context, i int, wv release.Wave) (string, bool) {
	pd := r.spec.PostDeploy
	if !r.postDeploy || pd == nil || pd.Watch == nil || !pd.Watch.Watched(r.spec.Waves, i) {
		return "", true
	}
	w := pd.Watch.WatchDefaults()
	in := activities.WatchHealthInput{
		ReleaseID: r.spec.Metadata.ID, Wave: wv.Name, Services: r.spec.Services, Watch: w,
		Telemetry: pd.Telemetry, BaselineEnd: r.deployStarted,
	}
	for _, name := range wv.Environments {
		env, _ := r.spec.EnvironmentByName(name)
		in.Environments = append(in.Environments, env)
	}
	timeout := w.Duration.D() + 10*time.Minute
	if pd.Telemetry != nil {
		timeout += pd.Telemetry.TelemetryDefaults().Wait.D()
	}
	actx, cancel := workflow.WithCancel(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    watchHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 10},
	}))
	defer cancel()
	ws := WatchStatus{Wave: wv.Name, Verdict: "watching", Started: workflow.Now(ctx)}
	r.status.Watch = append(r.status.Watch, ws)
	idx := len(r.status.Watch) - 1
	r.event(ctx, "watch-started", "", fmt.Sprintf("watching %d indicators of wave %s for %s", len(w.Indicators)*len(in.Environments), wv.Name, w.Duration))
	var a *activities.Activities
	fut := workflow.ExecuteActivity(actx, a.WatchHealth, in)
	// A rollback request ends the watch at once: there is nothing left to watch.
	if err := workflow.Await(ctx, func() bool { return fut.IsReady() || r.rollback != nil }); err != nil {
		return err.Error(), false
	}
	if !fut.IsReady() {
		cancel()
		r.status.Watch[idx].Verdict = "cancelled"
		return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
	}
	var res activities.WatchHealthResult
	err := fut.Get(ctx, &res)
	st := &r.status.Watch[idx]
	st.Finished, st.Verdict, st.Evaluations = workflow.Now(ctx), res.Verdict, res.Evaluations
	st.Telemetry, st.Alerts, st.Gaps = res.Telemetry, res.Alerts, res.Gaps
	switch {
	case err != nil:
		st.Verdict, st.Error = "failed", errorMessage(err)
		return r.holdForHuman(ctx, "the health watch of wave "+wv.Name+" could not run: "+st.Error)
	case res.Verdict == activities.WatchTelemetryNotReady:
		return r.holdForHuman(ctx, "telemetry not ready after wave "+wv.Name+": "+telemetryText(res.Telemetry))
	case res.Verdict == activities.WatchBreach && res.Breach != nil:
		b := res.Breach
		msg := fmt.Sprintf("confirmed breach of %s for %s in %s: %s", b.Indicator, b.Service, b.Environment, b.Reason)
		r.event(ctx, "watch-breach", "", msg)
		r.audit(ctx, "gate", "", msg, st)
		if w.OnBreach == release.WatchRollback {
			return "health watch of wave " + wv.Name + ": " + msg, false
		}
		return r.holdForHuman(ctx, msg)
	}
	r.event(ctx, "watch-healthy", "", fmt.Sprintf("wave %s healthy after %d evaluations; %d unconfirmed alert(s), %d indicator(s) without data",
		wv.Name, res.Evaluations, len(res.Alerts), len(res.Gaps)))
	return "", true
}

// holdForHuman pauses the release and waits for resume or rollback.
func (r *releaseRun) holdForHuman(ctx workflow.Context, why string) (string, bool) {
	r.status.Paused = true
	r.event(ctx, "held", "", why+" (resume or roll back)")
	r.audit(ctx, "pause", "", why, nil)
	if err := workflow.Await(ctx, func() bool { return !r.status.Paused || r.rollback != nil }); err != nil {
		return err.Error(), false
	}
	if r.rollback != nil {
		return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
	}
	return "", true
}

func telemetryText(reports []activities.TelemetryReport) string {
	out := ""
	for _, t := range reports {
		if !t.Ready {
			if out != "" {
				out += ", "
			}
			out += fmt.Sprintf("%s in %s reports the new version from %.0f%% of instances", t.Service, t.Environment, 100*t.Share)
		}
	}
	return out
}
