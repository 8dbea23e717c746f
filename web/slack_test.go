package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/integrations/retry"
	"github.com/tollgate-dev/tollgate/integrations/retry/retrytest"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

const (
	testSigning = "test-signing-secret"
	testBot     = "xoxb-test"
)

// stubControl records controls and answers like the workflow: refusals from refuse (the
// validator's reason), failures to reach Temporal from fail. With block set, each call signals
// entered and waits for block to be closed.
type stubControl struct {
	mu        sync.Mutex
	calls     []string
	updateIDs []string
	refuse    func(update string, req workflows.Request) error
	fail      func() error
	block     chan struct{}
	entered   chan struct{}
}

func (c *stubControl) Control(ctx context.Context, releaseID, update string, req workflows.Request) (workflows.Response, error) {
	if c.block != nil {
		c.entered <- struct{}{}
		<-c.block
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.updateIDs = append(c.updateIDs, control.UpdateID(ctx))
	if c.fail != nil {
		if err := c.fail(); err != nil {
			return workflows.Response{}, err
		}
	}
	if c.refuse != nil {
		if err := c.refuse(update, req); err != nil {
			return workflows.Response{}, &control.RefusedError{Update: update, ReleaseID: releaseID, Reason: err.Error()}
		}
	}
	c.calls = append(c.calls, releaseID+" "+update+" "+req.Actor+" "+req.Reason)
	return workflows.Response{Message: "ok"}, nil
}

func (c *stubControl) UpdateIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.updateIDs...)
}

func (c *stubControl) Status(_ context.Context, releaseID string) (workflows.Status, error) {
	return workflows.Status{ReleaseID: releaseID, Title: "Shop", Phase: workflows.PhaseApproval, Approval: workflows.ApprovalStatus{Required: 2}}, nil
}

func (c *stubControl) Calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls...)
}

type slackRig struct {
	fake   *tgslack.Fake
	ctl    *stubControl
	slack  *Slack
	caller *tgslack.Caller
	srv    *httptest.Server
	log    *lockedBuffer
	sleeps *retrytest.Sleeps
}

// lockedBuffer is a log destination the background work writes to while a test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newSlackRig serves the Slack endpoints against the fake Slack and a stub controller; tweaks
// adjust the endpoint's and the Slack client's options before they are built.
func newSlackRig(t testing.TB, tweaks ...func(*SlackOptions, *tgslack.Options)) *slackRig {
	t.Helper()
	fake := tgslack.NewFake(testBot, "C1")
	t.Cleanup(fake.Close)
	fake.AddUser("UBOB", "bob@example.com")
	fake.AddUser("UALICE", "alice@example.com")
	fake.AddUser("UNOBODY", "nobody@example.com")
	dir := &governance.Directory{People: []governance.Person{
		{ID: "bob", Email: "bob@example.com"}, {ID: "alice", Email: "alice@example.com", Slack: "UALICE"},
	}}
	ctl := &stubControl{}
	logs, sleeps := &lockedBuffer{}, &retrytest.Sleeps{}
	so := SlackOptions{SigningSecret: testSigning, Directory: dir, Control: ctl, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Retry: retry.Policy{Sleep: sleeps.Sleep}}
	co := tgslack.Options{Token: testBot, APIURL: fake.APIURL(), ResponseURLPrefix: fake.Server.URL + "/respond/"}
	for _, tweak := range tweaks {
		tweak(&so, &co)
	}
	so.Slack = tgslack.New(co)
	s := NewSlack(so)
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &slackRig{fake: fake, ctl: ctl, slack: s, srv: srv, log: logs, sleeps: sleeps,
		caller: &tgslack.Caller{Fake: fake, Endpoint: srv.URL, Secret: testSigning}}
}

func (r *slackRig) send(t *testing.T, req tgslack.Request, retry int) int {
	t.Helper()
	resp, err := r.caller.Send(context.Background(), req, retry)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestSlackApproveClickActsOnceDespiteRetries(t *testing.T) {
	r := newSlackRig(t)
	click := r.caller.Click("UBOB", tgslack.ActionApprove, "shop-1")
	require.Equal(t, http.StatusOK, r.send(t, click, 0))
	retry := click
	retry.TS++ // Slack's retry: same body, new timestamp and signature
	require.Equal(t, http.StatusOK, r.send(t, retry, 1))
	require.Equal(t, http.StatusUnauthorized, r.send(t, click, 0), "an identical request is a replay")
	r.slack.Wait()
	assert.Equal(t, []string{"shop-1 approve bob approved in Slack"}, r.ctl.Calls())
	assert.Empty(t, r.fake.Responses(), "an accepted approval shows in the approval message, not as an answer")
}

func TestSlackRefusalGoesToTheClicker(t *testing.T) {
	r := newSlackRig(t)
	r.ctl.refuse = func(update string, req workflows.Request) error {
		return errors.New("approve release \"shop-1\" refused: " + req.Actor + " authored a change in release \"shop-1\" and cannot approve it")
	}
	r.send(t, r.caller.Click("UALICE", tgslack.ActionApprove, "shop-1"), 0)
	r.send(t, r.caller.Click("UNOBODY", tgslack.ActionApprove, "shop-1"), 0)
	r.slack.Wait()
	var texts []string
	for _, resp := range r.fake.Responses() {
		texts = append(texts, resp.Text)
	}
	require.Len(t, texts, 2)
	assert.Contains(t, strings.Join(texts, "\n"), "alice authored a change")
	assert.Contains(t, strings.Join(texts, "\n"), "UNOBODY is not in the Tollgate directory")
}

func TestSlackRollbackAsksForAReason(t *testing.T) {
	r := newSlackRig(t)
	r.send(t, r.caller.Click("UBOB", tgslack.ActionRollback, "shop-1"), 0)
	r.slack.Wait()
	require.Empty(t, r.ctl.Calls(), "no rollback before the reason")
	views := r.fake.Views()
	require.Len(t, views, 1)
	assert.Equal(t, tgslack.CallbackReason, views[0].CallbackID)
	require.Equal(t, http.StatusOK, r.send(t, r.caller.Submit("UBOB", views[0], "error rate doubled"), 0))
	r.slack.Wait()
	assert.Equal(t, []string{"shop-1 rollback bob error rate doubled"}, r.ctl.Calls())
	require.Len(t, r.fake.Responses(), 1)
	assert.Equal(t, "shop-1: rollback accepted", r.fake.Responses()[0].Text)
}

func TestSlackSlashCommand(t *testing.T) {
	tests := []struct {
		text      string
		wantCall  string
		wantReply string
	}{
		{"status shop-1", "", "Release shop-1 (Shop): phase approval"},
		{"pause shop-1 waiting for the DBA", "shop-1 pause bob waiting for the DBA", "shop-1: pause accepted"},
		{"resume shop-1", "shop-1 resume bob ", "shop-1: resume accepted"},
		{"rollback shop-1 bad canary", "shop-1 rollback bob bad canary", "shop-1: rollback accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := newSlackRig(t)
			require.Equal(t, http.StatusOK, r.send(t, r.caller.Command("UBOB", tt.text), 0))
			r.slack.Wait()
			if tt.wantCall != "" {
				assert.Equal(t, []string{tt.wantCall}, r.ctl.Calls())
			}
			require.Len(t, r.fake.Responses(), 1)
			assert.Contains(t, r.fake.Responses()[0].Text, tt.wantReply)
		})
	}
}

func TestSlackRefusesUnsignedStaleAndOversized(t *testing.T) {
	r := newSlackRig(t)
	stale := r.caller.Command("UBOB", "status shop-1")
	stale.TS -= int64((6 * time.Minute).Seconds())
	assert.Equal(t, http.StatusUnauthorized, r.send(t, stale, 0))

	req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/slack/commands", strings.NewReader("text=status+shop-1"))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	big := r.caller.Command("UBOB", "status "+strings.Repeat("x", MaxSlackBody))
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.send(t, big, 0))
	r.slack.Wait()
	assert.Empty(t, r.ctl.Calls())
	assert.Empty(t, r.fake.Responses())
}
