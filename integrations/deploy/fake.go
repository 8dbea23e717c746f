package deploy

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/rollout"
)

// Fake is an in-memory deployer: it records every step it runs, keeps the version each target
// runs, and fails steps on demand. Tests and benchmarks use it in place of Script.
type Fake struct {
	mu      sync.Mutex
	calls   []Step
	running map[string][]string // "environment/service" → versions deployed, newest last
	faults  []fault
	// Traffic operations (fake_traffic.go): per-target state, applied idempotency keys, faults.
	targets       map[string]rollout.State
	appliedKeys   map[string]bool
	trafficFaults []trafficFault
	trafficCalls  []TrafficCall
	// Delay makes every step take this long (0: return at once).
	Delay time.Duration
}

type fault struct {
	match     func(Step) bool
	err       error
	remaining int // < 0: always
}

// NewFake returns an empty fake deployer.
func NewFake() *Fake { return &Fake{running: map[string][]string{}} }

// Fail makes the next n steps that match fail with err (n < 0: every matching step).
func (f *Fake) Fail(n int, err error, match func(Step) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault{match: match, err: err, remaining: n})
}

// Run records the step and applies its effect: deploy puts VERSION on the target (idempotent
// when it already runs there), rollback returns the target to the version before it.
func (f *Fake) Run(ctx context.Context, step Step, progress func()) (Result, error) {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, step)
	for i := range f.faults {
		ft := &f.faults[i]
		if ft.remaining != 0 && ft.match(step) {
			if ft.remaining > 0 {
				ft.remaining--
			}
			return Result{ExitCode: 1, Output: ft.err.Error()}, &StepError{Step: step.Name, ExitCode: 1, Output: ft.err.Error()}
		}
	}
	target := step.Env["ENVIRONMENT"] + "/" + step.Env["SERVICE"]
	switch step.Name {
	case "deploy":
		if v := f.running[target]; len(v) == 0 || v[len(v)-1] != step.Env["VERSION"] {
			f.running[target] = append(v, step.Env["VERSION"])
		}
	case "rollback":
		if v := f.running[target]; len(v) > 0 && v[len(v)-1] == step.Env["VERSION"] {
			f.running[target] = v[:len(v)-1]
		}
	}
	return Result{Output: fmt.Sprintf("%s %s ok", step.Name, target)}, nil
}

// Calls returns the steps run so far, in order.
func (f *Fake) Calls() []Step {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Step(nil), f.calls...)
}

// CallKeys returns "step environment/service" for every call, in order.
func (f *Fake) CallKeys() []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, c.Name+" "+c.Env["ENVIRONMENT"]+"/"+c.Env["SERVICE"])
	}
	return out
}

// Version returns the version a target runs, or "" when nothing runs there.
func (f *Fake) Version(environment, service string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.running[environment+"/"+service]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// SetVersion installs a version on a target as if a previous release had deployed it.
func (f *Fake) SetVersion(environment, service, version string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[environment+"/"+service] = []string{version}
}

// MatchService matches the steps of one service, optionally of one step name and environment.
func MatchService(service, step, environment string) func(Step) bool {
	return func(s Step) bool {
		return s.Env["SERVICE"] == service &&
			(step == "" || strings.EqualFold(s.Name, step)) &&
			(environment == "" || s.Env["ENVIRONMENT"] == environment)
	}
}
