package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// JiraAwaitStatusInput is ITSM-driven mode's wait: poll the change request until it reaches
// WaitFor or one of RejectOn.
type JiraAwaitStatusInput struct {
	Key       string        `json:"key"`
	WaitFor   string        `json:"waitFor"`
	RejectOn  []string      `json:"rejectOn,omitempty"`
	PollEvery time.Duration `json:"pollEvery"`
}

// JiraAwaitStatusResult is the status the change request reached; Rejected when it is one of
// RejectOn.
type JiraAwaitStatusResult struct {
	Status   string `json:"status"`
	Rejected bool   `json:"rejected,omitempty"`
}

// JiraAwaitHeartbeat is what the wait reports on each poll, so `temporal activity describe`
// (and the Web UI) show where the change request stands and why the last poll failed.
type JiraAwaitHeartbeat struct {
	Status    string `json:"status,omitempty"`
	Polls     int    `json:"polls"`
	LastError string `json:"lastError,omitempty"`
}

// JiraAwaitStatus polls the change request every PollEvery until its status is WaitFor or one
// of RejectOn (compared ignoring case, as Jira does), heartbeating on every poll. Transient
// errors and rate limits only delay the next poll: the workflow's timeout bounds the wait, and
// a Jira outage must not reject a change. A permanent error (the issue is gone, credentials
// revoked) ends the wait with ErrJiraRefused.
func (a *Activities) JiraAwaitStatus(ctx context.Context, in JiraAwaitStatusInput) (JiraAwaitStatusResult, error) {
	t := a.Jira.Tracker
	if t == nil {
		return JiraAwaitStatusResult{}, temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	poll := in.PollEvery
	if poll <= 0 {
		poll = time.Minute
	}
	var hb JiraAwaitHeartbeat
	for {
		status, err := t.Status(ctx, in.Key)
		hb.Polls++
		wait := poll
		if err != nil {
			cls, after := jira.Classify(err)
			if cls == jira.Permanent {
				return JiraAwaitStatusResult{}, jiraError(err)
			}
			if ctx.Err() != nil {
				return JiraAwaitStatusResult{}, ctx.Err()
			}
			hb.LastError, wait = err.Error(), max(poll, after)
			a.logger().WarnContext(ctx, "change request status not read; polling on", "key", in.Key, "error", err)
		} else {
			hb.Status, hb.LastError = status, ""
			if strings.EqualFold(status, in.WaitFor) {
				return JiraAwaitStatusResult{Status: status}, nil
			}
			for _, r := range in.RejectOn {
				if strings.EqualFold(status, r) {
					return JiraAwaitStatusResult{Status: status, Rejected: true}, nil
				}
			}
		}
		activity.RecordHeartbeat(ctx, hb)
		select {
		case <-ctx.Done():
			return JiraAwaitStatusResult{}, fmt.Errorf("waiting for %s to reach %q (last status %q): %w", in.Key, in.WaitFor, hb.Status, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// JiraCheckStatusInput asks where an authorized change request stands before the next wave.
type JiraCheckStatusInput struct {
	Key      string   `json:"key"`
	RejectOn []string `json:"rejectOn,omitempty"`
}

// JiraCheckStatus reads the change request's status once; Rejected when it was moved to one of
// RejectOn after deployment was authorized (a change manager cancelling the change mid-way).
func (a *Activities) JiraCheckStatus(ctx context.Context, in JiraCheckStatusInput) (JiraAwaitStatusResult, error) {
	if a.Jira.Tracker == nil {
		return JiraAwaitStatusResult{}, temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	status, err := a.Jira.Tracker.Status(ctx, in.Key)
	if err != nil {
		return JiraAwaitStatusResult{}, jiraError(err)
	}
	for _, r := range in.RejectOn {
		if strings.EqualFold(status, r) {
			return JiraAwaitStatusResult{Status: status, Rejected: true}, nil
		}
	}
	return JiraAwaitStatusResult{Status: status}, nil
}
