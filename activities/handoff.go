package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/docs"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// Notification is a message to a channel: the support handoff, a reminder or an escalation.
type Notification struct {
	Time      time.Time `json:"time"`
	ReleaseID string    `json:"releaseId"`
	Channel   string    `json:"channel"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body,omitempty"`
	// Handoff is the package's summary (kind handoff) for notifiers that render it, like Slack.
	Handoff *HandoffSummary `json:"handoff,omitempty"`
	// AcknowledgedBy is who took the release over (kind handoff-acknowledged), at Time.
	AcknowledgedBy string `json:"acknowledgedBy,omitempty"`
}

// HandoffSummary is the handoff package in parts: what a chat message shows of it.
type HandoffSummary struct {
	Title       string   `json:"title"`
	Contact     string   `json:"contact"`
	ReviewLink  string   `json:"reviewLink,omitempty"`
	Contacts    []string `json:"contacts,omitempty"`
	KnownIssues []string `json:"knownIssues,omitempty"`
	// PackageID is the knowledge-base entry holding the full package (runbook, diagram).
	PackageID  int64  `json:"packageId,omitempty"`
	Escalation string `json:"escalation,omitempty"`
}

// Notifier delivers notifications. Slack and other integrations implement it; the embedded
// default is EventLog.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// EventLog is the embedded default notifier: one JSON line per notification appended to a
// file (DATA_DIR/events.log), where operators and tests read what would have been sent.
type EventLog struct {
	Path string
	mu   sync.Mutex
}

// Notify implements Notifier.
func (l *EventLog) Notify(_ context.Context, n Notification) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(l.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("event log %s: %w", l.Path, err)
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(n)
}

// Handoff notification kinds.
const (
	NotifyHandoff    = "handoff"
	NotifyReminder   = "handoff-reminder"
	NotifyEscalation = "handoff-escalation"
	// NotifyAcknowledged: support took the release over, through Slack, the CLI or the web API.
	NotifyAcknowledged = "handoff-acknowledged"
)

// SendHandoffInput asks for the handoff package (Kind handoff) or a reminder or escalation.
type SendHandoffInput struct {
	Kind       string       `json:"kind"`
	Spec       release.Spec `json:"spec"`
	ReviewLink string       `json:"reviewLink,omitempty"`
	// To is the channel or person; empty means the spec's handoff channel, else its contact.
	To      string    `json:"to,omitempty"`
	Message string    `json:"message,omitempty"`
	At      time.Time `json:"at"`
	// AcknowledgedBy is who acknowledged (kind handoff-acknowledged; At is when).
	AcknowledgedBy string `json:"acknowledgedBy,omitempty"`
}

// SendHandoffResult says where the package went and how the diagram was drawn.
type SendHandoffResult struct {
	Channel string `json:"channel"`
	// PackageID is the knowledge-base entry of the handoff package (kind handoff).
	PackageID int64 `json:"packageId,omitempty"`
	// DiagramFormat is svg (Graphviz present) or mermaid.
	DiagramFormat string `json:"diagramFormat,omitempty"`
	KnownIssues   int    `json:"knownIssues"`
}

// SendHandoff records the support handoff package (runbook, known issues, contacts, review
// link, architecture diagram) in the knowledge base and sends it to the support channel; for
// reminders and escalations it sends the message alone.
func (a *Activities) SendHandoff(ctx context.Context, in SendHandoffInput) (SendHandoffResult, error) {
	id := in.Spec.Metadata.ID
	channel := in.To
	if channel == "" {
		channel = in.Spec.Handoff.Channel
	}
	if channel == "" {
		channel = in.Spec.Handoff.Contact
	}
	res := SendHandoffResult{Channel: channel}
	n := Notification{Time: in.At, ReleaseID: id, Channel: channel, Kind: in.Kind, Subject: in.Message, AcknowledgedBy: in.AcknowledgedBy}
	if in.Kind == NotifyHandoff {
		body, svg, format, issues, err := a.handoffPackage(ctx, in)
		if err != nil {
			return res, err
		}
		res.DiagramFormat, res.KnownIssues = format, len(issues)
		if kb, ok := a.Store.(store.Knowledge); ok {
			if res.PackageID, err = kb.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeHandoff, ReleaseID: id,
				Title: "Support handoff of " + id, Body: body, HTML: svg, CreatedBy: auditSystemActorName, CreatedAt: in.At}); err != nil {
				return res, fmt.Errorf("handoff of release %q: %w", id, err)
			}
		}
		n.Subject, n.Body = "Release "+id+" handed over to "+in.Spec.Handoff.Contact+": please acknowledge (tollgate ack "+id+")", body
		n.Handoff = handoffSummary(in, issues, res.PackageID)
	}
	notifier := a.Notifier
	if notifier == nil {
		a.logger().InfoContext(ctx, "notification (no notifier configured)", "release", id, "channel", channel, "kind", n.Kind, "subject", n.Subject)
		return res, nil
	}
	if err := notifier.Notify(ctx, n); err != nil {
		return res, notifyError(fmt.Sprintf("handoff of release %q to %s", id, channel), err)
	}
	return res, nil
}

// notifyError names the handoff and keeps a notifier's classification: Temporal reads only the
// outermost error, so a wrapped non-retryable or throttled error would be retried as plain.
func notifyError(what string, err error) error {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return temporal.NewApplicationErrorWithOptions(what+": "+err.Error(), appErr.Type(), temporal.ApplicationErrorOptions{
		NonRetryable: appErr.NonRetryable(), NextRetryDelay: appErr.NextRetryDelay()})
}

// handoffPackage builds the package's Markdown and, when Graphviz is present, the SVG diagram.
func (a *Activities) handoffPackage(ctx context.Context, in SendHandoffInput) (body, svg, format string, issues []string, err error) {
	s := in.Spec
	var b strings.Builder
	fmt.Fprintf(&b, "# Support handoff: %s (%s)\n\n", s.Metadata.Title, s.Metadata.ID)
	fmt.Fprintf(&b, "Review report: %s\n\n## Contacts\n\n", orDash(in.ReviewLink))
	for _, c := range docs.Contacts(s) {
		fmt.Fprintf(&b, "- %s: %s\n", c.Role, c.Name)
	}
	b.WriteString("\n## Known issues\n\n")
	if kb, ok := a.Store.(store.Knowledge); ok {
		seen := map[int64]bool{}
		var filters []store.KnowledgeFilter
		filters = append(filters, store.KnowledgeFilter{Kind: store.KnowledgeIssue, ReleaseID: s.Metadata.ID, Open: true})
		for _, svc := range s.Services {
			filters = append(filters, store.KnowledgeFilter{Kind: store.KnowledgeIssue, Service: svc.Name, Open: true})
		}
		for _, f := range filters {
			entries, err := kb.ListKnowledge(ctx, f)
			if err != nil {
				return "", "", "", nil, fmt.Errorf("handoff of release %q: known issues: %w", s.Metadata.ID, err)
			}
			for _, e := range entries {
				if seen[e.ID] {
					continue
				}
				seen[e.ID] = true
				line := fmt.Sprintf("#%d %s%s%s", e.ID, e.Title, prefixed(" (service ", e.Service, ")"), prefixed(": workaround: ", e.Workaround, ""))
				issues = append(issues, line)
				b.WriteString("- " + line + "\n")
			}
		}
	}
	if len(issues) == 0 {
		b.WriteString("None open.\n")
	}
	diagram := docs.Architecture(s, nil)
	format, data, err := a.Diagrams.Render(ctx, diagram)
	if err != nil {
		return "", "", "", nil, temporal.NewApplicationError(err.Error(), ErrStepFailed)
	}
	b.WriteString("\n## Architecture\n\n")
	if format == DiagramSVG {
		svg = string(data)
		b.WriteString("Rendered with Graphviz; the SVG is attached to the handoff entry.\n")
	} else {
		b.WriteString("```mermaid\n" + string(data) + "```\n")
	}
	b.WriteString("\n" + docs.Runbook(s))
	return b.String(), svg, format, issues, nil
}

func orDash(s string) string {
	if s == "" {
		return "not filed"
	}
	return s
}

func prefixed(pre, s, post string) string {
	if s == "" {
		return ""
	}
	return pre + s + post
}
