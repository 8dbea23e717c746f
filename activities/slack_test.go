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
