package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

// blockControls makes every control wait until the returned release function is called.
func (r *slackRig) blockControls() (release func()) {
	r.ctl.block, r.ctl.entered = make(chan struct{}), make(chan struct{}, 16)
	return func() { close(r.ctl.block) }
}

func TestSlackAcknowledgesBeforeTheControlIsApplied(t *testing.T) {
	r := newSlackRig(t)
	release := r.blockControls()
	r.caller.HTTP = &http.Client{Timeout: 10 * time.Second} // a handler waiting for the control fails here
	require.Equal(t, http.StatusOK, r.send(t, r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0))
	<-r.ctl.entered
	assert.Empty(t, r.ctl.Calls(), "answered while the control is still blocked")
	release()
	r.slack.Wait()
	assert.Equal(t, []string{"shop-1 approve bob approved in Slack"}, r.ctl.Calls())
}

func TestSlackControlCarriesTheBodyDigestAsUpdateID(t *testing.T) {
	r := newSlackRig(t)
	click := r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1")
	require.Equal(t, http.StatusOK, r.send(t, click, 0))
	r.slack.Wait()

	// The same request reaching another replica (or this one after a restart, its memory gone)
	// is acted on there, under the same Update ID: Temporal answers it with the first outcome.
	other := NewSlack(r.slack.o)
	mux := http.NewServeMux()
	other.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	retried := click
	retried.TS++
	resp, err := (&tgslack.Caller{Fake: r.fake, Endpoint: srv.URL, Secret: testSigning}).Send(context.Background(), retried, 1)
	require.NoError(t, err)
	resp.Body.Close()
	other.Wait()

	want := SlackUpdateID(click.Body)
	assert.Equal(t, []string{want, want}, r.ctl.UpdateIDs())
	assert.Regexp(t, `^slack-[0-9a-f]{64}$`, want)

	submit := r.caller.Submit("UBOB", tgslack.FakeView{CallbackID: tgslack.CallbackReason, PrivateMetadata: tgslack.ActionPause + "|shop-1|" + r.fake.ResponseURL()}, "DBA")
	command := r.caller.Command("UBOB", "pause shop-1 DBA")
	require.Equal(t, http.StatusOK, r.send(t, submit, 0))
	require.Equal(t, http.StatusOK, r.send(t, command, 0))
	r.slack.Wait()
	ids := r.ctl.UpdateIDs()
	require.Len(t, ids, 4)
	assert.ElementsMatch(t, []string{SlackUpdateID(submit.Body), SlackUpdateID(command.Body)}, ids[2:], "submissions and commands too")
	assert.NotEqual(t, ids[2], ids[3])
}

func TestSlackRetriesTransientSlackFailures(t *testing.T) {
	t.Run("users.info", func(t *testing.T) {
		r := newSlackRig(t)
		r.fake.Faults.Push(faults.Fault{Status: http.StatusServiceUnavailable}, faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
		r.send(t, r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0)
		r.slack.Wait()
		assert.Equal(t, []string{"shop-1 approve bob approved in Slack"}, r.ctl.Calls())
		assert.Empty(t, r.fake.Responses(), "no refusal for a hiccup")
		assert.Equal(t, []time.Duration{250 * time.Millisecond, 2 * time.Second}, r.sleeps.Waits(), "backoff, then Slack's Retry-After")

		r.send(t, r.caller.Click("UBOB", tgslack.ActionResume, "shop-1"), 0)
		r.slack.Wait()
		assert.Equal(t, 1, strings.Count(strings.Join(r.fake.Calls(), " "), "users.info"), "the clicker's email is cached")
	})
	t.Run("views.open", func(t *testing.T) {
		r := newSlackRig(t)
		r.fake.Faults.Push(faults.Fault{Status: http.StatusBadGateway})
		r.send(t, r.caller.Click("UBOB", tgslack.ActionRollback, "shop-1"), 0)
		r.slack.Wait()
		require.Len(t, r.fake.Views(), 1)
		assert.Empty(t, r.fake.Responses())
	})
	t.Run("response_url", func(t *testing.T) {
		r := newSlackRig(t)
		r.fake.Faults.Push(faults.Fault{Status: http.StatusInternalServerError}) // the answer is the fake's first request
		r.send(t, r.caller.Command("UBOB", "status shop-1"), 0)
		r.slack.Wait()
		require.Len(t, r.fake.Responses(), 1)
		assert.Contains(t, r.fake.Responses()[0].Text, "Release shop-1")
		assert.Len(t, r.sleeps.Waits(), 1)
	})
}

func TestSlackTellsRefusalsFromOutages(t *testing.T) {
	tests := []struct {
		name       string
		user       string
		slackDown  bool
		temporal   error
		want       string
		wantResend bool
	}{
		{"validator refusal", "UALICE", false, nil, "Refused: alice may not approve", false},
		{"not in the directory", "UNOBODY", false, nil, "Refused: Slack user UNOBODY is not in the Tollgate directory", false},
		{"Slack down", "UBOB", true, nil, "Tollgate could not reach Slack, try again: slack users.info UBOB: ", true},
		{"Temporal down", "UBOB", false, errors.New("dial tcp 10.0.0.1:7233: connection refused"), "Tollgate could not reach Temporal, try again: dial tcp 10.0.0.1:7233: connection refused", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSlackRig(t)
			r.ctl.refuse = func(_ string, req workflows.Request) error { return errors.New(req.Actor + " may not approve") }
			r.ctl.fail = func() error { return tt.temporal }
			if tt.slackDown {
				r.fake.Faults.Push(faults.Fault{Status: 503}, faults.Fault{Status: 503}, faults.Fault{Status: 503})
			}
			click := r.caller.Click(tt.user, tgslack.ActionApprove, "shop-1")
			r.send(t, click, 0)
			r.slack.Wait()
			require.Len(t, r.fake.Responses(), 1)
			assert.True(t, strings.HasPrefix(r.fake.Responses()[0].Text, tt.want), r.fake.Responses()[0].Text)

			resend := click
			resend.TS++
			r.send(t, resend, 1)
			r.slack.Wait()
			assert.Equal(t, tt.wantResend, len(r.fake.Responses()) == 2, "only a control that reached no decision is acted on again when resent")
		})
	}
}

func TestSlackLogNeverCarriesTheResponseURL(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // the answer cannot be delivered: the client's error is a *url.Error
	r := newSlackRig(t, func(_ *SlackOptions, co *tgslack.Options) { co.ResponseURLPrefix = gone.URL + "/respond/" })
	secret := gone.URL + "/respond/T0001/B0002/s3cr3t-capability"
	payload, err := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "t-1", "response_url": secret, "user": map[string]any{"id": "UNOBODY"},
		"actions": []map[string]any{{"type": "button", "block_id": "tollgate", "action_id": tgslack.ActionApprove, "value": "shop-1", "action_ts": "1"}},
	})
	require.NoError(t, err)
	body := url.Values{"payload": {string(payload)}}.Encode()
	require.Equal(t, http.StatusOK, r.send(t, tgslack.Request{Path: "/slack/interactivity", Body: []byte(body), TS: time.Now().Unix()}, 0))
	r.slack.Wait()
	logs := r.log.String()
	assert.Contains(t, logs, "slack answer not delivered")
	assert.NotContains(t, logs, "s3cr3t-capability")
}

func TestSlackShutdown(t *testing.T) {
	t.Run("waits for acknowledged controls", func(t *testing.T) {
		r := newSlackRig(t)
		release := r.blockControls()
		r.send(t, r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0)
		<-r.ctl.entered
		done := make(chan error, 1)
		go func() { done <- r.slack.Shutdown(context.Background()) }()
		require.Never(t, func() bool { return len(done) > 0 }, 100*time.Millisecond, 10*time.Millisecond, "Shutdown returned with a control in flight")
		release()
		require.NoError(t, <-done)
		assert.Equal(t, []string{"shop-1 approve bob approved in Slack"}, r.ctl.Calls(), "applied before Shutdown returned")
		assert.Equal(t, http.StatusServiceUnavailable, r.send(t, r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0), "nothing new is acknowledged")
	})
	t.Run("reports what its deadline abandons", func(t *testing.T) {
		r := newSlackRig(t)
		release := r.blockControls()
		r.send(t, r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0)
		r.send(t, r.caller.Click("UALICE", tgslack.ActionApprove, "shop-1"), 0)
		<-r.ctl.entered
		<-r.ctl.entered
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := r.slack.Shutdown(ctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "2 slack control(s) acknowledged but not finished at shutdown")
		release()
		r.slack.Wait()
	})
}

func TestSlackBodyReadErrorIsNotCalledTooLarge(t *testing.T) {
	r := newSlackRig(t)
	mux := http.NewServeMux()
	r.slack.Mount(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/slack/interactivity", iotest.ErrReader(errors.New("connection reset by peer"))))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "reading body: connection reset by peer")
	assert.NotContains(t, rec.Body.String(), "1 MiB")
}
