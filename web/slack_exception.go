package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/tollgate-dev/tollgate/calendar"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

// grantExceptionClicked opens the exception modal for a wave held by a freeze; the button's value
// names the release and the freeze. Whether the clicker may grant it is the workflow's validator's
// decision, taken when the modal is submitted.
func (s *Slack) grantExceptionClicked(ctx context.Context, cb slackapi.InteractionCallback, value string) {
	releaseID, freeze, err := tgslack.ParseExceptionValue(value)
	if err != nil {
		s.o.Logger.Warn("slack exception button not understood", "error", err)
		s.respond(ctx, cb.ResponseURL, "Tollgate could not read this button; use tollgate grant-exception RELEASE --freeze NAME --justification TEXT --expires 12h")
		return
	}
	// A trigger_id is good for 3 s after the click: retries past that would only fail.
	mctx, cancel := context.WithTimeout(ctx, triggerLifetime)
	defer cancel()
	err = s.o.Retry.Do(mctx, func(ctx context.Context) error {
		return s.o.Slack.OpenExceptionModal(ctx, cb.TriggerID, tgslack.ExceptionModal{ReleaseID: releaseID, Freeze: freeze, ResponseURL: cb.ResponseURL})
	})
	if err != nil {
		s.o.Logger.Warn("slack exception modal not opened", "release", releaseID, "freeze", freeze, "error", err)
		s.respond(ctx, cb.ResponseURL, fmt.Sprintf("Tollgate could not open the exception dialog; use tollgate grant-exception %s --freeze %q --justification TEXT --expires 12h", releaseID, freeze))
	}
}

// exceptionSubmitted answers a submitted exception modal. A missing justification or a lifetime
// that cannot be granted is answered synchronously with Slack's modal validation errors, which
// keep the modal open for a correction; anything else is acknowledged (closing the modal) and
// the exception is sent to the workflow in the background, expiring the lifetime after now.
func (s *Slack) exceptionSubmitted(w http.ResponseWriter, cb slackapi.InteractionCallback) func(context.Context) error {
	m, err := tgslack.ParseExceptionMetadata(cb.View.PrivateMetadata)
	if err != nil {
		s.o.Logger.Warn("slack exception submission not understood", "error", err)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	var values map[string]map[string]slackapi.BlockAction
	if cb.View.State != nil {
		values = cb.View.State.Values
	}
	justification := strings.TrimSpace(values[tgslack.ExceptionJustificationBlock][tgslack.ExceptionJustificationInput].Value)
	lasts, lastsErr := parseExceptionLifetime(values[tgslack.ExceptionDurationBlock][tgslack.ExceptionDurationInput].Value)
	problems := map[string]string{}
	if justification == "" {
		problems[tgslack.ExceptionJustificationBlock] = "say why the release must go out during the freeze"
	}
	if lastsErr != nil {
		problems[tgslack.ExceptionDurationBlock] = lastsErr.Error()
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusOK, slackapi.NewErrorsViewSubmissionResponse(problems))
		return nil
	}
	w.WriteHeader(http.StatusOK)
	req := workflows.Request{Reason: justification, Freeze: m.Freeze, Expires: s.o.Now().Add(lasts).UTC()}
	return func(ctx context.Context) error {
		_, err := s.applyRequest(ctx, cb.User.ID, m.ResponseURL, m.ReleaseID, workflows.UpdateGrantException, req)
		return err
	}
}

// parseExceptionLifetime reads how long an exception lasts: a Go duration ("30m", "12h"), a
// number of days ("3d") or both ("1d12h"), more than zero and at most
// calendar.MaxExceptionLength, the bound the workflow's validator enforces. The error is shown
// under the modal's field.
func parseExceptionLifetime(s string) (time.Duration, error) {
	limit := fmt.Sprintf("%dd", calendar.MaxExceptionLength/(24*time.Hour))
	in := strings.ToLower(strings.TrimSpace(s))
	bad := fmt.Errorf("%q: want how long the exception lasts, e.g. 30m, 12h or 3d (at most %s)", s, limit)
	if in == "" {
		return 0, errors.New("required: how long the exception lasts, e.g. 30m, 12h or 3d")
	}
	var total time.Duration
	if days, rest, ok := strings.Cut(in, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, bad
		}
		if time.Duration(n) > calendar.MaxExceptionLength/(24*time.Hour) {
			return 0, fmt.Errorf("%q: an exception lasts at most %s", s, limit)
		}
		total, in = time.Duration(n)*24*time.Hour, rest
	}
	if in != "" {
		d, err := time.ParseDuration(in)
		if err != nil || d < 0 {
			return 0, bad
		}
		if d > calendar.MaxExceptionLength {
			return 0, fmt.Errorf("%q: an exception lasts at most %s", s, limit)
		}
		total += d
	}
	switch {
	case total <= 0:
		return 0, fmt.Errorf("%q: an exception must last more than zero", s)
	case total > calendar.MaxExceptionLength:
		return 0, fmt.Errorf("%q: an exception lasts at most %s", s, limit)
	}
	return total, nil
}
