package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
)

// registerHandoffControls installs the acknowledge-handoff update.
func (r *releaseRun) registerHandoffControls(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAcknowledgeHandoff, r.acknowledgeHandoff, workflow.UpdateHandlerOptions{
		Validator: ignoreCtx(r.validateAcknowledgeHandoff),
	})
}

// supportMembers lists who may acknowledge: the members of the contact group in the directory
// when one is configured, else the spec's handoff members.
func (r *releaseRun) supportMembers() []string {
	h := r.spec.Handoff
	if r.directoryGoverned() {
		var out []string
		for _, p := range r.gov.Directory.People {
			if p.InGroup(h.Contact) {
				out = append(out, p.ID)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return h.Members
}

func (r *releaseRun) validateAcknowledgeHandoff(req Request) error {
	if err := requireActor(req); err != nil {
		return err
	}
	hs := r.status.Handoff
	switch {
	case r.status.Phase != PhaseHandoff || hs == nil:
		return fmt.Errorf("release %q is not waiting for a handoff acknowledgement (phase %s)", r.status.ReleaseID, r.status.Phase)
	case hs.Acknowledged != nil:
		return fmt.Errorf("release %q was already acknowledged by %s", r.status.ReleaseID, hs.Acknowledged.Actor)
	}
	actor := req.Actor
	if r.directoryGoverned() {
		if p, _, ok := r.gov.Directory.Resolve(actor); ok {
			actor = p.ID
		}
	}
	if !slices.Contains(hs.Members, actor) {
		return fmt.Errorf("%s is not in the support group %q of release %q (members: %s)", req.Actor, r.spec.Handoff.Contact, r.status.ReleaseID, strings.Join(hs.Members, ", "))
	}
	return nil
}

func (r *releaseRun) acknowledgeHandoff(ctx workflow.Context, req Request) (Response, error) {
	r.status.Handoff.Acknowledged = &Decision{Actor: req.Actor, Reason: req.Reason, Time: workflow.Now(ctx)}
	msg := "handoff acknowledged by " + req.Actor + " for " + r.spec.Handoff.Contact
	r.event(ctx, "handoff-acknowledged", req.Actor, msg+reasonSuffix(req.Reason))
	r.audit(ctx, "handoff", req.Actor, req.Reason, nil)
	return Response{Phase: r.status.Phase, Message: msg + "; the release closes"}, nil
}

// handoff sends the support package and waits for a member of the support group to
// acknowledge, reminding and escalating meanwhile. With nobody able to acknowledge (no
// directory group, no members) it records that and returns at once: waiting for an answer
// nobody can give would hold the release forever.
func (r *releaseRun) handoff(ctx workflow.Context) {
	if !r.postDeploy {
		return
	}
	r.setPhase(ctx, PhaseHandoff)
	h := r.spec.Handoff
	hs := &HandoffStatus{Contact: h.Contact, Members: r.supportMembers()}
	r.status.Handoff = hs
	link := ""
	if r.status.Review != nil {
		link = r.status.Review.Link
	}
	var a *activities.Activities
	var res activities.SendHandoffResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.SendHandoff, activities.SendHandoffInput{
		Kind: activities.NotifyHandoff, Spec: r.spec, ReviewLink: link, At: workflow.Now(ctx),
	}).Get(ctx, &res)
	if err != nil {
		hs.Error = errorMessage(err)
		r.event(ctx, "handoff-failed", "", "handoff package not sent: "+hs.Error)
	} else {
		hs.Channel, hs.Sent = res.Channel, workflow.Now(ctx)
		r.event(ctx, "handoff-sent", "", fmt.Sprintf("handoff package sent to %s (%d known issue(s), diagram as %s)", res.Channel, res.KnownIssues, res.DiagramFormat))
	}
	if len(hs.Members) == 0 {
		r.event(ctx, "handoff-unacknowledged", "", "nobody can acknowledge: no directory group "+h.Contact+" and no handoff.members; closing without an acknowledgement")
		return
	}
	r.awaitAcknowledgement(ctx, hs)
	r.announceAcknowledgement(ctx, hs)
}

// handoffAckChange marks releases that tell the support channel who acknowledged, so an
// acknowledgement from the CLI or web API shows on the Slack handoff message as a click does.
const (
	handoffAckChange  = "handoff-acknowledged-note"
	handoffAckVersion = 1
)

// announceAcknowledgement passes the acknowledgement to the notifiers (Slack rewrites the
// handoff message; the event log records it). A failure is noted; the handoff stands.
func (r *releaseRun) announceAcknowledgement(ctx workflow.Context, hs *HandoffStatus) {
	ack := hs.Acknowledged
	if ack == nil || workflow.GetVersion(ctx, handoffAckChange, workflow.DefaultVersion, handoffAckVersion) == workflow.DefaultVersion {
		return
	}
	var a *activities.Activities
	err := workflow.ExecuteActivity(shortActivity(ctx), a.SendHandoff, activities.SendHandoffInput{
		Kind: activities.NotifyAcknowledged, Spec: r.spec, AcknowledgedBy: ack.Actor, At: ack.Time,
		Message: "handoff of release " + r.spec.Metadata.ID + " acknowledged by " + ack.Actor,
	}).Get(ctx, nil)
	if err != nil {
		r.event(ctx, "handoff-note-failed", "", "acknowledgement not passed on to "+hs.Channel+": "+errorMessage(err))
	}
}

func (r *releaseRun) awaitAcknowledgement(ctx workflow.Context, hs *HandoffStatus) {
	h := r.spec.Handoff
	remind := h.RemindEvery.D()
	if remind == 0 {
		remind = DefaultHandoffRemindEvery
	}
	escalateAfter := h.EscalateAfter.D()
	if escalateAfter == 0 {
		escalateAfter = DefaultHandoffEscalateAfter
	}
	start := workflow.Now(ctx)
	nextReminder := start.Add(remind)
	escalateAt := time.Time{}
	if h.EscalateTo != "" {
		escalateAt = start.Add(escalateAfter)
	}
	for {
		wake := earliest(nextReminder, escalateAt)
		ok, err := workflow.AwaitWithTimeout(ctx, wake.Sub(workflow.Now(ctx)), func() bool { return hs.Acknowledged != nil })
		if err != nil || ok {
			return
		}
		now := workflow.Now(ctx)
		if !now.Before(nextReminder) {
			hs.Reminders++
			msg := fmt.Sprintf("handoff of release %s still not acknowledged by %s (reminder %d)", r.spec.Metadata.ID, h.Contact, hs.Reminders)
			r.event(ctx, "handoff-reminder", "", msg)
			r.sendHandoffNote(ctx, activities.NotifyReminder, "", msg)
			nextReminder = nextReminder.Add(remind)
		}
		if !escalateAt.IsZero() && !now.Before(escalateAt) {
			hs.Escalated = now
			msg := fmt.Sprintf("handoff of release %s unacknowledged for %s: escalated to %s", r.spec.Metadata.ID, escalateAfter, h.EscalateTo)
			r.event(ctx, "escalation", "", msg)
			r.audit(ctx, "escalation", "", msg, nil)
			r.sendHandoffNote(ctx, activities.NotifyEscalation, h.EscalateTo, msg)
			escalateAt = time.Time{}
		}
	}
}

func (r *releaseRun) sendHandoffNote(ctx workflow.Context, kind, to, msg string) {
	var a *activities.Activities
	err := workflow.ExecuteActivity(shortActivity(ctx), a.SendHandoff, activities.SendHandoffInput{
		Kind: kind, Spec: r.spec, To: to, Message: msg, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		r.event(ctx, "handoff-failed", "", kind+" not sent: "+errorMessage(err))
	}
}
