package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// cartStepStarts runs a healthy canary once and returns when each of its staging steps began.
func cartStepStarts(t *testing.T, s *release.Strategy) ([]rollout.Step, []time.Time) {
	probe := runStrategy(t, s, nil)
	require.Equal(t, OutcomeCompleted, probe.res.Outcome)
	_, steps := planOf(t, s)
	return steps, stepStarts(t, probe, steps)
}

func stepIndex(t *testing.T, steps []rollout.Step, name string) int {
	i := slices.IndexFunc(steps, func(s rollout.Step) bool { return s.Name == name })
	require.GreaterOrEqual(t, i, 0, "no step %q", name)
	return i
}

func TestPauseDuringBakeHoldsTheNextStepUntilResume(t *testing.T) {
	s := strategySpecs()["canary"]
	steps, starts := cartStepStarts(t, s)
	bake := stepIndex(t, steps, "step 2: bake")
	pauseAt := starts[bake].Add(time.Minute)
	resumeAt := pauseAt.Add(time.Hour)
	var during Status
	r := runStrategy(t, s, func(sh *strategyHarness) {
		sh.at(pauseAt.Sub(rolloutT0), UpdatePause, Request{Actor: "oncall", Reason: "graph looks odd"})
		sh.env.RegisterDelayedCallback(func() { during = sh.status() }, resumeAt.Sub(rolloutT0)-time.Minute)
		sh.at(resumeAt.Sub(rolloutT0), UpdateResume, Request{Actor: "oncall"})
	})
	require.Equal(t, OutcomeCompleted, r.res.Outcome, r.res.Reason)
	assert.True(t, during.Paused)
	var next *op
	for _, o := range r.sh.opsOf("staging/cart") {
		// An op completes a minute after it starts: none may start inside the pause.
		began := o.At.Add(-time.Minute)
		assert.False(t, began.After(pauseAt) && began.Before(resumeAt), "%q began at %s, inside the pause", o.Step, began)
		if o.Step == "step 3: weight 100%" {
			next = &o
		}
	}
	require.NotNil(t, next)
	assert.Equal(t, resumeAt.Add(time.Minute), next.At, "the step after the bake starts at resume")
}

func TestRollbackPreemptsAPendingPromotion(t *testing.T) {
	s := strategySpecs()["canary"]
	steps, starts := cartStepStarts(t, s)
	bake := stepIndex(t, steps, "step 2: bake")
	rollbackAt := starts[bake].Add(time.Minute)
	r := runStrategy(t, s, func(sh *strategyHarness) {
		sh.at(rollbackAt.Sub(rolloutT0), UpdateRollback, Request{Actor: "oncall", Reason: "latency alert"})
	})
	require.Equal(t, OutcomeRolledBack, r.res.Outcome)
	r.requireRestored(t)
	var undo []op
	for _, o := range r.sh.opsOf("staging/cart") {
		assert.NotContains(t, o.Step, "promote", "the promotion must not start after a rollback request")
		if len(o.Step) > 9 && o.Step[:9] == "rollback:" {
			undo = append(undo, o)
		}
	}
	require.NotEmpty(t, undo)
	assert.Less(t, undo[0].At, starts[bake].Add(5*time.Minute), "the rollback does not wait for the bake to end")
}

func TestMarginalAnalysisHoldsForAHumanThenResumePromotes(t *testing.T) {
	s := strategySpecs()["canary"]
	var held Status
	r := runStrategy(t, s, func(sh *strategyHarness) {
		first := true
		sh.analyse = func(in activities.RunAnalysisInput) (activities.RunAnalysisResult, error) {
			if in.Environment == "staging" && first {
				first = false
				return activities.RunAnalysisResult{Verdict: activities.VerdictMarginal, Score: 80, Reason: "latency: high"}, nil
			}
			return activities.RunAnalysisResult{Verdict: activities.VerdictPass, Score: 100}, nil
		}
		sh.env.RegisterDelayedCallback(func() { held = sh.status() }, 3*time.Hour)
		sh.at(3*time.Hour+time.Minute, UpdateResume, Request{Actor: "oncall", Reason: "latency within SLO"})
	})
	require.Equal(t, OutcomeCompleted, r.res.Outcome, r.res.Reason)
	assert.True(t, held.Paused, "a marginal verdict pauses the release")
	var heldEvent string
	for _, ev := range held.Timeline {
		if ev.Kind == "held" {
			heldEvent = ev.Message
		}
	}
	assert.Contains(t, heldEvent, "staging/cart")
	assert.Contains(t, heldEvent, "marginal, score 80: latency: high")
	var after []string
	for _, o := range r.sh.opsOf("staging/cart") {
		if o.At.After(rolloutT0.Add(3 * time.Hour)) {
			after = append(after, o.Step)
		}
	}
	require.NotEmpty(t, after, "nothing happened after the hold until the resume")
	assert.Equal(t, "step 2: weight 50%", after[0])
	cart := r.service("staging", "cart")
	assert.Equal(t, ServiceDeployed, cart.State)
	assert.Equal(t, activities.VerdictMarginal, cart.Rollout.Verdict)
}

func TestInconclusiveHoldThenRollbackRestores(t *testing.T) {
	s := strategySpecs()["blue-green"]
	r := runStrategy(t, s, func(sh *strategyHarness) {
		sh.analyse = func(in activities.RunAnalysisInput) (activities.RunAnalysisResult, error) {
			return activities.RunAnalysisResult{Verdict: activities.VerdictInconclusive, Reason: "errors: no data"}, nil
		}
		sh.at(3*time.Hour, UpdateRollback, Request{Actor: "oncall", Reason: "no metrics, not risking it"})
	})
	require.Equal(t, OutcomeRolledBack, r.res.Outcome)
	r.requireRestored(t)
	for _, o := range r.sh.opsOf("staging/cart") {
		assert.NotEqual(t, "switch to green", o.Step, "an inconclusive preview never switches traffic")
	}
}

func TestExtendBakeRepeatsUpToTheLimitThenFails(t *testing.T) {
	s := strategySpecs()["canary"]
	r := runStrategy(t, s, func(sh *strategyHarness) {
		sh.analyse = func(in activities.RunAnalysisInput) (activities.RunAnalysisResult, error) {
			return activities.RunAnalysisResult{Verdict: activities.VerdictExtendBake, Reason: "errors: 12 of 50 samples"}, nil
		}
	})
	require.Equal(t, OutcomeRolledBack, r.res.Outcome)
	assert.Contains(t, r.res.Reason, "still too few samples after 2 bake extensions")
	var exts []int
	for _, o := range r.sh.opsOf("staging/cart") {
		if o.Kind == rollout.Analyse {
			exts = append(exts, o.Extensions)
		}
	}
	assert.Equal(t, []int{0, 1, 2}, exts, "the template allows 2 extensions")
	r.requireRestored(t)
	cart := r.service("staging", "cart")
	assert.Equal(t, ServiceRolledBack, cart.State)
	assert.Equal(t, activities.VerdictFail, cart.Rollout.Verdict)
}
