package deploy

import (
	"context"
	"maps"
	"strconv"
)

// Traffic operation names, the STEP variable of Script's commands and the kind of HTTP operations.
const (
	OpScale   = "scale"
	OpWeight  = "weight"
	OpSwitch  = "switch"
	OpObserve = "observe"
)

var _ Traffic = (*Script)(nil)

// Scale runs the target's scale command with TRACK, VERSION, REPLICAS and, for a rolling batch,
// BATCH, BATCH_FROM and BATCH_TO (BATCH_TO exclusive).
func (s *Script) Scale(ctx context.Context, op ScaleOp, progress func()) (Result, error) {
	env := map[string]string{"TRACK": op.Track, "REPLICAS": strconv.Itoa(op.Replicas)}
	if op.Version != "" {
		env["VERSION"] = op.Version
	}
	if op.To > op.From {
		env["BATCH"] = strconv.Itoa(op.Batch)
		env["BATCH_FROM"] = strconv.Itoa(op.From)
		env["BATCH_TO"] = strconv.Itoa(op.To)
	}
	return s.runOp(ctx, op.Target, OpScale, env, progress)
}

// SetWeight runs the target's weight command with WEIGHT (0–100).
func (s *Script) SetWeight(ctx context.Context, op WeightOp, progress func()) (Result, error) {
	return s.runOp(ctx, op.Target, OpWeight, map[string]string{"WEIGHT": strconv.Itoa(op.Weight)}, progress)
}

// SwitchColour runs the target's switch command with COLOUR.
func (s *Script) SwitchColour(ctx context.Context, op ColourOp, progress func()) (Result, error) {
	return s.runOp(ctx, op.Target, OpSwitch, map[string]string{"COLOUR": op.Colour}, progress)
}

// Observe runs the target's observe command and parses its key=value lines.
func (s *Script) Observe(ctx context.Context, t Target) (TargetState, error) {
	res, err := s.runOp(ctx, t, OpObserve, nil, nil)
	if err != nil {
		return TargetState{}, err
	}
	return parseState(res.Output)
}

// runOp runs one traffic command; a missing command is refused rather than run as `sh -c ""`,
// which would succeed without doing anything.
func (s *Script) runOp(ctx context.Context, t Target, name string, extra map[string]string, progress func()) (Result, error) {
	if t.Command == "" {
		return Result{}, &PermanentError{Op: name + " " + t.Environment + "/" + t.Service, Message: "no " + name + " command configured"}
	}
	return s.Run(ctx, scriptStep(t, name, extra), progress)
}

// scriptStep builds the runbook step of a traffic operation: the target's variables, then the
// operation's, which win.
func scriptStep(t Target, name string, extra map[string]string) Step {
	env := maps.Clone(t.Env)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, extra)
	env["STEP"] = name
	env["IDEMPOTENCY_KEY"] = t.Key
	if t.Service != "" {
		env["SERVICE"] = t.Service
	}
	if t.Environment != "" {
		env["ENVIRONMENT"] = t.Environment
	}
	return Step{Key: t.Key, Name: name, Command: t.Command, Env: env, Timeout: t.Timeout}
}
