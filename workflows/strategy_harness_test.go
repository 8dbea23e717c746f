package workflows

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
	"github.com/tollgate-dev/tollgate/store"
)

// strategyHarness adds the strategies' activities to a harness: SetTraffic and ObserveTarget are
// the real activities over the deploy Fake's traffic model (so idempotency keys, error
// classification and the absolute-state semantics are the production ones), RunAnalysis is a
// mock whose verdicts a test chooses.
type strategyHarness struct {
	*harness
	fake *deploy.Fake
	// trafficTime and analysisTime are how long a traffic step and an analysis take on the
	// workflow clock.
	trafficTime, analysisTime time.Duration
	// analyse answers RunAnalysis; the default passes.
	analyse func(activities.RunAnalysisInput) (activities.RunAnalysisResult, error)
	// ops records every traffic step and analysis as it completes, with the workflow clock.
	ops []op
}

// op is one traffic step or analysis of one target.
type op struct {
	Target, Step string
	Kind         rollout.Kind
	At           time.Time
	Extensions   int
}

func newStrategyHarness(h *harness) *strategyHarness {
	sh := &strategyHarness{harness: h, fake: deploy.NewFake()}
	st, err := store.OpenSQLite(filepath.Join(h.t.TempDir(), "tollgate.db"))
	require.NoError(h.t, err)
	h.t.Cleanup(func() { st.Close() })
	real := &activities.Activities{Store: st, Traffic: sh.fake, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	env := h.env
	env.RegisterWorkflowWithOptions(RolloutWorkflow, workflow.RegisterOptions{Name: RolloutWorkflowName})
	var a *activities.Activities
	env.OnActivity(a.ObserveTarget, mock.Anything, mock.Anything).Return(real.ObserveTarget)
	env.OnActivity(a.SetTraffic, mock.Anything, mock.Anything).AfterFn(func() time.Duration { return sh.trafficTime }).
		Return(func(ctx context.Context, in activities.SetTrafficInput) (activities.SetTrafficResult, error) {
			res, err := real.SetTraffic(ctx, in)
			if err == nil {
				sh.record(op{Target: in.Environment.Name + "/" + in.Service.Name, Step: in.Step.Name, Kind: in.Step.Kind})
			}
			return res, err
		})
	env.OnActivity(a.RunAnalysis, mock.Anything, mock.Anything).AfterFn(func() time.Duration { return sh.analysisTime }).
		Return(func(_ context.Context, in activities.RunAnalysisInput) (activities.RunAnalysisResult, error) {
			sh.record(op{Target: in.Environment + "/" + in.Service, Step: "analyse", Kind: rollout.Analyse, Extensions: in.Extensions})
			if sh.analyse != nil {
				return sh.analyse(in)
			}
			return activities.RunAnalysisResult{Verdict: activities.VerdictPass, Score: 100, Reason: "every metric passed"}, nil
		})
	return sh
}

func (sh *strategyHarness) record(o op) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	o.At = sh.env.Now()
	sh.ops = append(sh.ops, o)
}

// opsOf returns the recorded ops of one target.
func (sh *strategyHarness) opsOf(target string) []op {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var out []op
	for _, o := range sh.ops {
		if o.Target == target {
			out = append(out, o)
		}
	}
	return out
}

// seed installs every strategy service's previous state (1.0.0) in every environment and
// returns it, by "environment/service".
func (sh *strategyHarness) seed(spec release.Spec) map[string]rollout.State {
	out := map[string]rollout.State{}
	for _, svc := range spec.Services {
		if svc.Strategy == nil {
			continue
		}
		prev := rollout.Snapshot{Version: "1.0.0", Replicas: replicasOf(svc.Strategy)}
		st := rollout.Initial(prev, svc.Strategy.BlueGreen != nil)
		for _, env := range spec.Environments {
			sh.fake.SetTargetState(env.Name, svc.Name, st)
			out[env.Name+"/"+svc.Name] = st
		}
	}
	return out
}

func replicasOf(s *release.Strategy) int {
	switch {
	case s.Rolling != nil:
		return s.Rolling.Replicas
	case s.Canary != nil:
		return s.Canary.Replicas
	case s.BlueGreen != nil:
		return s.BlueGreen.Replicas
	}
	return 1
}

// stepKey matches the fake's traffic calls of one step of one target.
func stepKey(env, service, step string) func(deploy.TrafficCall) bool {
	return func(c deploy.TrafficCall) bool {
		return c.Environment == env && c.Service == service && strings.HasSuffix(c.Key, "/traffic:"+step)
	}
}

const dur1m = release.Duration(time.Minute)

// strategySpecs are the strategy shapes the workflow tests run: every kind of step appears,
// bakes both on their own (durable timers) and measured by an analysis.
func strategySpecs() map[string]*release.Strategy {
	cmds := release.TrafficCommands{Scale: "scale.sh", Weight: "weight.sh", Switch: "switch.sh", Observe: "observe.sh"}
	return map[string]*release.Strategy{
		"rolling": {Commands: cmds, Rolling: &release.Rolling{Replicas: 3, BatchSize: "2", Bake: dur1m, Analysis: "khi"}},
		"canary": {Commands: cmds, Canary: &release.Canary{Replicas: 2, CanaryReplicas: 1, Steps: []release.CanaryStep{
			{Weight: 10, Bake: 5 * dur1m, Analysis: "khi"}, {Weight: 50, Bake: 5 * dur1m}, {Weight: 100}}}},
		"blue-green": {Commands: cmds, BlueGreen: &release.BlueGreen{Replicas: 2, PreviewBake: dur1m, PreviewAnalysis: "khi", KeepOld: 10 * dur1m}},
	}
}

// strategySpec is testSpec with cart rolled out by strategy s and an analysis template "khi".
func strategySpec(s *release.Strategy) release.Spec {
	spec := testSpec()
	for i := range spec.Services {
		if spec.Services[i].Name == "cart" {
			spec.Services[i].Strategy = s
		}
	}
	spec.Analysis = &release.Analysis{Interval: release.Duration(10 * time.Second), Templates: []release.AnalysisTemplate{{
		Name: "khi", ExtendBakeLimit: 2,
		Metrics: []release.AnalysisMetric{{Name: "errors", Query: "error_rate", Direction: "increase"}},
	}}}
	return spec
}
