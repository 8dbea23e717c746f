package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
)

// itsmDriven is the test spec in ITSM-driven mode: wait for Implement, stop on Rejected.
func itsmDriven() release.Spec {
	s := testSpec()
	s.ChangeControl = &release.ChangeControl{WaitFor: "Implement", RejectOn: []string{"Rejected", "Cancelled"}, Timeout: release.Duration(6 * time.Hour)}
	s.Normalize()
	return s
}

// changeAnswer mocks the Jira poll: it answers res (or err) after wait on the workflow clock,
// and records its inputs.
type changeAnswer struct {
	mu     sync.Mutex
	inputs []activities.JiraAwaitStatusInput
}

func (c *changeAnswer) install(h *harness, wait time.Duration, res activities.JiraAwaitStatusResult, err error) {
	a := &activities.Activities{}
	h.env.OnActivity(a.JiraAwaitStatus, mock.Anything, mock.Anything).After(wait).Return(func(_ context.Context, in activities.JiraAwaitStatusInput) (activities.JiraAwaitStatusResult, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.inputs = append(c.inputs, in)
		return res, err
	})
}

func itsmHarness(t *testing.T) (*harness, *itsmRecorder) {
	h := newHarness(t)
	h.integrations = activities.Integrations{Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	return h, rec
}

func (h *harness) timelineKinds() []string {
	var out []string
	for _, ev := range h.status().Timeline {
		out = append(out, ev.Kind)
	}
	return out
}

func TestChangeControlDeploysOnlyOnceJiraAuthorizes(t *testing.T) {
	h, rec := itsmHarness(t)
	var cab changeAnswer
	cab.install(h, 3*time.Hour, activities.JiraAwaitStatusResult{Status: "Implement"}, nil)
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(itsmDriven()).Outcome)

	require.Len(t, cab.inputs, 1)
	assert.Equal(t, activities.JiraAwaitStatusInput{Key: "CHG-shop-1", WaitFor: "Implement", RejectOn: []string{"Rejected", "Cancelled"}, PollEvery: time.Minute}, cab.inputs[0])
	st := h.status()
	require.NotNil(t, st.ChangeControl)
	assert.Equal(t, "Implement", st.ChangeControl.Status)
	assert.Equal(t, 3*time.Hour, st.ChangeControl.Decided.Sub(st.ChangeControl.Since))
	starts := h.stepStarts()
	require.NotEmpty(t, starts)
	assert.False(t, starts[0].Before(st.ChangeControl.Decided), "no step before Jira authorized the change")
	assert.Contains(t, h.timelineKinds(), "change-authorized")
	assert.True(t, h.hasAudit("change-control"))
	for _, au := range h.audits {
		if au.Kind == "change-control" {
			assert.Equal(t, "jira:CHG-shop-1", au.Actor, "the decision's owner is the change request")
		}
	}
	assert.Contains(t, rec.comments, "Approved in Tollgate. Deployment waits for this change request to reach Implement.")
}

func TestChangeControlStopsWhenJiraRejects(t *testing.T) {
	h, _ := itsmHarness(t)
	var cab changeAnswer
	cab.install(h, 30*time.Minute, activities.JiraAwaitStatusResult{Status: "Rejected", Rejected: true}, nil)
	h.approveBoth()
	res := h.run(itsmDriven())
	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Equal(t, `change request CHG-shop-1 moved to "Rejected" in Jira`, res.Reason)
	assert.Empty(t, h.Calls("deploy"), "nothing deployed")
	assert.Contains(t, h.timelineKinds(), "change-rejected")
}

func TestChangeControlTollgateRejectionEndsTheWait(t *testing.T) {
	h, _ := itsmHarness(t)
	var cab changeAnswer
	cab.install(h, 5*time.Hour, activities.JiraAwaitStatusResult{Status: "Implement"}, nil)
	h.approveBoth()
	outsider := h.at(30*time.Minute, UpdateReject, Request{Actor: "mallory", Reason: "no"})
	late := h.at(time.Hour, UpdateReject, Request{Actor: "dave", Reason: "customer freeze announced"})
	res := h.run(itsmDriven())
	require.NoError(t, late.rejected)
	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Equal(t, "rejected by dave: customer freeze announced", res.Reason)
	assert.Error(t, outsider.rejected, "only an approver may stop the change")
	assert.Empty(t, h.Calls("deploy"))
}

func TestChangeControlExpires(t *testing.T) {
	h, _ := itsmHarness(t)
	var cab changeAnswer
	cab.install(h, 0, activities.JiraAwaitStatusResult{}, temporal.NewTimeoutError(0, nil))
	h.approveBoth()
	res := h.run(itsmDriven())
	assert.Equal(t, OutcomeApprovalExpired, res.Outcome)
	assert.Equal(t, `change request CHG-shop-1 did not reach "Implement" within 6h0m0s`, res.Reason)
	assert.Empty(t, h.Calls("deploy"))
}

func TestChangeControlFailsClosed(t *testing.T) {
	t.Run("without jira", func(t *testing.T) {
		h := newHarness(t)
		res := h.run(itsmDriven())
		assert.Equal(t, OutcomeInvalid, res.Outcome)
		assert.Contains(t, res.Reason, "changeControl needs the Jira integration")
	})
	t.Run("local change records only", func(t *testing.T) {
		h := newHarness(t)
		h.integrations = activities.Integrations{LocalChanges: true}
		(&itsmRecorder{}).install(h)
		res := h.run(itsmDriven())
		assert.Equal(t, OutcomeInvalid, res.Outcome, "nobody moves a local record: the change board works in Jira")
		assert.Contains(t, res.Reason, "changeControl needs the Jira integration")
	})
	t.Run("change request never created", func(t *testing.T) {
		h := newHarness(t)
		h.integrations = activities.Integrations{Jira: true}
		a := &activities.Activities{}
		h.env.OnActivity(a.JiraChangeRequest, mock.Anything, mock.Anything).Return(activities.JiraChangeRequestResult{},
			temporal.NewNonRetryableApplicationError("jira create change request: HTTP 400: field customfield_1 is required", activities.ErrJiraRefused, nil))
		h.env.OnActivity(a.JiraComment, mock.Anything, mock.Anything).Return(nil)
		h.env.OnActivity(a.JiraTransition, mock.Anything, mock.Anything).Return(nil)
		h.approveBoth()
		res := h.run(itsmDriven())
		assert.Equal(t, OutcomeInvalid, res.Outcome)
		assert.Contains(t, res.Reason, "no Jira change request to follow: jira create change request: HTTP 400")
	})
	t.Run("change request cannot be read", func(t *testing.T) {
		h, _ := itsmHarness(t)
		var cab changeAnswer
		cab.install(h, 0, activities.JiraAwaitStatusResult{}, temporal.NewNonRetryableApplicationError("jira status of CHG-shop-1: HTTP 404", activities.ErrJiraRefused, nil))
		h.approveBoth()
		res := h.run(itsmDriven())
		assert.Equal(t, OutcomeInvalid, res.Outcome)
		assert.Contains(t, res.Reason, "change request CHG-shop-1 cannot be followed")
	})
}

// A release without changeControl never asks for the version, so its history has no marker.
func TestChangeControlAbsentRecordsNothing(t *testing.T) {
	h, _ := itsmHarness(t)
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)
	assert.Nil(t, h.status().ChangeControl)
	assert.NotContains(t, h.timelineKinds(), "change-control")
}
