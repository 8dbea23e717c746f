package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

var exceptionNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// exceptionRig is a Slack rig on a fixed clock whose stub validator admits bob alone as an
// executive and records the grant-exception requests it sees.
type exceptionRig struct {
	*slackRig
	mu   sync.Mutex
	seen []workflows.Request
}

func newExceptionRig(t *testing.T) *exceptionRig {
	t.Helper()
	r := &exceptionRig{slackRig: newSlackRig(t, func(o *SlackOptions, _ *tgslack.Options) {
		o.Now = func() time.Time { return exceptionNow }
	})}
	r.caller.Now = func() time.Time { return exceptionNow }
	r.ctl.refuse = func(update string, req workflows.Request) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.seen = append(r.seen, req)
		switch {
		case update != workflows.UpdateGrantException:
			return errors.New("unexpected update " + update)
		case req.Actor != "bob":
			return errors.New(req.Actor + ` cannot grant an exception to freeze "` + req.Freeze + `": only a person with the "exec" role can`)
		}
		return nil
	}
	return r
}

func (r *exceptionRig) requests() []workflows.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]workflows.Request(nil), r.seen...)
}

// openModal clicks Grant exception as user and returns the modal Slack opened.
func (r *exceptionRig) openModal(t *testing.T, user string) tgslack.FakeView {
	t.Helper()
	require.Equal(t, http.StatusOK, r.send(t, r.caller.Click(user, tgslack.ActionGrantException, "shop-1|black-friday"), 0))
	r.slack.Wait()
	views := r.fake.Views()
	require.NotEmpty(t, views)
	return views[len(views)-1]
}

// submit sends a submission and returns the synchronous answer's status and body.
func (r *exceptionRig) submit(t *testing.T, req tgslack.Request) (int, string) {
	t.Helper()
	resp, err := r.caller.Send(context.Background(), req, 0)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r.slack.Wait()
	return resp.StatusCode, string(body)
}

func TestSlackGrantExceptionClickOpensTheModal(t *testing.T) {
	r := newExceptionRig(t)
	v := r.openModal(t, "UBOB")
	assert.Equal(t, tgslack.CallbackException, v.CallbackID)
	m, err := tgslack.ParseExceptionMetadata(v.PrivateMetadata)
	require.NoError(t, err)
	assert.Equal(t, "shop-1", m.ReleaseID)
	assert.Equal(t, "black-friday", m.Freeze)
	assert.True(t, strings.HasPrefix(m.ResponseURL, r.fake.ResponseURLPrefix()), "the click's response_url travels with the modal")
	assert.Empty(t, r.ctl.Calls(), "nothing is granted before the modal is submitted")
	assert.Empty(t, r.fake.Responses())
}

func TestSlackGrantExceptionModalNotOpenedPointsToTheCLI(t *testing.T) {
	r := newExceptionRig(t)
	down := faults.Fault{Status: http.StatusBadGateway}
	r.fake.Faults.Push(down, down, down) // every views.open attempt
	r.send(t, r.caller.Click("UBOB", tgslack.ActionGrantException, "shop-1|black-friday"), 0)
	r.slack.Wait()
	assert.Empty(t, r.fake.Views())
	require.Len(t, r.fake.Responses(), 1)
	assert.Contains(t, r.fake.Responses()[0].Text, `use tollgate grant-exception shop-1 --freeze "black-friday"`)
}

func TestSlackExceptionSubmissionGrants(t *testing.T) {
	tests := []struct {
		lasts string
		want  time.Duration
	}{
		{"30m", 30 * time.Minute},
		{"12h", 12 * time.Hour},
		{"3d", 72 * time.Hour},
		{" 1d12h ", 36 * time.Hour},
		{"7d", 168 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.lasts, func(t *testing.T) {
			r := newExceptionRig(t)
			submit := r.caller.SubmitException("UBOB", r.openModal(t, "UBOB"), "security fix for CVE-2026-1", tt.lasts)
			code, body := r.submit(t, submit)
			assert.Equal(t, http.StatusOK, code)
			assert.Empty(t, body, "an empty 200 closes the modal")
			assert.Equal(t, []workflows.Request{{Actor: "bob", Reason: "security fix for CVE-2026-1", Freeze: "black-friday",
				Expires: exceptionNow.Add(tt.want)}}, r.requests())
			assert.Equal(t, []string{"shop-1 grant-exception bob security fix for CVE-2026-1"}, r.ctl.Calls())
			assert.Equal(t, []string{SlackUpdateID(submit.Body)}, r.ctl.UpdateIDs())
			require.Len(t, r.fake.Responses(), 1)
			assert.Equal(t, "shop-1: grant-exception accepted", r.fake.Responses()[0].Text)
		})
	}
}

func TestSlackExceptionSubmissionInvalidKeepsTheModalOpen(t *testing.T) {
	tests := []struct {
		name, why, lasts string
		wantBlock        string
		wantText         string
	}{
		{"no lifetime", "fix", "", tgslack.ExceptionDurationBlock, "required"},
		{"not a duration", "fix", "soon", tgslack.ExceptionDurationBlock, "e.g. 30m, 12h or 3d"},
		{"zero", "fix", "0h", tgslack.ExceptionDurationBlock, "more than zero"},
		{"negative", "fix", "-2h", tgslack.ExceptionDurationBlock, "e.g. 30m, 12h or 3d"},
		{"past the calendar's bound in days", "fix", "8d", tgslack.ExceptionDurationBlock, "at most 7d"},
		{"past the calendar's bound in hours", "fix", "169h", tgslack.ExceptionDurationBlock, "at most 7d"},
		{"past the bound combined", "fix", "7d1h", tgslack.ExceptionDurationBlock, "at most 7d"},
		{"blank justification", "  ", "12h", tgslack.ExceptionJustificationBlock, "say why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newExceptionRig(t)
			code, body := r.submit(t, r.caller.SubmitException("UBOB", r.openModal(t, "UBOB"), tt.why, tt.lasts))
			assert.Equal(t, http.StatusOK, code)
			var answer struct {
				ResponseAction string            `json:"response_action"`
				Errors         map[string]string `json:"errors"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &answer), body)
			assert.Equal(t, "errors", answer.ResponseAction)
			require.Len(t, answer.Errors, 1)
			assert.Contains(t, answer.Errors[tt.wantBlock], tt.wantText)
			assert.Empty(t, r.requests(), "no control for an invalid submission")
			assert.Empty(t, r.fake.Responses())
		})
	}
}

// Slack resends a submission whose answer it did not get; the retry of an invalid one must show
// the errors again, since an empty 200 would close the modal and lose what the person typed.
func TestSlackExceptionInvalidSubmissionRetryShowsTheErrorsAgain(t *testing.T) {
	r := newExceptionRig(t)
	submit := r.caller.SubmitException("UBOB", r.openModal(t, "UBOB"), "fix", "soon")
	_, first := r.submit(t, submit)
	retry := submit
	retry.TS++ // Slack's retry: same body, new timestamp and signature
	resp, err := r.caller.Send(context.Background(), retry, 1)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	again := string(body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, again, `"response_action":"errors"`)
	assert.Equal(t, first, again)
	assert.Empty(t, r.requests(), "no control for an invalid submission")
}

func TestSlackExceptionRefusalGoesToTheClicker(t *testing.T) {
	r := newExceptionRig(t)
	code, body := r.submit(t, r.caller.SubmitException("UALICE", r.openModal(t, "UALICE"), "hotfix", "12h"))
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, body)
	assert.Len(t, r.requests(), 1, "the validator was asked")
	assert.Empty(t, r.ctl.Calls(), "and refused")
	require.Len(t, r.fake.Responses(), 1)
	assert.Equal(t, `Refused: alice cannot grant an exception to freeze "black-friday": only a person with the "exec" role can`, r.fake.Responses()[0].Text)
}
