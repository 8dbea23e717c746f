package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/store"
)

// The statuses of a local change record. A record starts Open; the phases move it on.
const (
	LocalStatusOpen             = "Open"
	LocalStatusAwaitingApproval = "Awaiting approval"
	LocalStatusImplementing     = "Implementing"
	LocalStatusRolledBack       = "Rolled back"
	LocalStatusClosed           = "Closed"
)

// localPhaseStatus is the status each release phase moves a local record to.
var localPhaseStatus = map[string]string{
	"approval":    LocalStatusAwaitingApproval,
	"deploying":   LocalStatusImplementing,
	"rolled-back": LocalStatusRolledBack,
	"closed":      LocalStatusClosed,
}

// ErrLocalNoIncidents is wrapped in LocalChanges.SearchIncidents' error: the local change store
// is no incident source, and asking again gives the same answer.
var ErrLocalNoIncidents = errors.New("incidents are not tracked in the local change store")

// LocalChanges is the embedded ITSM default: a jira.Tracker over change records in Tollgate's
// store, used when no Jira is configured, so every release still gets a change record with
// the same content, statuses and comments.
type LocalChanges struct {
	Store store.ChangeRecords
	// Now stamps records, transitions and comments; nil means time.Now.
	Now func() time.Time
}

var _ jira.Tracker = LocalChanges{}

// CreateChange implements jira.Tracker; the store returns the release's existing key on a retry.
func (l LocalChanges) CreateChange(ctx context.Context, cr jira.ChangeRequest) (string, error) {
	rec := localRecord(cr)
	rec.Status, rec.CreatedAt = LocalStatusOpen, l.now()
	key, err := l.Store.CreateChange(ctx, rec)
	return key, localError("create change record", err)
}

// UpdateChange implements jira.Tracker.
func (l LocalChanges) UpdateChange(ctx context.Context, key string, cr jira.ChangeRequest) error {
	return localError("update "+key, l.Store.UpdateChange(ctx, key, localRecord(cr), l.now()))
}

// FindChange implements jira.Tracker.
func (l LocalChanges) FindChange(ctx context.Context, releaseID string) (string, error) {
	key, err := l.Store.FindChange(ctx, releaseID)
	return key, localError("find change record for "+releaseID, err)
}

// FindChanges implements jira.Tracker: the store keeps one change record per release.
func (l LocalChanges) FindChanges(ctx context.Context, releaseID string) ([]string, error) {
	key, err := l.FindChange(ctx, releaseID)
	if err != nil || key == "" {
		return nil, err
	}
	return []string{key}, nil
}

// Transition implements jira.Tracker: "closed/<outcome>" closes with the outcome in the status
// ("Closed (rolled-back)"); a phase without a status is false, like a Jira phase without a step.
func (l LocalChanges) Transition(ctx context.Context, key, phase string) (bool, error) {
	status, ok := LocalStatus(phase)
	if !ok {
		return false, nil
	}
	if err := l.Store.SetChangeStatus(ctx, key, status, l.now()); err != nil {
		return false, localError("transition "+key+" to "+status, err)
	}
	return true, nil
}

// LocalStatus is the local record status a release phase leads to; false for a phase that
// moves no record.
func LocalStatus(phase string) (string, bool) {
	if outcome, ok := strings.CutPrefix(phase, "closed/"); ok {
		if outcome == "" {
			return LocalStatusClosed, true
		}
		return LocalStatusClosed + " (" + outcome + ")", true
	}
	status, ok := localPhaseStatus[phase]
	return status, ok
}

// Status implements jira.Tracker.
func (l LocalChanges) Status(ctx context.Context, key string) (string, error) {
	status, err := l.Store.ChangeStatus(ctx, key)
	return status, localError("status of "+key, err)
}

// Comment implements jira.Tracker: the store adds a marked comment once.
func (l LocalChanges) Comment(ctx context.Context, key, marker, body string) error {
	return localError("comment on "+key, l.Store.AddChangeComment(ctx, key, marker, body, l.now()))
}

// SearchIncidents implements jira.Tracker: the local store holds no incidents, so it always
// fails, permanently (ErrLocalNoIncidents); callers must not treat that as "no incidents".
func (l LocalChanges) SearchIncidents(context.Context, jira.IncidentQuery) ([]jira.Issue, error) {
	return nil, localError("search incidents", ErrLocalNoIncidents)
}

func (l LocalChanges) now() time.Time {
	if l.Now == nil {
		return time.Now().UTC()
	}
	return l.Now().UTC()
}

func localRecord(cr jira.ChangeRequest) store.ChangeRecord {
	return store.ChangeRecord{ReleaseID: cr.ReleaseID, Summary: cr.Summary, Description: cr.Description,
		RiskClass: cr.RiskClass, RiskExplanation: cr.RiskExplanation, Implementation: cr.Implementation,
		Backout: cr.Backout, TestPlan: cr.Test, Services: cr.Services}
}

// localError gives errors that retrying cannot fix (a missing record, a refused input, no
// incident source) a 4xx status, so jira.Classify and the Jira activities treat them as
// permanent, as they would Jira's own 404 or 400; store failures stay transient.
func localError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return &jira.Error{Op: "local change store: " + op, Status: http.StatusNotFound, Err: err}
	case errors.Is(err, store.ErrRequired), errors.Is(err, ErrLocalNoIncidents):
		return &jira.Error{Op: "local change store: " + op, Status: http.StatusBadRequest, Err: err}
	}
	return &jira.Error{Op: "local change store: " + op, Err: err}
}
