package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/rollout"
)

func TestFakeTrafficFollowsRolloutSemantics(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	f.SetTargetState("prod", "ledger", rollout.Initial(rollout.Snapshot{Version: "1.0.0", Replicas: 3}, false))
	_, err := f.Scale(ctx, ScaleOp{Target: Target{Key: "a", Environment: "prod", Service: "ledger"}, Track: "canary", Version: "2.0.0", Replicas: 1}, nil)
	require.NoError(t, err)
	_, err = f.SetWeight(ctx, WeightOp{Target: Target{Key: "b", Environment: "prod", Service: "ledger"}, Weight: 20}, nil)
	require.NoError(t, err)
	_, err = f.Scale(ctx, ScaleOp{Target: Target{Key: "c", Environment: "prod", Service: "ledger"}, Track: "stable", Version: "2.0.0", Batch: 1, From: 1, To: 3}, nil)
	require.NoError(t, err)
	st := f.TargetState("prod", "ledger")
	require.Equal(t, []string{"1.0.0", "2.0.0", "2.0.0"}, st.Tracks["stable"])
	require.Equal(t, []string{"2.0.0"}, st.Tracks["canary"])
	require.Equal(t, 20, st.Weight)

	// A key already applied is not applied again, even if the state moved since.
	_, err = f.SetWeight(ctx, WeightOp{Target: Target{Key: "d", Environment: "prod", Service: "ledger"}, Weight: 50}, nil)
	require.NoError(t, err)
	_, err = f.SetWeight(ctx, WeightOp{Target: Target{Key: "b", Environment: "prod", Service: "ledger"}, Weight: 20}, nil)
	require.NoError(t, err)
	require.Equal(t, 50, f.TargetState("prod", "ledger").Weight)

	obs, err := f.Observe(ctx, Target{Environment: "prod", Service: "ledger"})
	require.NoError(t, err)
	require.Equal(t, TargetState{Version: "1.0.0", Replicas: 3, Weight: 50}, obs)
	require.Len(t, f.TrafficCalls(), 6)
	require.Equal(t, []string{"prod/ledger"}, f.Targets())

	_, err = f.SwitchColour(ctx, ColourOp{Target: Target{Key: "e", Environment: "prod", Service: "ledger"}, Colour: "green"}, nil)
	var perm *PermanentError
	require.ErrorAs(t, err, &perm, "switching to a colour without instances is refused")
	_, err = f.SetWeight(ctx, WeightOp{Target: Target{Key: "f", Environment: "prod", Service: "ledger"}, Weight: 101}, nil)
	require.ErrorAs(t, err, &perm)
}

func TestFakeTrafficFaults(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	onWeight := func(c TrafficCall) bool { return c.Op == OpWeight }
	f := NewFake()
	f.FailTraffic(1, boom, onWeight)
	op := WeightOp{Target: Target{Key: "w", Environment: "prod", Service: "ledger"}, Weight: 30}
	_, err := f.SetWeight(ctx, op, nil)
	require.ErrorIs(t, err, boom)
	require.Zero(t, f.TargetState("prod", "ledger").Weight, "a failure before the effect changes nothing")
	_, err = f.SetWeight(ctx, op, nil)
	require.NoError(t, err)
	require.Equal(t, 30, f.TargetState("prod", "ledger").Weight)

	f.CrashAfterApply(1, boom, onWeight)
	op2 := WeightOp{Target: Target{Key: "w2", Environment: "prod", Service: "ledger"}, Weight: 60}
	_, err = f.SetWeight(ctx, op2, nil)
	require.ErrorIs(t, err, boom)
	require.Equal(t, 60, f.TargetState("prod", "ledger").Weight, "a crash after apply leaves the effect")
	_, err = f.SetWeight(ctx, op2, nil)
	require.NoError(t, err, "the retry with the same key succeeds without a second effect")

	// The foundation's Run keeps working beside the traffic model.
	_, err = f.Run(ctx, Step{Name: "deploy", Env: map[string]string{"ENVIRONMENT": "prod", "SERVICE": "ledger", "VERSION": "2.0.0"}}, nil)
	require.NoError(t, err)
	require.Equal(t, "2.0.0", f.Version("prod", "ledger"))
}

func TestScriptTrafficCommandsReceiveVariables(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "env")
	s := &Script{Dir: dir, ProgressEvery: time.Millisecond}
	tg := Target{Key: "r/prod/ledger/step", Environment: "prod", Service: "ledger", Env: map[string]string{"RELEASE_ID": "r", "VERSION": "1.0.0"},
		Command: `printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$STEP" "$SERVICE" "$VERSION" "$TRACK" "$REPLICAS" "$BATCH" "$BATCH_FROM" "$BATCH_TO" "$IDEMPOTENCY_KEY" >> ` + out}
	ctx := context.Background()
	_, err := s.Scale(ctx, ScaleOp{Target: tg, Track: "stable", Version: "2.0.0", Batch: 2, From: 2, To: 4}, nil)
	require.NoError(t, err)
	_, err = s.Scale(ctx, ScaleOp{Target: tg, Track: "canary", Replicas: 0}, nil)
	require.NoError(t, err)
	wt := tg
	wt.Command = `echo "$STEP $WEIGHT" >> ` + out
	_, err = s.SetWeight(ctx, WeightOp{Target: wt, Weight: 25}, nil)
	require.NoError(t, err)
	wt.Command = `echo "$STEP $COLOUR" >> ` + out
	_, err = s.SwitchColour(ctx, ColourOp{Target: wt, Colour: "green"}, nil)
	require.NoError(t, err)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "scale|ledger|2.0.0|stable|0|2|2|4|r/prod/ledger/step\n"+
		"scale|ledger|1.0.0|canary|0||||r/prod/ledger/step\nweight 25\nswitch green\n", string(b))

	obs := tg
	obs.Command = "printf 'version=1.4.0\\nreplicas=3\\nweight=10\\ncolour=blue\\nnoise\\n'"
	st, err := s.Observe(ctx, obs)
	require.NoError(t, err)
	require.Equal(t, TargetState{Version: "1.4.0", Replicas: 3, Weight: 10, Colour: "blue"}, st)
	obs.Command = "echo weight=lots"
	_, err = s.Observe(ctx, obs)
	require.ErrorContains(t, err, "not a whole number")

	_, err = s.SetWeight(ctx, WeightOp{Target: Target{Key: "k", Service: "ledger"}, Weight: 5}, nil)
	var perm *PermanentError
	require.ErrorAs(t, err, &perm, "a missing command is refused, not run as a no-op")
	fail := tg
	fail.Command = "echo nope; exit 3"
	_, err = s.SetWeight(ctx, WeightOp{Target: fail, Weight: 5}, nil)
	var stepErr *StepError
	require.ErrorAs(t, err, &stepErr)
	require.Equal(t, 3, stepErr.ExitCode)
}
