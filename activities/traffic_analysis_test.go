package activities

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
	"github.com/tollgate-dev/tollgate/store"
)

func newTrafficEnv(t *testing.T) (*testsuite.TestActivityEnvironment, *Activities, *deploy.Fake, *prometheus.Fake) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	fd, fm := deploy.NewFake(), prometheus.NewFake()
	a := &Activities{Store: st, Traffic: fd, Metrics: fm}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	return env, a, fd, fm
}

func TestSetTrafficRunsEachStepOnce(t *testing.T) {
	env, a, fd, _ := newTrafficEnv(t)
	svc := release.Service{Name: "ledger", Version: "2.0.0", Strategy: &release.Strategy{
		Canary: &release.Canary{Replicas: 2, Steps: []release.CanaryStep{{Weight: 20}}}}}
	envr := release.Environment{Name: "prod", Region: "eu"}
	prev := rollout.Snapshot{Version: "1.0.0", Replicas: 2}
	fd.SetTargetState("prod", "ledger", rollout.Initial(prev, false))
	plan, err := rollout.Plan(svc.Strategy, prev, "2.0.0")
	require.NoError(t, err)
	// A crash after the deployer applied the weight: the retry must not apply it a second time.
	fd.CrashAfterApply(1, errors.New("worker died"), func(c deploy.TrafficCall) bool { return c.Op == deploy.OpWeight })
	for _, step := range plan[:2] {
		in := SetTrafficInput{ReleaseID: "r1", Service: svc, Environment: envr, Step: step}
		_, err := env.ExecuteActivity(a.SetTraffic, in)
		if step.Kind == rollout.SetWeight {
			require.Error(t, err)
			_, err = env.ExecuteActivity(a.SetTraffic, in)
		}
		require.NoError(t, err)
	}
	val, err := env.ExecuteActivity(a.SetTraffic, SetTrafficInput{ReleaseID: "r1", Service: svc, Environment: envr, Step: plan[1]})
	require.NoError(t, err)
	var res SetTrafficResult
	require.NoError(t, val.Get(&res))
	require.True(t, res.Replayed)
	st := fd.TargetState("prod", "ledger")
	require.Equal(t, 20, st.Weight)
	require.Equal(t, []string{"2.0.0"}, st.Tracks["canary"])

	val, err = env.ExecuteActivity(a.ObserveTarget, ObserveTargetInput{ReleaseID: "r1", Service: svc, Environment: envr})
	require.NoError(t, err)
	var snap rollout.Snapshot
	require.NoError(t, val.Get(&snap))
	require.Equal(t, rollout.Snapshot{Version: "1.0.0", Replicas: 2, Weight: 20}, snap)

	fd.FailTraffic(1, &deploy.PermanentError{Op: "weight", Status: 409, Message: "conflict"}, func(deploy.TrafficCall) bool { return true })
	_, err = env.ExecuteActivity(a.SetTraffic, SetTrafficInput{ReleaseID: "r1", Service: svc, Environment: envr,
		Step: rollout.Step{Kind: rollout.SetWeight, Name: "other", Weight: 5}})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, ErrTrafficRefused, appErr.Type())
	require.True(t, appErr.NonRetryable())
}

func series(rng *rand.Rand, n int, mean float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = mean * (1 + 0.1*rng.NormFloat64())
	}
	return out
}

func TestRunAnalysisVerdicts(t *testing.T) {
	tpl := release.AnalysisTemplate{Name: "khi", MinSamples: 20, ExtendBakeLimit: 2, Metrics: []release.AnalysisMetric{
		{Name: "p99", Query: "latency_p99", Direction: "increase", Critical: true}}}
	gateTpl := release.AnalysisTemplate{Name: "gates", Metrics: []release.AnalysisMetric{
		{Name: "errors", Query: "error_rate", Threshold: &release.Threshold{Success: "< 0.05"}}}}
	render := func(q, version string) string {
		s, err := prometheus.Render(q, nil, prometheus.Params{Service: "ledger", Version: version, Environment: "prod"})
		require.NoError(t, err)
		return s
	}
	cases := []struct {
		name       string
		tpl        release.AnalysisTemplate
		extensions int
		step       time.Duration // default 1ms: about 30 points a side over the 30ms bake
		setup      func(f *prometheus.Fake, rng *rand.Rand)
		want       string
	}{
		{"healthy canary passes", tpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("latency_p99", "2.0.0"), series(rng, 500, 0.1))
			f.Set(render("latency_p99", "1.0.0"), series(rng, 500, 0.1))
		}, VerdictPass},
		{"slow canary fails", tpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("latency_p99", "2.0.0"), series(rng, 500, 0.15))
			f.Set(render("latency_p99", "1.0.0"), series(rng, 500, 0.1))
		}, VerdictFail},
		{"no data is never a pass", tpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {}, VerdictFail},
		// Low traffic: a coarse step leaves about 6 points a side, under minSamples 20.
		{"few samples extend the bake", tpl, 0, 6 * time.Millisecond, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("latency_p99", "2.0.0"), series(rng, 10, 0.1))
			f.Set(render("latency_p99", "1.0.0"), series(rng, 10, 0.1))
		}, VerdictExtendBake},
		{"few samples past the limit fail", tpl, 2, 6 * time.Millisecond, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("latency_p99", "2.0.0"), series(rng, 10, 0.1))
			f.Set(render("latency_p99", "1.0.0"), series(rng, 10, 0.1))
		}, VerdictFail},
		{"prometheus down is inconclusive", tpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Fail(-1, "", &prometheus.Error{Class: prometheus.Retryable, Err: errors.New("connection refused")})
		}, VerdictInconclusive},
		{"threshold gate passes", gateTpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("error_rate", "2.0.0"), []float64{0.01})
		}, VerdictPass},
		{"threshold gate fails", gateTpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {
			f.Set(render("error_rate", "2.0.0"), []float64{0.2})
		}, VerdictFail},
		{"threshold gate without data is inconclusive", gateTpl, 0, 0, func(f *prometheus.Fake, rng *rand.Rand) {}, VerdictInconclusive},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, a, _, fm := newTrafficEnv(t)
			tc.setup(fm, rand.New(rand.NewPCG(1, 2)))
			in := RunAnalysisInput{ReleaseID: "r1", Service: "ledger", Environment: "prod", CanaryVersion: "2.0.0", BaselineVersion: "1.0.0",
				Template: tc.tpl, Bake: 5 * time.Second, Interval: 10 * time.Millisecond, Extensions: tc.extensions}
			// The bake is measured in wall time; keep it short but let the range cover the series.
			in.Bake, in.Step = 30*time.Millisecond, time.Millisecond
			if tc.step > 0 {
				in.Step = tc.step
			}
			val, err := env.ExecuteActivity(a.RunAnalysis, in)
			require.NoError(t, err)
			var res RunAnalysisResult
			require.NoError(t, val.Get(&res))
			require.Equal(t, tc.want, res.Verdict, "%s (%+v)", res.Reason, res.Metrics)
			require.NotEmpty(t, res.Metrics)
		})
	}
	t.Run("bad query is a non-retryable config error", func(t *testing.T) {
		env, a, _, _ := newTrafficEnv(t)
		bad := release.AnalysisTemplate{Metrics: []release.AnalysisMetric{{Name: "x", Query: "nope"}}}
		_, err := env.ExecuteActivity(a.RunAnalysis, RunAnalysisInput{Template: bad, Bake: time.Millisecond, Interval: time.Millisecond})
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		require.Equal(t, ErrAnalysisConfig, appErr.Type())
	})
}
