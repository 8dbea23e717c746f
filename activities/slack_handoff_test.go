package activities

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// recordingNotifier counts what reaches the notifier after Slack.
type recordingNotifier struct{ kinds []string }

func (r *recordingNotifier) Notify(_ context.Context, n Notification) error {
	r.kinds = append(r.kinds, n.Kind)
	return nil
}

func TestSlackHandoffPostedOnceToTheSupportChannel(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer st.Close()
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	_, err = st.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeIssue, Service: "cart", Title: "slow cart", Workaround: "retry", CreatedBy: "bob", CreatedAt: at})
	require.NoError(t, err)
	fake := slack.NewFake("xoxb-act", "CREL", "CSUP")
	t.Cleanup(fake.Close)
	next := &recordingNotifier{}
	a := &Activities{Store: st, Diagrams: DiagramRenderer{LookPath: func(string) (string, error) { return "", errors.New("none") }},
		Notifier: &SlackNotifier{Messenger: slack.New(slack.Options{Token: "xoxb-act", APIURL: fake.APIURL()}), Channel: "CSUP", Next: next}}
	spec := release.Spec{Metadata: release.Metadata{ID: "r1", Title: "Shop", Owner: "alice"},
		Services: []release.Service{{Name: "cart", Version: "2.0.0"}},
		Handoff:  release.Handoff{Contact: "support", Channel: "#support", EscalateTo: "sre-lead", EscalateAfter: release.Duration(4 * time.Hour)}}
	in := SendHandoffInput{Kind: NotifyHandoff, Spec: spec, ReviewLink: "kb://review/1", At: at}

	// conversations.history answers; chat.postMessage posts, then its answer is lost.
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err = a.SendHandoff(ctx, in)
	require.Error(t, err, "the answer was lost")
	_, err = a.SendHandoff(ctx, in) // Temporal's retry
	require.NoError(t, err)
	msgs := fake.Messages("CSUP")
	require.Len(t, msgs, 1, "the retry found the handoff message instead of posting a second")
	assert.Equal(t, slack.HandoffKey("r1"), msgs[0].Key)
	for _, want := range []string{slack.ActionAcknowledgeHandoff, "slow cart", "kb://review/1", "release owner: alice", "escalated to sre-lead after 4h0m0s"} {
		assert.Contains(t, string(msgs[0].Blocks), want)
	}
	assert.Empty(t, fake.Messages("CREL"), "handoffs go to the support channel")

	reminder := SendHandoffInput{Kind: NotifyReminder, Spec: spec, Message: "still not acknowledged (reminder 1)", At: at.Add(time.Hour)}
	for range 2 {
		_, err = a.SendHandoff(ctx, reminder)
		require.NoError(t, err)
	}
	escalation := SendHandoffInput{Kind: NotifyEscalation, Spec: spec, To: "sre-lead", Message: "escalated to sre-lead", At: at.Add(4 * time.Hour)}
	_, err = a.SendHandoff(ctx, escalation)
	require.NoError(t, err)
	msgs = fake.Messages("CSUP")
	require.Len(t, msgs, 3, "one reminder despite the retry, one escalation")
	assert.Contains(t, msgs[1].Text, "reminder 1")
	assert.Contains(t, msgs[2].Text, "escalated to sre-lead")
	assert.NotContains(t, string(msgs[1].Blocks), slack.ActionAcknowledgeHandoff, "only the package carries the button")
	assert.Equal(t, []string{NotifyHandoff, NotifyReminder, NotifyReminder, NotifyEscalation}, next.kinds, "the event log still gets every notification")

	// Acknowledged from the CLI: the package message is rewritten in place, its content kept.
	ack := SendHandoffInput{Kind: NotifyAcknowledged, Spec: spec, AcknowledgedBy: "sam", At: at.Add(5 * time.Hour)}
	_, err = a.SendHandoff(ctx, ack)
	require.NoError(t, err)
	msgs = fake.Messages("CSUP")
	require.Len(t, msgs, 3, "rewritten, not posted")
	assert.Equal(t, 1, msgs[0].Updates)
	assert.Contains(t, string(msgs[0].Blocks), "acknowledged by sam at 2026-03-05T15:00:00Z")
	assert.Contains(t, string(msgs[0].Blocks), "slow cart", "the package is still there")
	assert.NotContains(t, string(msgs[0].Blocks), slack.ActionAcknowledgeHandoff, "the button is gone")
	assert.Equal(t, NotifyAcknowledged, next.kinds[len(next.kinds)-1])
}

func TestSlackHandoffRefusedIsNotRetriedAndStillLogged(t *testing.T) {
	fake := slack.NewFake("xoxb-act", "CREL")
	t.Cleanup(fake.Close)
	next := &recordingNotifier{}
	a := &Activities{Notifier: &SlackNotifier{Messenger: slack.New(slack.Options{Token: "xoxb-act", APIURL: fake.APIURL()}), Channel: "CGONE", Next: next}}
	spec := release.Spec{Metadata: release.Metadata{ID: "r1"}, Handoff: release.Handoff{Contact: "support"}}
	_, err := a.SendHandoff(context.Background(), SendHandoffInput{Kind: NotifyReminder, Spec: spec, Message: "still not acknowledged", At: time.Unix(100, 0)})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.True(t, appErr.NonRetryable(), "channel_not_found will not heal by retrying")
	assert.Equal(t, ErrSlackRefused, appErr.Type())
	assert.Contains(t, err.Error(), `handoff of release "r1"`)
	assert.Equal(t, []string{NotifyReminder}, next.kinds, "the event log still gets it")
}
