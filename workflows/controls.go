package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Search attribute keys, typed.
var (
	phaseKey        = temporal.NewSearchAttributeKeyKeyword(SearchAttrPhase)
	environmentsKey = temporal.NewSearchAttributeKeyKeywordList(SearchAttrEnvironment)
)

// registerControls installs the control updates. Validators only read state: a refused
// request writes nothing to history and its caller gets the reason.
func (r *releaseRun) registerControls(ctx workflow.Context) error {
	controls := []struct {
		name     string
		validate func(workflow.Context, Request) error
		handle   func(workflow.Context, Request) (Response, error)
	}{
		{UpdateApprove, ignoreCtx(r.validateApprove), r.approve},
		{UpdateReject, ignoreCtx(r.validateReject), r.reject},
		{UpdatePause, ignoreCtx(r.validatePause), r.pause},
		{UpdateResume, ignoreCtx(r.validateResume), r.resume},
		{UpdateRollback, ignoreCtx(r.validateRollback), r.requestRollback},
		{UpdateGrantException, r.validateGrantException, r.grantException},
	}
	for _, c := range controls {
		validate := c.validate
		err := workflow.SetUpdateHandlerWithOptions(ctx, c.name, c.handle, workflow.UpdateHandlerOptions{
			Validator: validate,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *releaseRun) validateApprove(req Request) error {
	if err := requireActor(req); err != nil {
		return err
	}
	if err := r.requireApprovalOpen(false); err != nil {
		return err
	}
	return r.eligible(req.Actor)
}

// eligibleByName applies the spec's own policy: a listed approver, not the owner, not the
// initiator, once.
func (r *releaseRun) eligibleByName(actor string) error {
	if !slices.Contains(r.spec.Approval.Approvers, actor) {
		return fmt.Errorf("%s is not an approver of release %q (approvers: %s)", actor, r.status.ReleaseID, strings.Join(r.spec.Approval.Approvers, ", "))
	}
	if actor == r.spec.Metadata.Owner {
		return fmt.Errorf("%s owns release %q and cannot approve it (segregation of duties)", actor, r.status.ReleaseID)
	}
	if actor == r.status.Initiator {
		return fmt.Errorf("%s started release %q and cannot approve it (segregation of duties)", actor, r.status.ReleaseID)
	}
	for _, d := range r.status.Approval.Approved {
		if d.Actor == actor {
			return fmt.Errorf("%s already approved release %q; %d distinct approvers are required", actor, r.status.ReleaseID, r.spec.Approval.Required)
		}
	}
	return nil
}

// requireApprovalOpen says whether the approval gate takes decisions now. Approvals are taken
// in the approval phase, once approvers can see the risk and the gate results they approve;
// a rejection is taken at any time before deployment. Releases recorded before governance
// (DefaultVersion) also took decisions during intake.
func (r *releaseRun) requireApprovalOpen(rejecting bool) error {
	if rejecting && r.status.Phase == PhaseChangeControl && r.status.Approval.Rejected == nil {
		return nil // approved, but nothing deployed yet: an approver may still stop the change
	}
	var open bool
	switch p := r.status.Phase; {
	case !r.governed:
		open = p == PhaseIntake || p == PhaseApproval || p == PhaseReadinessBlocked
	case rejecting:
		open = slices.Contains([]Phase{PhaseIntake, PhaseReadiness, PhaseReadinessBlocked, PhaseIntegrity, PhasePreDeploy, PhaseRisk, PhaseApproval}, p)
	default:
		open = p == PhaseApproval
	}
	if satisfied, _ := r.approvalState(); !open || r.status.Approval.Rejected != nil || satisfied {
		return fmt.Errorf("release %q is not waiting for approval (phase %s)", r.status.ReleaseID, r.status.Phase)
	}
	return nil
}

func (r *releaseRun) approve(ctx workflow.Context, req Request) (Response, error) {
	r.status.Approval.Approved = append(r.status.Approval.Approved, Decision{Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)})
	msg := fmt.Sprintf("approved by %s (%d of %d)", req.Actor, len(r.status.Approval.Approved), r.spec.Approval.Required)
	if r.directoryGoverned() {
		_, r.status.Approval.Missing = r.approvalState()
		msg = "approved by " + req.Actor
		if len(r.status.Approval.Missing) > 0 {
			msg += "; still needed: " + strings.Join(r.status.Approval.Missing, ", ")
		}
	}
	r.event(ctx, "approval", req.Actor, msg+reasonSuffix(req.Reason))
	r.notifyApproval("")
	r.audit(ctx, "approval", req.Actor, req.Reason, nil)
	return Response{Phase: r.status.Phase, Message: msg}, nil
}

func (r *releaseRun) validateReject(req Request) error {
	if err := requireActorAndReason(req, "reject"); err != nil {
		return err
	}
	if err := r.requireApprovalOpen(true); err != nil {
		return err
	}
	if !slices.Contains(r.spec.Approval.Approvers, req.Actor) {
		return fmt.Errorf("%s is not an approver of release %q and cannot reject it", req.Actor, r.status.ReleaseID)
	}
	return nil
}

func (r *releaseRun) reject(ctx workflow.Context, req Request) (Response, error) {
	r.status.Approval.Rejected = &Decision{Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)}
	r.event(ctx, "rejection", req.Actor, "rejected: "+req.Reason)
	r.audit(ctx, "rejection", req.Actor, req.Reason, nil)
	if r.records && r.status.Phase != PhaseApproval {
		// The approval message closed as approved; it must not keep saying so.
		r.notifyApproval(r.approvalClosedText())
	}
	return Response{Phase: r.status.Phase, Message: "rejected by " + req.Actor}, nil
}

func (r *releaseRun) validatePause(req Request) error {
	if err := requireActorAndReason(req, "pause"); err != nil {
		return err
	}
	switch {
	case r.status.Phase != PhaseApproval && r.status.Phase != PhaseDeploying:
		return fmt.Errorf("release %q cannot be paused in phase %s", r.status.ReleaseID, r.status.Phase)
	case r.rollback != nil:
		return fmt.Errorf("release %q is rolling back; a rollback is never paused", r.status.ReleaseID)
	case r.status.Paused:
		return fmt.Errorf("release %q is already paused", r.status.ReleaseID)
	}
	return nil
}

// pause returns once the running wave has received the pause, so "accepted" means no new step
// will start.
func (r *releaseRun) pause(ctx workflow.Context, req Request) (Response, error) {
	r.status.Paused = true
	r.event(ctx, "paused", req.Actor, "paused: "+req.Reason)
	r.audit(ctx, "pause", req.Actor, req.Reason, nil)
	r.signalChild(ctx)
	r.notifyPaused("paused by " + req.Actor + ": " + req.Reason)
	return Response{Phase: r.status.Phase, Message: "paused by " + req.Actor + "; steps in flight finish, no new step starts"}, nil
}

func (r *releaseRun) validateResume(req Request) error {
	if err := requireActor(req); err != nil {
		return err
	}
	if !r.status.Paused {
		return fmt.Errorf("release %q is not paused", r.status.ReleaseID)
	}
	return nil
}

func (r *releaseRun) resume(ctx workflow.Context, req Request) (Response, error) {
	r.status.Paused = false
	r.event(ctx, "resumed", req.Actor, "resumed"+reasonSuffix(req.Reason))
	r.audit(ctx, "resume", req.Actor, req.Reason, nil)
	r.signalChild(ctx)
	r.notifyPaused("resumed by " + req.Actor + reasonSuffix(req.Reason))
	return Response{Phase: r.status.Phase, Message: "resumed by " + req.Actor}, nil
}

func (r *releaseRun) validateRollback(req Request) error {
	if err := requireActorAndReason(req, "roll back"); err != nil {
		return err
	}
	switch {
	case r.rollback != nil:
		return fmt.Errorf("release %q is already rolling back (requested by %s)", r.status.ReleaseID, r.rollback.Actor)
	case r.status.Phase == PhaseRollingBack:
		return fmt.Errorf("release %q is already rolling back", r.status.ReleaseID)
	case r.status.Phase != PhaseDeploying && r.status.Phase != PhaseReview:
		return fmt.Errorf("release %q has nothing deployed to roll back (phase %s); use reject during approval", r.status.ReleaseID, r.status.Phase)
	}
	return nil
}

// requestRollback preempts everything: a pause is lifted and the running wave is told to
// start nothing new, then the main loop rolls back what was touched.
func (r *releaseRun) requestRollback(ctx workflow.Context, req Request) (Response, error) {
	r.rollback = &Decision{Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)}
	r.status.Paused = false
	r.event(ctx, "rollback-requested", req.Actor, "rollback requested: "+req.Reason)
	r.audit(ctx, "rollback", req.Actor, req.Reason, nil)
	r.signalChild(ctx)
	return Response{Phase: r.status.Phase, Message: "rollback requested by " + req.Actor}, nil
}

// validateGrantException admits an exception to the freeze holding the release only from a
// person with the exec role, with a justification and an expiry (calendar.Grant).
func (r *releaseRun) validateGrantException(ctx workflow.Context, req Request) error {
	if err := requireActorAndReason(req, "grant an exception (the justification)"); err != nil {
		return err
	}
	_, err := r.grantable(ctx, req)
	return err
}

func (r *releaseRun) grantException(ctx workflow.Context, req Request) (Response, error) {
	ex, err := r.grantable(ctx, req)
	if err != nil { // state moved between validation and handling
		return Response{}, err
	}
	r.status.Exceptions = append(r.status.Exceptions, ex)
	msg := fmt.Sprintf("exception to freeze %q granted by %s until %s: %s", ex.Freeze, ex.GrantedBy, ex.Expires.UTC().Format(time.RFC3339), ex.Justification)
	r.event(ctx, "exception", req.Actor, msg)
	r.audit(ctx, "exception", req.Actor, req.Reason, ex)
	return Response{Phase: r.status.Phase, Message: msg}, nil
}

// signalChild sends the current control state to a running deploy wave and waits until the
// server has recorded it.
func (r *releaseRun) signalChild(ctx workflow.Context) {
	if r.child == nil || r.childMode != WaveDeploy {
		return
	}
	ctl := WaveControl{Paused: r.status.Paused, Abort: r.rollback != nil}
	err := r.child.SignalChildWorkflow(ctx, SignalWaveControl, ctl).Get(ctx, nil)
	if err != nil {
		// The child finished between the check and the signal; the main loop sees the state.
		workflow.GetLogger(ctx).Info("wave control not delivered", "error", err)
	}
}

func (r *releaseRun) setPhase(ctx workflow.Context, p Phase) {
	r.status.Phase = p
	r.event(ctx, "phase", "", "phase "+string(p))
	r.audit(ctx, "phase", "", "phase "+string(p), nil)
	if err := workflow.UpsertTypedSearchAttributes(ctx, phaseKey.ValueSet(string(p))); err != nil {
		workflow.GetLogger(ctx).Warn("phase search attribute not updated", "error", err)
	}
}

func (r *releaseRun) upsertEnvironments(ctx workflow.Context, envs []string) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, environmentsKey.ValueSet(envs)); err != nil {
		workflow.GetLogger(ctx).Warn("environment search attribute not updated", "error", err)
	}
}

// ignoreCtx adapts a validator that needs only the request.
func ignoreCtx(v func(Request) error) func(workflow.Context, Request) error {
	return func(_ workflow.Context, req Request) error { return v(req) }
}

func requireActor(req Request) error {
	if strings.TrimSpace(req.Actor) == "" {
		return errors.New("no acting identity: pass --as or set TOLLGATE_USER")
	}
	return nil
}

func requireActorAndReason(req Request, verb string) error {
	if err := requireActor(req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return fmt.Errorf("a reason is required to %s", verb)
	}
	return nil
}
