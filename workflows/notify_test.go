package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
)

// slackRecorder mocks SlackMessage and records every call.
type slackRecorder struct {
	mu    sync.Mutex
	calls []activities.SlackMessageInput
}

func (s *slackRecorder) install(h *harness) {
	a := &activities.Activities{}
	h.env.OnActivity(a.SlackMessage, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SlackMessageInput) (activities.SlackMessageResult, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls = append(s.calls, in)
		if in.TS != "" {
			return activities.SlackMessageResult{TS: in.TS}, nil
		}
		return activities.SlackMessageResult{TS: fmt.Sprintf("ts-%d", len(s.calls))}, nil
	})
}

func TestSlackMessagesFollowApprovalAndWaves(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{Slack: true}
	rec := &slackRecorder{}
	rec.install(h)
	h.approveBoth()
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome)

	var approvals, waves []activities.SlackMessageInput
	for _, c := range rec.calls {
		if c.Approval != nil {
			approvals = append(approvals, c)
		} else {
			waves = append(waves, c)
		}
	}
	require.GreaterOrEqual(t, len(approvals), 3, "requested, each approval, closed")
	assert.Empty(t, approvals[0].TS, "the first message is posted")
	assert.Empty(t, approvals[0].Approval.Approved)
	for _, c := range approvals[1:] {
		assert.Equal(t, "ts-1", c.TS, "later changes update the same message")
	}
	last := approvals[len(approvals)-1].Approval
	assert.Equal(t, []string{"bob", "carol"}, last.Approved)
	assert.Equal(t, "approved by bob, carol", last.Closed)
	assert.Contains(t, last.Gates, "integrity: passed")

	// Bursts of changes are merged into one update, so the number of updates depends on timing;
	// what must hold is one message per wave, posted once, updated in place, ending final.
	byWave := map[int][]activities.SlackMessageInput{}
	for _, w := range waves {
		byWave[w.WaveIndex] = append(byWave[w.WaveIndex], w)
	}
	require.Len(t, byWave, 2, "one message per wave")
	for i := range 2 {
		msgs := byWave[i]
		require.NotEmpty(t, msgs)
		assert.Empty(t, msgs[0].TS, "wave %d: the first message is posted", i)
		for _, m := range msgs[1:] {
			assert.NotEmpty(t, m.TS, "wave %d: later changes update the same message", i)
		}
		last := msgs[len(msgs)-1].Wave
		assert.Equal(t, "completed", last.State, "wave %d", i)
		assert.True(t, last.Final, "wave %d", i)
	}
}

func TestNoSlackMessagesWithoutSlack(t *testing.T) {
	h := newHarness(t)
	rec := &slackRecorder{}
	rec.install(h)
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)
	assert.Empty(t, rec.calls, "a worker without Slack adds no command to a release")
}
