package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
)

func TestChangeRequestHearsTheReviewAndClosesWithTheOutcomeStep(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)

	var review string
	for _, c := range rec.comments {
		if strings.HasPrefix(c, "24-hour review filed to the knowledge base (kb:1)") {
			review = c
		}
	}
	assert.NotEmpty(t, review, "the review outcome is commented on the change request: %q", rec.comments)
	closing := slices.Index(rec.order, "comment:Release completed")
	closed := slices.Index(rec.order, "transition:closed/completed")
	require.NotEqual(t, -1, closing, "%q", rec.order)
	require.NotEqual(t, -1, closed, "%q", rec.order)
	assert.Less(t, closing, closed, "the closing comment goes before the close: a closed issue may refuse comments")
	assert.Equal(t, "CHG-shop-1", h.status().Records.ChangeKey, "the status names the change request")
}

func TestARecordNotWrittenIsInTheStatusAndTheAuditTrail(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true, Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	rec.commentErr = func(in activities.JiraCommentInput) error {
		if strings.HasPrefix(in.Body, "Wave pre-prod completed") {
			return temporal.NewNonRetryableApplicationError("jira refused: 400 comment body too long", activities.ErrJiraRefused, nil)
		}
		return nil
	}
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome, "a record is never a reason to stop a release")

	st := h.status()
	require.NotNil(t, st.Records)
	require.Len(t, st.Records.Failures, 1)
	f := st.Records.Failures[0]
	assert.Equal(t, "jira", f.System)
	assert.True(t, strings.HasPrefix(f.Record, "comment shop-1/comment-"), f.Record)
	assert.Contains(t, f.Error, "comment body too long")
	assert.Contains(t, h.timelineKinds(), "record-failed")
	assert.True(t, h.hasAudit("record-failed"), "a missing record is part of the audit trail")
	assert.Len(t, st.Records.Deployments, 3, "the GitHub deployment of each environment")
}

func TestWaveMessagesKeepTheirControlsUntilTheReleaseCloses(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{Slack: true}
	h.stepTime = time.Minute
	rec := &slackRecorder{}
	rec.install(h)
	h.approveBoth()
	// Deploying starts at 2m and each step takes 1m: the pause lands in the first wave.
	h.at(3*time.Minute+30*time.Second, UpdatePause, Request{Actor: "oncall", Reason: "alert on checkout"})
	h.at(20*time.Minute, UpdateResume, Request{Actor: "oncall"})
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)

	var first []activities.SlackMessageInput
	for _, c := range rec.calls {
		if c.Wave != nil && c.WaveIndex == 0 {
			first = append(first, c)
		}
	}
	var reasons []string
	completedOpen := false
	for _, c := range first {
		reasons = append(reasons, c.Wave.Reason)
		if c.Wave.State == string(WaveCompleted) && !c.Wave.Final {
			completedOpen = true
		}
	}
	assert.Contains(t, reasons, "paused by oncall: alert on checkout", "a pause shows on the wave's message")
	assert.Contains(t, reasons, "resumed by oncall")
	assert.True(t, completedOpen, "a finished wave keeps Roll back while the release is still open")
	last := first[len(first)-1].Wave
	assert.True(t, last.Final, "the controls go once the release closed")
	assert.Equal(t, "release completed", last.Reason)
}

func TestALateRejectionClosesTheApprovalMessage(t *testing.T) {
	h, _ := itsmHarness(t)
	h.integrations.Slack = true
	slackRec := &slackRecorder{}
	slackRec.install(h)
	var cab changeAnswer
	cab.install(h, 5*time.Hour, activities.JiraAwaitStatusResult{Status: "Implement"}, nil)
	h.approveBoth()
	h.at(time.Hour, UpdateReject, Request{Actor: "dave", Reason: "customer freeze announced"})
	require.Equal(t, OutcomeRejected, h.run(itsmDriven()).Outcome)

	var last *activities.SlackMessageInput
	for i := range slackRec.calls {
		if slackRec.calls[i].Approval != nil {
			last = &slackRec.calls[i]
		}
	}
	require.NotNil(t, last)
	assert.Equal(t, "rejected by dave: customer freeze announced", last.Approval.Closed,
		"the message said approved when the quorum was met; the rejection in change control replaces it")
}

func TestAChangeCancelledInJiraBetweenWavesStopsTheRelease(t *testing.T) {
	h, rec := itsmHarness(t)
	var cab changeAnswer
	cab.install(h, time.Hour, activities.JiraAwaitStatusResult{Status: "Implement"}, nil)
	rec.checkStatus = func(in activities.JiraCheckStatusInput) activities.JiraAwaitStatusResult {
		if rec.checks == 1 {
			return activities.JiraAwaitStatusResult{Status: "Implementing"}
		}
		return activities.JiraAwaitStatusResult{Status: "Cancelled", Rejected: true}
	}
	h.approveBoth()
	res := h.run(itsmDriven())

	assert.Equal(t, OutcomeRolledBack, res.Outcome, "what was deployed is rolled back")
	assert.Contains(t, res.Reason, `moved to "Cancelled" in Jira before wave production`)
	assert.Equal(t, 2, rec.checks, "read before each wave")
	assert.NotEmpty(t, h.Calls("rollback"), "the first wave is undone")
	for _, c := range h.Calls("deploy") {
		assert.NotContains(t, c, "prod-", "nothing reaches production")
	}
	assert.True(t, h.hasAudit("change-control"))
}

func TestDeploymentsQueuedAtApprovalAndClosedWhenNeverDeployed(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true}
	rec := &itsmRecorder{}
	rec.install(h)
	h.at(time.Minute, UpdateReject, Request{Actor: "bob", Reason: "not this week"})
	require.Equal(t, OutcomeRejected, h.run(testSpec()).Outcome)

	for _, env := range []string{"staging", "prod-eu", "prod-us"} {
		assert.Equal(t, []github.State{github.StateQueued, github.StateError}, rec.deployments[env],
			"%s: visible once approval is asked, then closed as never deployed", env)
	}
}
