package rollout

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
)

func dur(d time.Duration) release.Duration { return release.Duration(d) }

// strategies is every strategy shape the tests run plans and rollbacks for.
func strategies() map[string]*release.Strategy {
	return map[string]*release.Strategy{
		"none":              nil,
		"rolling count":     {Rolling: &release.Rolling{Replicas: 5, BatchSize: "2", Bake: dur(time.Minute), Analysis: "khi"}},
		"rolling percent":   {Rolling: &release.Rolling{Replicas: 10, BatchSize: "50%", MaxUnavailable: "30%"}},
		"rolling one batch": {Rolling: &release.Rolling{Replicas: 3, BatchSize: "100%", Analysis: "khi"}},
		"canary": {Canary: &release.Canary{Replicas: 4, CanaryReplicas: 2, Steps: []release.CanaryStep{
			{Weight: 10, Bake: dur(5 * time.Minute), Analysis: "khi"}, {Weight: 50, Bake: dur(10 * time.Minute), Analysis: "khi"}, {Weight: 100}}}},
		"canary single step": {Canary: &release.Canary{Replicas: 1, Steps: []release.CanaryStep{{Weight: 20, Bake: dur(time.Minute)}}}},
		"blue-green": {BlueGreen: &release.BlueGreen{Replicas: 3, PreviewBake: dur(time.Minute), PreviewAnalysis: "khi",
			KeepOld: dur(30 * time.Minute), PostAnalysis: "khi"}},
		"blue-green bare": {BlueGreen: &release.BlueGreen{Replicas: 2}},
	}
}

func snapshotFor(s *release.Strategy, colour string) Snapshot {
	prev := Snapshot{Version: "1.0.0", Replicas: 1, Colour: colour}
	switch {
	case s == nil:
	case s.Rolling != nil:
		prev.Replicas = s.Rolling.Replicas
	case s.Canary != nil:
		prev.Replicas = s.Canary.Replicas
	case s.BlueGreen != nil:
		prev.Replicas = s.BlueGreen.Replicas
	}
	return prev
}

func kinds(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name)
	}
	return out
}

func TestPlanShapes(t *testing.T) {
	st := strategies()
	cases := []struct {
		name   string
		colour string
		want   []string
	}{
		{"none", "", []string{"deploy"}},
		{"rolling count", "", []string{
			"batch 1: instances 0-1", "batch 1: bake", "batch 1: analyse khi",
			"batch 2: instances 2-3", "batch 2: bake", "batch 2: analyse khi",
			"batch 3: instances 4-4", "batch 3: bake", "batch 3: analyse khi"}},
		// 50 % of 10 is 5, capped by maxUnavailable 30 % = 3.
		{"rolling percent", "", []string{"batch 1: instances 0-2", "batch 2: instances 3-5", "batch 3: instances 6-8", "batch 4: instances 9-9"}},
		{"canary", "", []string{"start canary",
			"step 1: weight 10%", "step 1: bake", "step 1: analyse khi",
			"step 2: weight 50%", "step 2: bake", "step 2: analyse khi",
			"step 3: weight 100%", "promote: stable", "promote: weight 0%", "retire canary"}},
		{"blue-green", "", []string{"start green", "preview: bake", "preview: analyse khi", "switch to green",
			"keep blue: bake", "keep blue: analyse khi", "retire blue"}},
		{"blue-green bare", "green", []string{"start blue", "switch to blue", "retire green"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := st[tc.name]
			steps, err := Plan(s, snapshotFor(s, tc.colour), "2.0.0")
			require.NoError(t, err)
			require.Equal(t, tc.want, kinds(steps))
			names := map[string]bool{}
			for _, step := range steps {
				require.False(t, names[step.Name], "step names are idempotency keys and must be unique: %q", step.Name)
				names[step.Name] = true
			}
		})
	}
}

func TestPlanDetails(t *testing.T) {
	s := strategies()["canary"]
	steps, err := Plan(s, snapshotFor(s, ""), "2.0.0")
	require.NoError(t, err)
	require.Equal(t, Step{Kind: Scale, Name: "start canary", Track: TrackCanary, Version: "2.0.0", Replicas: 2}, steps[0])
	require.Equal(t, Step{Kind: Analyse, Name: "step 1: analyse khi", Analysis: "khi", Bake: 5 * time.Minute}, steps[3])
	require.Equal(t, Step{Kind: DeployBatch, Name: "promote: stable", Track: TrackStable, Version: "2.0.0", Batch: 1, To: 4}, steps[8])

	_, err = Plan(&release.Strategy{}, Snapshot{}, "2.0.0")
	require.ErrorContains(t, err, "none of rolling")
	_, err = Plan(&release.Strategy{Rolling: &release.Rolling{Replicas: 3, BatchSize: "0"}}, Snapshot{}, "2.0.0")
	require.ErrorContains(t, err, "changes nothing")
	_, err = Plan(&release.Strategy{Rolling: &release.Rolling{Replicas: 3, BatchSize: "x"}}, Snapshot{}, "2.0.0")
	require.ErrorContains(t, err, "batchSize")
}

// The plan run to the end leaves every instance on the new version and all traffic on it.
func TestPlanReachesTheNewVersion(t *testing.T) {
	for name, s := range strategies() {
		t.Run(name, func(t *testing.T) {
			prev := snapshotFor(s, "")
			steps, err := Plan(s, prev, "2.0.0")
			require.NoError(t, err)
			end := Initial(prev, s != nil && s.BlueGreen != nil).ApplyAll(steps)
			require.Zero(t, end.Weight)
			for track, inst := range end.Tracks {
				require.Equal(t, slices.Repeat([]string{"2.0.0"}, prev.Replicas), inst, "track %s", track)
			}
			require.Len(t, end.Tracks, 1, "only the serving track remains: %v", end.Tracks)
			if s != nil && s.BlueGreen != nil {
				require.Equal(t, Green, end.Colour)
				require.Contains(t, end.Tracks, Green)
			}
		})
	}
}

// partial returns the state after step took only part of its effect, as a crash mid-step can.
func partial(st State, step Step) State {
	switch step.Kind {
	case DeployBatch:
		step.To = step.From + (step.To-step.From+1)/2
		return st.Apply(step)
	case Scale:
		out := st.Clone()
		if step.Replicas > 0 {
			out.Tracks[step.Track] = slices.Repeat([]string{step.Version}, (step.Replicas+1)/2)
		} else if n := len(out.Tracks[step.Track]); n > 1 {
			out.Tracks[step.Track] = out.Tracks[step.Track][:n/2]
		}
		return out
	}
	return st // weight and colour switches are atomic: either done or not
}

// TestRollbackFromEveryStep fails every strategy at every step — before the step took effect,
// halfway through it, and after it — and checks that the rollback restores exactly the previous
// state, and that a second rollback changes nothing.
func TestRollbackFromEveryStep(t *testing.T) {
	for name, s := range strategies() {
		for _, colour := range []string{"", Green} {
			prev := snapshotFor(s, colour)
			prev.Weight = 0
			steps, err := Plan(s, prev, "2.0.0")
			require.NoError(t, err)
			bg := s != nil && s.BlueGreen != nil
			initial := Initial(prev, bg)
			for k := 0; k <= len(steps); k++ {
				for _, mode := range []string{"not applied", "half applied", "applied"} {
					if k == len(steps) && mode != "applied" {
						continue
					}
					t.Run(fmt.Sprintf("%s/colour=%q/step %d/%s", name, colour, k, mode), func(t *testing.T) {
						st := initial.ApplyAll(steps[:k])
						started := k
						if k < len(steps) {
							started = k + 1
							switch mode {
							case "half applied":
								st = partial(st, steps[k])
							case "applied":
								st = st.Apply(steps[k])
							}
						}
						rb, err := RollbackPlan(Progress{Steps: steps, Started: started, Previous: prev})
						require.NoError(t, err)
						after := st.ApplyAll(rb)
						require.True(t, initial.Equal(after), "rollback after %q (%s):\nwant %+v\ngot  %+v\nplan %v",
							stepName(steps, k), mode, initial, after, kinds(rb))
						require.True(t, after.Equal(after.ApplyAll(rb)), "a second rollback changed the state")
					})
				}
			}
		}
	}
}

func stepName(steps []Step, k int) string {
	if k < len(steps) {
		return steps[k].Name
	}
	return "(completed)"
}

func TestRollbackOrderKeepsUsersOnWorkingInstances(t *testing.T) {
	s := strategies()["blue-green"]
	prev := snapshotFor(s, "")
	steps, err := Plan(s, prev, "2.0.0")
	require.NoError(t, err)
	rb, err := RollbackPlan(Progress{Steps: steps, Started: len(steps), Previous: prev})
	require.NoError(t, err)
	// The old colour comes back before traffic switches to it, and the new one goes last.
	require.Equal(t, []string{"rollback: restore blue", "rollback: switch to blue", "rollback: retire green"}, kinds(rb))

	c := strategies()["canary"]
	prev = snapshotFor(c, "")
	steps, err = Plan(c, prev, "2.0.0")
	require.NoError(t, err)
	rb, err = RollbackPlan(Progress{Steps: steps, Started: 3, Previous: prev})
	require.NoError(t, err)
	require.Equal(t, []string{"rollback: weight 0%", "rollback: retire canary"}, kinds(rb))

	rb, err = RollbackPlan(Progress{Steps: steps, Started: 0, Previous: prev})
	require.NoError(t, err)
	require.Empty(t, rb, "nothing started, nothing to undo")
	_, err = RollbackPlan(Progress{Steps: steps, Started: len(steps) + 1})
	require.Error(t, err)
}

func BenchmarkPlanAndRollback(b *testing.B) {
	s := &release.Strategy{Rolling: &release.Rolling{Replicas: 200, BatchSize: "1", Bake: dur(time.Minute), Analysis: "khi"}}
	prev := Snapshot{Version: "1.0.0", Replicas: 200}
	for b.Loop() {
		steps, _ := Plan(s, prev, "2.0.0")
		_, _ = RollbackPlan(Progress{Steps: steps, Started: len(steps) / 2, Previous: prev})
	}
}
