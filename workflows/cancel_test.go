package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
)

// cancelAt cancels the release through Temporal after d on the workflow clock.
func (h *harness) cancelAt(d time.Duration) {
	h.env.RegisterDelayedCallback(func() { h.env.CancelWorkflow() }, d)
}

func TestACancelledReleaseStillClosesAndTellsEveryone(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{Slack: true, GitHub: true, Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	slackRec := &slackRecorder{}
	slackRec.install(h)
	h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.cancelAt(30 * time.Minute)
	res := h.run(testSpec())

	assert.Equal(t, OutcomeCancelled, res.Outcome)
	assert.Contains(t, res.Reason, "cancelled through Temporal")
	assert.Contains(t, res.Reason, "in phase approval")
	require.Len(t, h.closed, 1, "the store records the end, so the release's target locks free up")
	assert.Equal(t, string(OutcomeCancelled), h.closed[0].Outcome)
	assert.Positive(t, h.sealed, "the audit trail is sealed")
	assert.Len(t, h.archives, 1, "the archive is written")
	assert.Equal(t, JiraPhaseClosed+"/cancelled", rec.phases[len(rec.phases)-1])
	for _, env := range []string{"staging", "prod-eu", "prod-us"} {
		assert.Equal(t, []github.State{github.StateQueued, github.StateError}, rec.deployments[env], env)
	}
	var closed string
	for _, c := range slackRec.calls {
		if c.Approval != nil {
			closed = c.Approval.Closed
		}
	}
	assert.Equal(t, "cancelled through Temporal", closed, "the approval message loses its buttons")
	assert.Contains(t, h.timelineKinds(), "cancelled")
}

func TestACancellationDuringTheWavesRollsBack(t *testing.T) {
	h := newHarness(t)
	h.stepTime = time.Minute
	h.approveBoth()
	// Deploying starts at 2m and each step takes 1m: the cancellation lands in the first wave.
	h.cancelAt(3*time.Minute + 30*time.Second)
	res := h.run(testSpec())

	assert.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Contains(t, res.Reason, "cancelled through Temporal")
	assert.NotEmpty(t, h.Calls("rollback"), "what the wave touched is undone")
	for _, c := range h.Calls("deploy") {
		assert.NotContains(t, c, "prod-", "nothing reaches production")
	}
	require.Len(t, h.closed, 1)
	assert.Equal(t, string(OutcomeRolledBack), h.closed[0].Outcome)
}

func TestACancellationDuringTheReviewWaitClosesCancelled(t *testing.T) {
	h := newHarness(t)
	h.approveBoth()
	h.cancelAt(3 * time.Hour) // the waves are done within minutes; the review waits 24 hours
	res := h.run(testSpec())

	assert.Equal(t, OutcomeCancelled, res.Outcome)
	assert.Contains(t, res.Reason, "in phase review")
	assert.Empty(t, h.Calls("rollback"), "a cancellation is not a rollback request: what shipped stays")
	require.Len(t, h.closed, 1)
}
