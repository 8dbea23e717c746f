package workflows

import (
	"time"

	"github.com/tollgate-dev/tollgate/activities"
)

// UpdateAcknowledgeHandoff is sent by a member of the support group to take the release over;
// the release then closes.
const UpdateAcknowledgeHandoff = "acknowledge-handoff"

// PhaseHandoff: the review is filed and the handoff package sent; the release waits for a
// member of the support group to acknowledge it.
const PhaseHandoff Phase = "handoff"

// Handoff reminders: how often an unacknowledged handoff is sent again when the spec does not
// say, and how long before it is escalated to handoff.escalateTo.
const (
	DefaultHandoffRemindEvery   = 4 * time.Hour
	DefaultHandoffEscalateAfter = 24 * time.Hour
)

// WatchStatus is the health watch of one production wave.
type WatchStatus struct {
	Wave        string                       `json:"wave"`
	Verdict     string                       `json:"verdict"`
	Started     time.Time                    `json:"started"`
	Finished    time.Time                    `json:"finished,omitzero"`
	Evaluations int                          `json:"evaluations"`
	Telemetry   []activities.TelemetryReport `json:"telemetry,omitempty"`
	Alerts      []activities.Alert           `json:"alerts,omitempty"`
	Gaps        []string                     `json:"gaps,omitempty"`
	Error       string                       `json:"error,omitempty"`
}

// ReviewStatus locates the filed 24-hour review.
type ReviewStatus struct {
	Link  string    `json:"link,omitempty"`
	Filed time.Time `json:"filed,omitzero"`
	Error string    `json:"error,omitempty"`
}

// HandoffStatus is the support handoff.
type HandoffStatus struct {
	Contact string    `json:"contact"`
	Channel string    `json:"channel,omitempty"`
	Sent    time.Time `json:"sent,omitzero"`
	// Members may acknowledge; empty when nobody can, and the release closes without waiting.
	Members      []string  `json:"members,omitempty"`
	Reminders    int       `json:"reminders,omitempty"`
	Escalated    time.Time `json:"escalated,omitzero"`
	Acknowledged *Decision `json:"acknowledged,omitempty"`
	Error        string    `json:"error,omitempty"`
}

// ArchiveStatus locates the signed archive of the closed release.
type ArchiveStatus struct {
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Files  int    `json:"files,omitempty"`
	KeyID  string `json:"keyId,omitempty"`
	Error  string `json:"error,omitempty"`
}
