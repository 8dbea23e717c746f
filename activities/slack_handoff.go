package activities

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/docs"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

// SlackNotifier is the Notifier when Slack is configured: the handoff package goes to the support
// channel with an Acknowledge button, reminders and escalations follow it there, and every
// notification is then handed to Next (the event log) as well. Each message has a deterministic
// key, so a retried SendHandoff finds what it already posted instead of posting twice.
type SlackNotifier struct {
	Messenger slack.Messenger
	// Channel is the support channel (TOLLGATE_SLACK_SUPPORT_CHANNEL, default the release channel).
	Channel string
	// Next also receives every notification; nil means none.
	Next Notifier
}

// Notify implements Notifier. Slack goes first: if Next then fails, the retry finds the
// Slack message by its key and only Next is repeated.
func (s *SlackNotifier) Notify(ctx context.Context, n Notification) error {
	if n.Kind == NotifyAcknowledged {
		if err := s.markAcknowledged(ctx, n); err != nil {
			return slackError(err)
		}
		if s.Next != nil {
			return s.Next.Notify(ctx, n)
		}
		return nil
	}
	var msg slack.Message
	var err error
	if n.Kind == NotifyHandoff && n.Handoff != nil {
		msg, err = slack.HandoffMessage(handoffView(n))
	} else {
		note := n.Subject
		if n.Kind == NotifyEscalation && n.Channel != "" {
			note += " (notified: " + n.Channel + ")"
		}
		msg, err = slack.HandoffNoteMessage(slack.HandoffNoteKey(n.ReleaseID, n.Kind, n.Time), n.ReleaseID, note)
	}
	if err != nil {
		return fmt.Errorf("slack %s of release %q: %w", n.Kind, n.ReleaseID, err)
	}
	if err := s.post(ctx, msg); err != nil {
		// A permanent refusal is not retried, so Next gets the notification now; after any
		// other error the retry repeats both.
		if cls, _ := slack.Classify(err); cls == slack.Permanent && s.Next != nil {
			_ = s.Next.Notify(ctx, n)
		}
		return slackError(err)
	}
	if s.Next != nil {
		return s.Next.Notify(ctx, n)
	}
	return nil
}

// markAcknowledged rewrites the handoff message as acknowledged, whichever way the
// acknowledgement came: a Slack click already did (the rewrite is the same), a CLI or web one
// did not. Without a handoff message there is nothing to rewrite.
func (s *SlackNotifier) markAcknowledged(ctx context.Context, n Notification) error {
	found, err := s.Messenger.FindMessage(ctx, s.Channel, slack.HandoffKey(n.ReleaseID))
	if err != nil || found.TS == "" {
		return err
	}
	msg, err := slack.HandoffAcknowledged(n.ReleaseID, found.Blocks, n.AcknowledgedBy, n.Time)
	if err != nil {
		return fmt.Errorf("slack handoff of release %q: %w", n.ReleaseID, err)
	}
	return s.Messenger.Update(ctx, s.Channel, found.TS, msg)
}

// post posts msg unless a message with its key is there; one already there is left alone, as
// it may show the acknowledgement by now.
func (s *SlackNotifier) post(ctx context.Context, msg slack.Message) error {
	ts, err := s.Messenger.Find(ctx, s.Channel, msg.Key)
	if err == nil && ts == "" {
		_, err = s.Messenger.Post(ctx, s.Channel, msg)
	}
	return err
}

func handoffView(n Notification) slack.HandoffView {
	h := n.Handoff
	v := slack.HandoffView{ReleaseID: n.ReleaseID, Title: h.Title, Contact: h.Contact, ReviewLink: h.ReviewLink,
		Contacts: h.Contacts, KnownIssues: h.KnownIssues, Escalation: h.Escalation}
	if h.PackageID != 0 {
		v.Runbook = fmt.Sprintf("the full package (runbook, architecture) is knowledge entry #%d (`tollgate kb list --all --release %s`)", h.PackageID, n.ReleaseID)
	}
	return v
}

// handoffSummary gathers the parts of the package a chat message shows.
func handoffSummary(in SendHandoffInput, issues []string, packageID int64) *HandoffSummary {
	s, h := in.Spec, in.Spec.Handoff
	sum := &HandoffSummary{Title: s.Metadata.Title, Contact: h.Contact, ReviewLink: in.ReviewLink, KnownIssues: issues, PackageID: packageID}
	for _, c := range docs.Contacts(s) {
		sum.Contacts = append(sum.Contacts, c.Role+": "+c.Name)
	}
	sum.Escalation = "reminders at the default interval until acknowledged"
	if h.RemindEvery != 0 {
		sum.Escalation = "reminders every " + h.RemindEvery.String() + " until acknowledged"
	}
	if h.EscalateTo != "" {
		after := "the default delay"
		if h.EscalateAfter != 0 {
			after = h.EscalateAfter.String()
		}
		sum.Escalation += "; escalated to " + h.EscalateTo + " after " + after
	}
	return sum
}
