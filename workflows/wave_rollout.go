package workflows

import (
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
)

// changeStrategyRollout versions the move from "a strategy service deploys with its runbook"
// to "it runs its strategy in a RolloutWorkflow child". Histories of services without a
// strategy never record it.
const changeStrategyRollout = "strategy-rollout"

// control is the state running rollouts must follow: paused with the wave, aborted when the
// wave stops (a rollback request or another service's failure cancels in-flight steps).
func (w *wave) control() WaveControl {
	return WaveControl{Paused: w.paused, Abort: w.stopped()}
}

// listenHeld receives holds from rollout children: the whole wave pauses (no new service or
// step starts) and the release is told, so that it shows as paused and `resume` continues.
func (w *wave) listenHeld(ctx workflow.Context) {
	ch := workflow.GetSignalChannel(ctx, SignalWaveHeld)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var h WaveHeld
			if !ch.Receive(ctx, &h) {
				return
			}
			w.paused = true
			h.Wave = w.in.Name
			parent := workflow.GetInfo(ctx).ParentWorkflowExecution
			if parent == nil {
				continue
			}
			if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalWaveHeld, h).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("release not told of the hold", "error", err)
			}
		}
	})
}

// rolloutService runs a service's strategy as a RolloutWorkflow child and records its result.
// The child undoes its own failures; an aborted child is undone by the release's rollback
// from the progress recorded here.
func (w *wave) rolloutService(ctx workflow.Context, ei int, svc release.Service, env release.Environment) error {
	w.setState(ei, svc.Name, ServiceDeploying)
	in := RolloutInput{ReleaseID: w.in.ReleaseID, Wave: w.in.Name, Service: svc, Environment: env,
		Analysis: w.in.Analysis, Paused: w.paused}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        RolloutWorkflowID(w.in.ReleaseID, w.in.Index, env.Name, svc.Name),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	})
	child := workflow.ExecuteChildWorkflow(cctx, RolloutWorkflowName, in)
	done := false
	w.forward(ctx, child, WaveControl{Paused: in.Paused}, func() bool { return done })
	var res RolloutResult
	err := child.Get(ctx, &res)
	done = true
	s := w.service(ei, svc.Name)
	if err != nil {
		s.State, s.Error = ServiceFailed, errorMessage(err)
		w.fail(svc.Name + " in " + env.Name + ": " + errorMessage(err))
		return err
	}
	s.State, s.Error, s.Replayed = res.State, res.Error, s.Replayed+res.Replayed
	ro := res.Rollout
	s.Rollout = &ro
	switch {
	case res.State == ServiceDeployed:
		return nil
	case res.State == ServiceDeploying || res.State == ServicePending:
		return errStopped // aborted part-way
	}
	w.fail(svc.Name + " in " + env.Name + ": " + res.Error)
	return errors.New(res.Error)
}

// forward keeps a running child on the wave's control state. It sends the whole state on every
// change, so coalesced or repeated changes cannot leave the child elsewhere than the wave.
func (w *wave) forward(ctx workflow.Context, child workflow.ChildWorkflowFuture, sent WaveControl, done func() bool) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return // it never started; its result says why
		}
		for {
			if err := workflow.Await(ctx, func() bool { return done() || w.control() != sent }); err != nil || done() {
				return
			}
			c := w.control()
			if err := child.SignalChildWorkflow(ctx, SignalWaveControl, c).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Info("rollout control not delivered", "error", err)
			}
			sent = c
		}
	})
}

// rolloutRecord finds the recorded progress of a service in a rollback's targets.
func (w *wave) rolloutRecord(env, service string) (RolloutRecord, bool) {
	for _, t := range w.in.Targets {
		if t.Environment != env {
			continue
		}
		for _, r := range t.Rollouts {
			if r.Service == service {
				return r, true
			}
		}
	}
	return RolloutRecord{}, false
}

// rollbackRollout runs the rollback plan of a strategy service's recorded progress: every
// touched track ends at exactly its previous version and the previous traffic split. The steps
// are absolute and keyed, so a second rollback changes nothing.
func (w *wave) rollbackRollout(ctx workflow.Context, ei int, svc release.Service, env release.Environment, rec RolloutRecord) error {
	if rec.Started == 0 {
		return nil // nothing was touched
	}
	steps, err := rollout.Plan(svc.Strategy, rec.Previous, svc.Version)
	if err != nil {
		return fmt.Errorf("rollback plan of %s in %s: %w", svc.Name, env.Name, err)
	}
	plan, err := rollout.RollbackPlan(rollout.Progress{Steps: steps, Started: rec.Started, Previous: rec.Previous})
	if err != nil {
		return fmt.Errorf("rollback plan of %s in %s: %w", svc.Name, env.Name, err)
	}
	for _, step := range plan {
		res, err := setTraffic(ctx, w.in.ReleaseID, svc, env, step, rollbackAttempts)
		if err != nil {
			return err
		}
		if res.Replayed {
			w.service(ei, svc.Name).Replayed++
		}
	}
	return nil
}
