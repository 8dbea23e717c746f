package activities

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

func slackActivities(t *testing.T) (*Activities, *slack.Fake) {
	t.Helper()
	fake := slack.NewFake("xoxb-act", "C1")
	t.Cleanup(fake.Close)
	return &Activities{Slack: SlackConfig{Channel: "C1", Messenger: slack.New(slack.Options{Token: "xoxb-act", APIURL: fake.APIURL()})}}, fake
}

func TestSlackMessageExactlyOnceAcrossLostAnswers(t *testing.T) {
	a, fake := slackActivities(t)
	ctx := context.Background()
	in := SlackMessageInput{Approval: &slack.ApprovalView{ReleaseID: "r1", Approvers: []string{"bob"}, Required: 1}}
	// conversations.history answers; chat.postMessage posts, then its answer is lost.
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := a.SlackMessage(ctx, in)
	require.Error(t, err, "the answer was lost")
	res, err := a.SlackMessage(ctx, in) // Temporal's retry
	require.NoError(t, err)
	msgs := fake.Messages("C1")
	require.Len(t, msgs, 1, "the retry found the message instead of posting a second")
	assert.Equal(t, msgs[0].TS, res.TS)
	assert.Equal(t, 1, msgs[0].Updates)
}

func TestSlackMessageErrorsClassified(t *testing.T) {
	a, fake := slackActivities(t)
	in := SlackMessageInput{Wave: &slack.WaveView{ReleaseID: "r1", Wave: "w", State: "running"}}
	fake.Faults.Push(faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second})
	_, err := a.SlackMessage(context.Background(), in)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	assert.Equal(t, ErrRateLimited, app.Type())
	assert.Equal(t, 3*time.Second, app.NextRetryDelay())

	a.Slack.Channel = "C404"
	_, err = a.SlackMessage(context.Background(), in)
	require.True(t, errors.As(err, &app))
	assert.Equal(t, ErrSlackRefused, app.Type())
	assert.True(t, app.NonRetryable())
	assert.NotContains(t, err.Error(), "xoxb-act")
}

func TestSlackMessageExceptionGateOncePerKey(t *testing.T) {
	a, fake := slackActivities(t)
	ctx := context.Background()
	view := slack.ExceptionView{ReleaseID: "r1", Wave: "prod", Environments: []string{"prod-eu"}, Freeze: "black-friday",
		Held: "freeze black-friday until 2026-11-30T00:00:00Z", Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	first, err := a.SlackMessage(ctx, SlackMessageInput{Exception: &view, ExceptionIndex: 1})
	require.NoError(t, err)
	again, err := a.SlackMessage(ctx, SlackMessageInput{Exception: &view, ExceptionIndex: 1}) // a retry without the TS
	require.NoError(t, err)
	assert.Equal(t, first.TS, again.TS)
	other, err := a.SlackMessage(ctx, SlackMessageInput{Exception: &view, ExceptionIndex: 2})
	require.NoError(t, err)
	assert.NotEqual(t, first.TS, other.TS, "each held wave has its own gate")

	closed := view
	closed.Closed = "the freeze ended"
	_, err = a.SlackMessage(ctx, SlackMessageInput{Exception: &closed, ExceptionIndex: 1, TS: first.TS})
	require.NoError(t, err)
	msgs := fake.Messages("C1")
	require.Len(t, msgs, 2)
	assert.Equal(t, slack.ExceptionKey("r1", 1), msgs[0].Key)
	assert.Equal(t, slack.ExceptionKey("r1", 2), msgs[1].Key)
	assert.Equal(t, 2, msgs[0].Updates)
	assert.Contains(t, string(msgs[0].Blocks), "Exception gate closed: the freeze ended")
	assert.NotContains(t, string(msgs[0].Blocks), slack.ActionGrantException)
	assert.Contains(t, string(msgs[1].Blocks), slack.ActionGrantException)

	_, err = a.SlackMessage(ctx, SlackMessageInput{Exception: &slack.ExceptionView{ReleaseID: "r1", Wave: "prod"}})
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "an open gate without a freeze cannot be rendered")
	assert.True(t, app.NonRetryable())
}
