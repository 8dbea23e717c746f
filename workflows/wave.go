package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// WaveMode says whether a wave child deploys or rolls back.
type WaveMode string

// Wave modes; they also prefix the child workflow IDs.
const (
	WaveDeploy   WaveMode = "wave"
	WaveRollback WaveMode = "rollback"
)

// Activity timing. Heartbeats let a crashed worker's step be retried within seconds instead of
// after the step's whole timeout.
const (
	stepHeartbeatTimeout = 10 * time.Second
	stepTimeoutSlack     = time.Minute
	deployAttempts       = 3
	rollbackAttempts     = 5
	smokeAttempts        = 3
)

// WaveInput is one wave of a release: its environments run in parallel, and inside each
// environment the services follow the dependency graph with bounded parallelism.
type WaveInput struct {
	ReleaseID    string                `json:"releaseId"`
	Index        int                   `json:"index"`
	Name         string                `json:"name"`
	Mode         WaveMode              `json:"mode"`
	Environments []release.Environment `json:"environments"`
	// Services are the release's services; in rollback mode only Targets are touched.
	Services []release.Service `json:"services"`
	// Targets lists, per environment, the services to roll back (rollback mode only).
	Targets     []Targets `json:"targets,omitempty"`
	MaxParallel int       `json:"maxParallel"`
	// Paused is the parent's pause state when the child starts.
	Paused bool `json:"paused"`
	// Analysis holds the release's analysis templates for strategies that judge metrics.
	Analysis *release.Analysis `json:"analysis,omitempty"`
}

// Targets are the services of one environment that a rollback must undo.
type Targets struct {
	Environment string   `json:"environment"`
	Services    []string `json:"services"`
	// Rollouts holds the recorded progress of the services with a strategy, so their rollback
	// restores exactly the previous version and traffic split.
	Rollouts []RolloutRecord `json:"rollouts,omitempty"`
}

// RolloutRecord is how far a service's strategy got: with the spec it rebuilds the plan
// (rollout.Plan is pure) and so the rollback plan.
type RolloutRecord struct {
	Service  string           `json:"service"`
	Previous rollout.Snapshot `json:"previous"`
	Started  int              `json:"started"`
}

// WaveResult is how a wave ended, with every service's final state.
type WaveResult struct {
	State        WaveState           `json:"state"`
	Reason       string              `json:"reason,omitempty"`
	Environments []EnvironmentStatus `json:"environments"`
}

// WaveControl is the parent's desired control state, sent whole on every change so that a
// repeated or reordered signal cannot leave the child in a state the parent is not in.
type WaveControl struct {
	Paused bool `json:"paused"`
	Abort  bool `json:"abort"`
}

var errStopped = errors.New("stopped before this step")

// WaveWorkflow deploys (or rolls back) the services of one wave.
func WaveWorkflow(ctx workflow.Context, in WaveInput) (WaveResult, error) {
	w := &wave{in: in, paused: in.Paused}
	if err := w.setup(ctx); err != nil {
		return WaveResult{}, err
	}
	return w.run(ctx), nil
}

type wave struct {
	in     WaveInput
	paused bool
	abort  bool
	failed string
	envs   []EnvironmentStatus
}

func (w *wave) setup(ctx workflow.Context) error {
	for _, env := range w.in.Environments {
		es := EnvironmentStatus{Name: env.Name}
		for _, name := range w.targets(env.Name) {
			svc, _ := serviceByName(w.in.Services, name)
			es.Services = append(es.Services, ServiceStatus{Name: name, Version: svc.Version, State: w.initialState()})
		}
		w.envs = append(w.envs, es)
	}
	// The reader runs before the service coroutines in every dispatch round, so a pause that
	// arrives with an activity completion is seen before the next step is scheduled.
	receiveControls(ctx, func(c WaveControl) {
		w.paused = c.Paused
		w.abort = w.abort || c.Abort
	})
	w.listenHeld(ctx)
	return workflow.SetQueryHandler(ctx, QueryStatus, func() (WaveResult, error) {
		return WaveResult{State: WaveRunning, Environments: w.envs}, nil
	})
}

// receiveControls applies every control signal the parent sends, in a coroutine of its own.
func receiveControls(ctx workflow.Context, apply func(WaveControl)) {
	ch := workflow.GetSignalChannel(ctx, SignalWaveControl)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var c WaveControl
			if !ch.Receive(ctx, &c) {
				return
			}
			apply(c)
		}
	})
}

func (w *wave) initialState() ServiceState {
	if w.in.Mode == WaveRollback {
		return ServiceDeployed
	}
	return ServicePending
}

// targets returns the services this wave handles in an environment, in declaration order.
func (w *wave) targets(env string) []string {
	if w.in.Mode == WaveDeploy {
		names := make([]string, 0, len(w.in.Services))
		for _, s := range w.in.Services {
			names = append(names, s.Name)
		}
		return names
	}
	for _, t := range w.in.Targets {
		if t.Environment == env {
			return t.Services
		}
	}
	return nil
}

func (w *wave) run(ctx workflow.Context) WaveResult {
	wg := workflow.NewWaitGroup(ctx)
	for i := range w.envs {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			w.runEnvironment(ctx, i)
		})
	}
	wg.Wait(ctx)

	res := WaveResult{Environments: w.envs, Reason: w.failed}
	switch {
	case w.in.Mode == WaveRollback && w.failed != "":
		res.State = WaveFailed
	case w.in.Mode == WaveRollback:
		res.State = WaveRolledBack
	case w.failed != "":
		res.State = WaveFailed
	case w.abort:
		res.State = WaveAborted
	default:
		res.State = WaveCompleted
	}
	return res
}

// runEnvironment walks one environment's services through the dependency graph: in deploy
// mode a service waits for its dependencies, in rollback mode for its dependents.
func (w *wave) runEnvironment(ctx workflow.Context, ei int) {
	env := w.in.Environments[ei]
	names := w.targets(env.Name)
	subset := make([]release.Service, 0, len(names))
	for _, n := range names {
		svc, _ := serviceByName(w.in.Services, n)
		subset = append(subset, svc)
	}
	var order []string
	var err error
	if w.in.Mode == WaveRollback {
		order, err = release.ReverseOrder(subset)
	} else {
		order, err = release.TopologicalOrder(subset)
	}
	if err != nil { // validated at intake; a cycle here means a corrupted input
		w.fail(err.Error())
		return
	}
	waitsFor := waitsFor(subset, w.in.Mode)

	done := map[string]bool{}
	broken := map[string]bool{}
	running := 0
	limit := max(w.in.MaxParallel, 1)
	wg := workflow.NewWaitGroup(ctx)
	for _, name := range order {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			ready := func() bool {
				for _, d := range waitsFor[name] {
					if !done[d] {
						return false
					}
				}
				return true
			}
			blocked := func() bool {
				for _, d := range waitsFor[name] {
					if broken[d] {
						return true
					}
				}
				return false
			}
			_ = workflow.Await(ctx, func() bool {
				return w.stopped() || blocked() || (ready() && running < limit && w.mayStart())
			})
			if w.stopped() || blocked() {
				if blocked() {
					broken[name] = true
					w.setError(ei, name, "held: a service it waits for did not finish")
				}
				return
			}
			running++
			var err error
			if w.in.Mode == WaveRollback {
				err = w.rollbackService(ctx, ei, name)
			} else {
				err = w.deployService(ctx, ei, name)
			}
			running--
			if err != nil {
				broken[name] = true
				return
			}
			done[name] = true
		})
	}
	wg.Wait(ctx)
}

// waitsFor maps each service to the services it must wait for in this mode.
func waitsFor(services []release.Service, mode WaveMode) map[string][]string {
	in := map[string]bool{}
	for _, s := range services {
		in[s.Name] = true
	}
	out := map[string][]string{}
	for _, s := range services {
		for _, d := range s.DependsOn {
			if !in[d] {
				continue
			}
			if mode == WaveRollback {
				out[d] = append(out[d], s.Name) // roll back dependents first
			} else {
				out[s.Name] = append(out[s.Name], d)
			}
		}
	}
	return out
}

// stopped is true when a deploy wave must start nothing new; rollbacks never stop.
func (w *wave) stopped() bool {
	return w.in.Mode == WaveDeploy && (w.abort || w.failed != "")
}

// mayStart is true when a new step may begin: pauses hold deploys, never rollbacks.
func (w *wave) mayStart() bool {
	return w.in.Mode == WaveRollback || !w.paused
}

// gate waits until the next step of a deploy may start, or reports that the wave stopped.
func (w *wave) gate(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return w.stopped() || w.mayStart() }); err != nil {
		return err
	}
	if w.stopped() {
		return errStopped
	}
	return nil
}

func (w *wave) deployService(ctx workflow.Context, ei int, name string) error {
	env := w.in.Environments[ei]
	svc, _ := serviceByName(w.in.Services, name)
	// Releases that started before strategies were interpreted keep deploying with the runbook.
	if svc.Strategy != nil && workflow.GetVersion(ctx, changeStrategyRollout, workflow.DefaultVersion, 1) == 1 {
		return w.rolloutService(ctx, ei, svc, env)
	}
	steps := []struct {
		state ServiceState
		run   func(workflow.Context) error
	}{
		{ServiceDeploying, func(ctx workflow.Context) error { return w.runStep(ctx, ei, svc, env, "deploy") }},
		{ServiceVerifying, func(ctx workflow.Context) error {
			if svc.Runbook.Verify == "" {
				return nil
			}
			return w.runStep(ctx, ei, svc, env, "verify")
		}},
		{ServiceSmokeTesting, func(ctx workflow.Context) error { return w.smoke(ctx, svc, env) }},
	}
	for i, step := range steps {
		if i > 0 {
			if err := w.gate(ctx); err != nil {
				w.setError(ei, name, "stopped before "+string(step.state)+": the wave was aborted")
				return err
			}
		}
		w.setState(ei, name, step.state)
		if err := step.run(ctx); err != nil {
			w.setState(ei, name, ServiceFailed)
			w.setError(ei, name, errorMessage(err))
			w.fail(name + " in " + env.Name + ": " + errorMessage(err))
			return err
		}
	}
	w.setState(ei, name, ServiceDeployed)
	return nil
}

func (w *wave) rollbackService(ctx workflow.Context, ei int, name string) error {
	env := w.in.Environments[ei]
	svc, _ := serviceByName(w.in.Services, name)
	w.setState(ei, name, ServiceRollingBack)
	run := func(ctx workflow.Context) error { return w.runStep(ctx, ei, svc, env, "rollback") }
	// A service deployed by its strategy is undone by the rollback plan of its recorded
	// progress; without a record it was deployed by its runbook.
	if rec, ok := w.rolloutRecord(env.Name, name); ok && svc.Strategy != nil {
		run = func(ctx workflow.Context) error { return w.rollbackRollout(ctx, ei, svc, env, rec) }
	}
	if err := run(ctx); err != nil {
		w.setState(ei, name, ServiceRollbackFailed)
		w.setError(ei, name, errorMessage(err))
		w.fail("rollback of " + name + " in " + env.Name + ": " + errorMessage(err))
		return err
	}
	w.setState(ei, name, ServiceRolledBack)
	return nil
}

func (w *wave) runStep(ctx workflow.Context, ei int, svc release.Service, env release.Environment, step string) error {
	attempts := int32(deployAttempts)
	if step == "rollback" {
		attempts = rollbackAttempts
	}
	ctx = stepOptions(ctx, svc, attempts, true, activities.ErrStepRefused)
	var a *activities.Activities
	var res activities.RunStepResult
	err := workflow.ExecuteActivity(ctx, a.RunStep, activities.RunStepInput{
		ReleaseID: w.in.ReleaseID, Step: step, Service: svc, Environment: env,
	}).Get(ctx, &res)
	if err == nil && res.Replayed {
		w.service(ei, svc.Name).Replayed++
	}
	return err
}

func (w *wave) smoke(ctx workflow.Context, svc release.Service, env release.Environment) error {
	return smokeChecks(ctx, w.in.ReleaseID, svc, env)
}

func (w *wave) fail(reason string) {
	if w.failed == "" {
		w.failed = reason
	}
}

func (w *wave) service(ei int, name string) *ServiceStatus {
	for i := range w.envs[ei].Services {
		if w.envs[ei].Services[i].Name == name {
			return &w.envs[ei].Services[i]
		}
	}
	panic("wave: unknown service " + name) // targets are built from the same list
}

func (w *wave) setState(ei int, name string, s ServiceState) { w.service(ei, name).State = s }

func (w *wave) setError(ei int, name, msg string) { w.service(ei, name).Error = msg }

func serviceByName(services []release.Service, name string) (release.Service, bool) {
	for _, s := range services {
		if s.Name == name {
			return s, true
		}
	}
	return release.Service{}, false
}

// errorMessage unwraps Temporal's activity error chain to the message a person needs.
func errorMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out (" + timeout.TimeoutType().String() + ")"
	}
	return err.Error()
}
