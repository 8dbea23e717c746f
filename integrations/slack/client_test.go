package slack

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

const testToken = "xoxb-test-token"

func newTestClient(t *testing.T) (*Fake, *Client) {
	t.Helper()
	f := NewFake(testToken, "C1")
	t.Cleanup(f.Close)
	return f, New(Options{Token: testToken, APIURL: f.APIURL(), ResponseURLPrefix: f.Server.URL + "/respond/"})
}

func TestClientPostFindUpdate(t *testing.T) {
	f, c := newTestClient(t)
	ctx := context.Background()
	m, err := ApprovalMessage(ApprovalView{ReleaseID: "r1", Title: "T", Approvers: []string{"bob", "carol"}, Required: 2})
	require.NoError(t, err)
	ts, err := c.Post(ctx, "C1", m)
	require.NoError(t, err)
	found, err := c.Find(ctx, "C1", ApprovalKey("r1"))
	require.NoError(t, err)
	assert.Equal(t, ts, found)
	missing, err := c.Find(ctx, "C1", ApprovalKey("r2"))
	require.NoError(t, err)
	assert.Empty(t, missing)

	m, err = ApprovalMessage(ApprovalView{ReleaseID: "r1", Title: "T", Approvers: []string{"bob", "carol"}, Required: 2, Approved: []string{"bob"}})
	require.NoError(t, err)
	require.NoError(t, c.Update(ctx, "C1", ts, m))
	msgs := f.Messages("C1")
	require.Len(t, msgs, 1)
	assert.Equal(t, 1, msgs[0].Updates)
	assert.Contains(t, string(msgs[0].Blocks), "1 of 2 approved (bob)")
	assert.Contains(t, string(msgs[0].Blocks), ActionApprove)
}

func TestClientUserEmailRespondModal(t *testing.T) {
	f, c := newTestClient(t)
	ctx := context.Background()
	f.AddUser("U1", "bob@example.com")
	email, err := c.UserEmail(ctx, "U1")
	require.NoError(t, err)
	assert.Equal(t, "bob@example.com", email)
	_, err = c.UserEmail(ctx, "U404")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls)

	require.NoError(t, c.Respond(ctx, f.ResponseURL(), "you authored this release"))
	err = c.Respond(ctx, "https://evil.example/x", "no")
	require.ErrorIs(t, err, ErrResponseURLRefused, "a response_url outside the prefix is refused")
	cls, _ = Classify(err)
	assert.Equal(t, Permanent, cls, "and refused again: not worth a retry")
	require.Len(t, f.Responses(), 1)
	assert.Equal(t, "you authored this release", f.Responses()[0].Text)

	require.NoError(t, c.OpenReasonModal(ctx, "trig-1", ReasonModal{Action: ActionRollback, ReleaseID: "r1", Title: "Roll back r1", Prompt: "Reason"}))
	require.Len(t, f.Views(), 1)
	assert.Equal(t, ActionRollback+"|r1|", f.Views()[0].PrivateMetadata)
}

func TestClientErrorsClassified(t *testing.T) {
	tests := []struct {
		name    string
		fault   faults.Fault
		channel string
		want    Class
		after   time.Duration
	}{
		{"server error is transient", faults.Fault{Status: http.StatusInternalServerError}, "C1", Transient, 0},
		{"429 carries Retry-After", faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, "C1", RateLimited, 7 * time.Second},
		{"unknown channel is permanent", faults.Fault{}, "C404", Permanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newTestClient(t)
			if tt.fault.Status != 0 {
				f.Faults.Push(tt.fault)
			}
			_, err := c.Post(context.Background(), tt.channel, Message{Key: "k", Text: "x"})
			require.Error(t, err)
			cls, after := Classify(err)
			assert.Equal(t, tt.want, cls)
			assert.Equal(t, tt.after, after)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestCrashAfterCommitIsFoundByKey(t *testing.T) {
	f, c := newTestClient(t)
	f.Faults.Push(faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := c.Post(context.Background(), "C1", Message{Key: "r1/wave-0", Text: "x"})
	require.Error(t, err)
	ts, err := c.Find(context.Background(), "C1", "r1/wave-0")
	require.NoError(t, err)
	assert.NotEmpty(t, ts, "the message the remote created is found, not posted again")
	assert.Len(t, f.Messages("C1"), 1)
}
