package workflows

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

var rolloutT0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// strategyRun is one release with cart on a strategy, run to its end.
type strategyRun struct {
	sh      *strategyHarness
	spec    release.Spec
	res     ReleaseResult
	st      Status
	initial map[string]rollout.State
}

func runStrategy(t *testing.T, s *release.Strategy, inject func(*strategyHarness)) strategyRun {
	sh := newStrategyHarness(newHarness(t))
	sh.trafficTime, sh.analysisTime = time.Minute, time.Minute
	sh.env.SetStartTime(rolloutT0)
	spec := strategySpec(s)
	initial := sh.seed(spec)
	sh.approveBoth()
	if inject != nil {
		inject(sh)
	}
	res := sh.run(spec)
	return strategyRun{sh: sh, spec: spec, res: res, st: sh.status(), initial: initial}
}

// planOf is cart's plan from its seeded previous state.
func planOf(t *testing.T, s *release.Strategy) (rollout.Snapshot, []rollout.Step) {
	prev := rollout.Snapshot{Version: "1.0.0", Replicas: replicasOf(s)}
	if s.BlueGreen != nil {
		prev.Colour = rollout.Blue // what the fake observes of a blue-green target
	}
	steps, err := rollout.Plan(s, prev, "2.0.0")
	require.NoError(t, err)
	return prev, steps
}

// service returns a service's status in an environment of the release.
func (r strategyRun) service(env, name string) ServiceStatus {
	for _, w := range r.st.Waves {
		for _, e := range w.Environments {
			if e.Name != env {
				continue
			}
			for _, s := range e.Services {
				if s.Name == name {
					return s
				}
			}
		}
	}
	return ServiceStatus{}
}

// requireRestored checks that every strategy target is exactly as before the release, and the
// runbook services were rolled back wherever they were deployed.
func (r strategyRun) requireRestored(t *testing.T) {
	t.Helper()
	for target, want := range r.initial {
		env, svc, _ := cut(target)
		got := r.sh.fake.TargetState(env, svc)
		require.True(t, want.Equal(got), "%s: want %+v, got %+v", target, want, got)
	}
	assert.ElementsMatch(t, r.sh.Calls("deploy"), r.sh.Calls("rollback"), "every runbook deploy is rolled back")
	assert.NotContains(t, r.sh.Calls("rollback"), "staging/cart", "cart is undone by its traffic rollback plan, not the runbook")
}

func cut(target string) (string, string, bool) {
	for i := range target {
		if target[i] == '/' {
			return target[:i], target[i+1:], true
		}
	}
	return target, "", false
}

func TestStrategiesPromoteToTheNewVersion(t *testing.T) {
	for name, s := range strategySpecs() {
		t.Run(name, func(t *testing.T) {
			r := runStrategy(t, s, nil)
			require.Equal(t, OutcomeCompleted, r.res.Outcome, r.res.Reason)
			prev, steps := planOf(t, s)
			want := rollout.Initial(prev, s.BlueGreen != nil).ApplyAll(steps)
			for _, env := range []string{"staging", "prod-eu", "prod-us"} {
				got := r.sh.fake.TargetState(env, "cart")
				require.True(t, want.Equal(got), "%s/cart: want %+v, got %+v", env, want, got)
				cart := r.service(env, "cart")
				assert.Equal(t, ServiceDeployed, cart.State)
				require.NotNil(t, cart.Rollout)
				assert.Equal(t, len(steps), cart.Rollout.Started)
				assert.Equal(t, prev, cart.Rollout.Previous)
			}
			assert.NotContains(t, r.sh.Calls("deploy"), "staging/cart", "a strategy service does not run its runbook deploy")
			assert.Len(t, r.sh.Calls("deploy"), 6, "the other services deploy as before")
			assert.Contains(t, r.sh.Calls("smoke"), "staging/cart", "smoke checks follow the strategy")
		})
	}
}

// stepStarts maps every step of staging/cart to the workflow time it began, from a healthy run:
// traffic steps and analyses take a minute each; a bake on its own begins when the step before
// it ends, and a bake an analysis measures begins with that analysis.
func stepStarts(t *testing.T, r strategyRun, steps []rollout.Step) []time.Time {
	ops := r.sh.opsOf("staging/cart")
	starts := make([]time.Time, len(steps))
	var last time.Time
	j := 0
	for k, step := range steps {
		require.Less(t, j, len(ops), "no op recorded for %q", step.Name)
		switch {
		case absorbed(steps, k):
			starts[k] = ops[j].At.Add(-time.Minute)
		case step.Kind == rollout.Bake:
			starts[k] = last
		default:
			starts[k] = ops[j].At.Add(-time.Minute)
			last = ops[j].At
			j++
		}
	}
	return starts
}

// TestFailureAtEveryStepRestoresEveryTarget fails cart at every step of every strategy — a
// rollback requested while the step runs, a traffic operation refused, a traffic operation that
// took effect and then failed, a failing analysis — and checks the final state of every target:
// exactly the previous version and traffic split, and a second rollback changes nothing.
func TestFailureAtEveryStepRestoresEveryTarget(t *testing.T) {
	for name, s := range strategySpecs() {
		probe := runStrategy(t, s, nil)
		require.Equal(t, OutcomeCompleted, probe.res.Outcome)
		_, steps := planOf(t, s)
		starts := stepStarts(t, probe, steps)
		analyses := 0
		for k, step := range steps {
			modes := []string{"rollback requested"}
			switch step.Kind {
			case rollout.Bake:
			case rollout.Analyse:
				modes = append(modes, "analysis fails")
			default:
				modes = append(modes, "refused", "crashed after applying")
			}
			nth := analyses
			if step.Kind == rollout.Analyse {
				analyses++
			}
			for _, mode := range modes {
				t.Run(fmt.Sprintf("%s/step %d %s/%s", name, k, step.Name, mode), func(t *testing.T) {
					r := runStrategy(t, s, func(sh *strategyHarness) {
						match := stepKey("staging", "cart", step.Name)
						switch mode {
						case "rollback requested":
							sh.at(starts[k].Add(30*time.Second).Sub(rolloutT0), UpdateRollback, Request{Actor: "oncall", Reason: "pager"})
						case "refused":
							sh.fake.FailTraffic(-1, &deploy.PermanentError{Op: "scale", Status: 409, Message: "conflict"}, match)
						case "crashed after applying":
							sh.fake.CrashAfterApply(-1, errors.New("connection reset"), match)
						case "analysis fails":
							calls := 0
							sh.analyse = func(in activities.RunAnalysisInput) (activities.RunAnalysisResult, error) {
								calls++
								if in.Environment == "staging" && in.Service == "cart" && calls-1 == nth {
									return activities.RunAnalysisResult{Verdict: activities.VerdictFail, Score: 20, Reason: "errors: high"}, nil
								}
								return activities.RunAnalysisResult{Verdict: activities.VerdictPass, Score: 100}, nil
							}
						}
					})
					require.Equal(t, OutcomeRolledBack, r.res.Outcome, r.res.Reason)
					r.requireRestored(t)
					cart := r.service("staging", "cart")
					assert.Equal(t, ServiceRolledBack, cart.State, cart.Error)
					require.NotNil(t, cart.Rollout)
					started := k + 1
					if absorbed(steps, k) {
						started++ // the analysis measuring this bake was running
					}
					assert.Equal(t, started, cart.Rollout.Started, "the failed or interrupted step counts as started")
					for _, o := range r.sh.opsOf("staging/cart") {
						if i := slices.IndexFunc(steps, func(s rollout.Step) bool { return s.Name == o.Step }); i >= 0 {
							assert.Less(t, i, started, "step %q ran after the failure at %q", o.Step, step.Name)
						}
					}
					for _, env := range []string{"prod-eu", "prod-us"} {
						assert.Empty(t, r.sh.opsOf(env+"/cart"), "production is never touched")
					}
					requireSecondRollbackChangesNothing(t, r, s, cart.Rollout)
				})
			}
		}
	}
}

// requireSecondRollbackChangesNothing runs the rollback wave again, on a fresh ledger, over the
// state the first rollback left: the plan's steps are absolute, so nothing changes.
func requireSecondRollbackChangesNothing(t *testing.T, r strategyRun, s *release.Strategy, ro *RolloutStatus) {
	t.Helper()
	sh := newStrategyHarness(newHarness(t))
	after := r.sh.fake.TargetState("staging", "cart")
	sh.fake.SetTargetState("staging", "cart", after)
	spec := strategySpec(s)
	env, _ := spec.EnvironmentByName("staging")
	sh.env.ExecuteWorkflow(WaveWorkflowName, WaveInput{
		ReleaseID: spec.Metadata.ID, Index: 0, Name: "pre-prod", Mode: WaveRollback, Services: spec.Services,
		Environments: []release.Environment{env}, MaxParallel: 4,
		Targets: []Targets{{Environment: "staging", Services: []string{"cart"},
			Rollouts: []RolloutRecord{{Service: "cart", Previous: ro.Previous, Started: ro.Started}}}},
	})
	require.NoError(t, sh.env.GetWorkflowError())
	var res WaveResult
	require.NoError(t, sh.env.GetWorkflowResult(&res))
	require.Equal(t, WaveRolledBack, res.State, res.Reason)
	got := sh.fake.TargetState("staging", "cart")
	require.True(t, after.Equal(got), "a second rollback changed %+v into %+v", after, got)
}
