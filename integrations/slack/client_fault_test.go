package slack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

// countingTransport counts the requests a client sends, whatever the fake answers.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestClientLeavesRetriesToItsCaller(t *testing.T) {
	tests := []struct {
		name  string
		fault faults.Fault
		want  Class
	}{
		{"5xx", faults.Fault{Status: http.StatusInternalServerError}, Transient},
		{"503", faults.Fault{Status: http.StatusServiceUnavailable}, Transient},
		{"429", faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second}, RateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFake(testToken, "C1")
			t.Cleanup(f.Close)
			rt := &countingTransport{}
			c := New(Options{Token: testToken, APIURL: f.APIURL(), HTTP: &http.Client{Transport: rt, Timeout: 10 * time.Second}})
			f.Faults.Push(tt.fault)
			_, err := c.Post(context.Background(), "C1", Message{Key: "r1/approval", Text: "x"})
			require.Error(t, err)
			cls, _ := Classify(err)
			assert.Equal(t, tt.want, cls)
			assert.Equal(t, int32(1), rt.n.Load(), "slack-go's own retries are off: one request, one answer")
			assert.Empty(t, f.Calls(), "no second request got past the fault")
			assert.Empty(t, f.Messages("C1"))
		})
	}
}

func TestSlowAnswerBeyondTheClientTimeoutIsTransient(t *testing.T) {
	f := NewFake(testToken, "C1")
	t.Cleanup(f.Close)
	f.AddUser("U1", "bob@example.com")
	c := New(Options{Token: testToken, APIURL: f.APIURL(), ResponseURLPrefix: f.Server.URL + "/respond/",
		HTTP: &http.Client{Timeout: 50 * time.Millisecond}})
	ctx := context.Background()

	f.Faults.Push(faults.Fault{Delay: 5 * time.Second})
	_, err := c.UserEmail(ctx, "U1")
	require.Error(t, err)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.Timeout())
	cls, _ := Classify(err)
	assert.Equal(t, Transient, cls)

	responseURL := f.ResponseURL()
	f.Faults.Push(faults.Fault{Delay: 5 * time.Second})
	err = c.Respond(ctx, responseURL, "late")
	require.Error(t, err)
	cls, _ = Classify(err)
	assert.Equal(t, Transient, cls, "a redacted error still classifies")
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.Timeout())
	assert.NotContains(t, err.Error(), responseURL)

	email, err := c.UserEmail(ctx, "U1")
	require.NoError(t, err, "the next call, answered in time, succeeds")
	assert.Equal(t, "bob@example.com", email)
}

func TestRespondErrorsNeverCarryTheResponseURL(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // connection refused: slack-go returns a *url.Error naming the URL
	secret := gone.URL + "/respond/T0001/B0002/s3cr3t-capability"
	c := New(Options{Token: testToken, ResponseURLPrefix: gone.URL + "/respond/"})

	err := c.Respond(context.Background(), secret, "hello")
	require.Error(t, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "s3cr3t-capability", "no error in the chain names the capability")
	}
	assert.Contains(t, err.Error(), gone.URL+redactedPath, "the host stays, to diagnose the failure")
	cls, _ := Classify(err)
	assert.Equal(t, Transient, cls)

	plain := errors.New("nothing secret")
	assert.Same(t, plain, redactURL(plain, secret), "errors without the URL pass unchanged")
	assert.NotContains(t, redactURL(errors.New("bad "+secret), secret).Error(), "s3cr3t")
}

func TestWaveRollBackAsksForConfirmation(t *testing.T) {
	msg, err := WaveMessage(0, WaveView{ReleaseID: "r1", Wave: "prod", Environments: []string{"prod-eu"}, State: "running"})
	require.NoError(t, err)
	var blocks slackapi.Blocks
	require.NoError(t, blocks.UnmarshalJSON(msg.Blocks))
	buttons := map[string]*slackapi.ButtonBlockElement{}
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slackapi.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slackapi.ButtonBlockElement); ok {
					buttons[btn.ActionID] = btn
				}
			}
		}
	}
	require.Contains(t, buttons, ActionRollback)
	confirm := buttons[ActionRollback].Confirm
	require.NotNil(t, confirm, "Roll back asks before anything happens")
	assert.Equal(t, "Roll back?", confirm.Title.Text)
	assert.Equal(t, "Roll back", confirm.Confirm.Text)
	assert.Equal(t, "Cancel", confirm.Deny.Text)
	assert.Equal(t, slackapi.StyleDanger, buttons[ActionRollback].Style)
	for _, id := range []string{ActionPause, ActionResume} {
		require.Contains(t, buttons, id)
		assert.Nil(t, buttons[id].Confirm, "%s needs no confirmation", id)
	}

	final, err := WaveMessage(0, WaveView{ReleaseID: "r1", Wave: "prod", State: "rolled back", Final: true})
	require.NoError(t, err)
	assert.NotContains(t, string(final.Blocks), ActionRollback, "a finished wave has no buttons")
}
