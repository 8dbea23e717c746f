package deploy

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tollgate-dev/tollgate/rollout"
)

var _ Traffic = (*Fake)(nil)

// TrafficCall is one traffic operation the fake received.
type TrafficCall struct {
	Op          string // OpScale, OpWeight, OpSwitch or OpObserve
	Key         string
	Environment string
	Service     string
	Step        rollout.Step
}

// trafficFault is an injected failure of traffic operations.
type trafficFault struct {
	match     func(TrafficCall) bool
	err       error
	remaining int  // < 0: always
	after     bool // apply the operation, then fail: a crash after the effect
}

// FailTraffic makes the next n matching traffic operations fail with err before taking effect
// (n < 0: every one).
func (f *Fake) FailTraffic(n int, err error, match func(TrafficCall) bool) {
	f.addTrafficFault(trafficFault{match: match, err: err, remaining: n})
}

// CrashAfterApply makes the next n matching operations take effect and then fail with err, as
// a worker dying between the change and its report does.
func (f *Fake) CrashAfterApply(n int, err error, match func(TrafficCall) bool) {
	f.addTrafficFault(trafficFault{match: match, err: err, remaining: n, after: true})
}

func (f *Fake) addTrafficFault(ft trafficFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trafficFaults = append(f.trafficFaults, ft)
}

// Scale sets a track's instances; see Traffic.
func (f *Fake) Scale(ctx context.Context, op ScaleOp, _ func()) (Result, error) {
	kind := rollout.Scale
	if op.To > op.From {
		kind = rollout.DeployBatch
	}
	return f.apply(ctx, OpScale, op.Target, rollout.Step{Kind: kind, Track: op.Track, Version: op.Version,
		Replicas: op.Replicas, Batch: op.Batch, From: op.From, To: op.To})
}

// SetWeight sets the canary weight; see Traffic.
func (f *Fake) SetWeight(ctx context.Context, op WeightOp, _ func()) (Result, error) {
	if op.Weight < 0 || op.Weight > 100 {
		return Result{}, &PermanentError{Op: "weight " + op.Environment + "/" + op.Service, Status: 422,
			Message: fmt.Sprintf("weight %d is not a percentage", op.Weight)}
	}
	return f.apply(ctx, OpWeight, op.Target, rollout.Step{Kind: rollout.SetWeight, Weight: op.Weight})
}

// SwitchColour sets the active colour; see Traffic.
func (f *Fake) SwitchColour(ctx context.Context, op ColourOp, _ func()) (Result, error) {
	st := f.TargetState(op.Environment, op.Service)
	if len(st.Tracks[op.Colour]) == 0 {
		// A real router refuses to send traffic to a colour with no instances.
		return Result{}, &PermanentError{Op: "switch " + op.Environment + "/" + op.Service, Status: 409,
			Message: fmt.Sprintf("colour %q has no instances", op.Colour)}
	}
	return f.apply(ctx, OpSwitch, op.Target, rollout.Step{Kind: rollout.SwitchColour, Colour: op.Colour})
}

// Observe reports the version of the serving track (the active colour, else stable), its
// instance count, the weight and the colour.
func (f *Fake) Observe(ctx context.Context, t Target) (TargetState, error) {
	if _, err := f.apply(ctx, OpObserve, t, rollout.Step{}); err != nil {
		return TargetState{}, err
	}
	st := f.TargetState(t.Environment, t.Service)
	track := rollout.TrackStable
	if st.Colour != "" {
		track = st.Colour
	}
	out := TargetState{Weight: st.Weight, Colour: st.Colour, Replicas: len(st.Tracks[track])}
	if inst := st.Tracks[track]; len(inst) > 0 {
		out.Version = inst[0]
	}
	return out, nil
}

// apply records the call, injects faults, and applies the step once per idempotency key.
func (f *Fake) apply(ctx context.Context, op string, t Target, step rollout.Step) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	call := TrafficCall{Op: op, Key: t.Key, Environment: t.Environment, Service: t.Service, Step: step}
	f.trafficCalls = append(f.trafficCalls, call)
	var after error
	for i := range f.trafficFaults {
		ft := &f.trafficFaults[i]
		if ft.remaining == 0 || !ft.match(call) {
			continue
		}
		if ft.remaining > 0 {
			ft.remaining--
		}
		if !ft.after {
			return Result{}, ft.err
		}
		after = ft.err
		break
	}
	id := t.Environment + "/" + t.Service
	if op != OpObserve && (t.Key == "" || !f.appliedKeys[t.Key]) {
		f.targetLocked(id)
		f.targets[id] = f.targets[id].Apply(step)
		if t.Key != "" {
			f.appliedKeys[t.Key] = true
		}
	}
	if after != nil {
		return Result{}, after
	}
	return Result{Output: fmt.Sprintf("%s %s ok", op, id)}, nil
}

func (f *Fake) targetLocked(id string) {
	if f.targets == nil {
		f.targets = map[string]rollout.State{}
		f.appliedKeys = map[string]bool{}
	}
	if _, ok := f.targets[id]; !ok {
		f.targets[id] = rollout.State{Tracks: map[string][]string{}}
	}
}

// SetTargetState installs a target's state as a previous release left it.
func (f *Fake) SetTargetState(environment, service string, st rollout.State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := environment + "/" + service
	f.targetLocked(id)
	f.targets[id] = st.Clone()
}

// TargetState returns a copy of a target's state (empty when never touched).
func (f *Fake) TargetState(environment, service string) rollout.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.targets[environment+"/"+service]
	if !ok {
		return rollout.State{Tracks: map[string][]string{}}
	}
	return st.Clone()
}

// TrafficCalls returns the traffic operations received so far, in order.
func (f *Fake) TrafficCalls() []TrafficCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TrafficCall(nil), f.trafficCalls...) // Step holds no references
}

// Targets lists the targets the fake knows, "environment/service".
func (f *Fake) Targets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.targets))
}
