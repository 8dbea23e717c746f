package test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

// startITSMDriven starts a one-environment release in ITSM-driven mode, approved by two Slack
// clicks, and returns once it waits for its change request (CHG-1) in Jira.
func startITSMDriven(t *testing.T, id string, timeout time.Duration) (*cluster, *saas) {
	c := newCluster(t)
	s := startSaaS(t, c)
	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com", "carol@example.com"}, 2
	spec.ChangeControl = &release.ChangeControl{WaitFor: "Scheduled", RejectOn: []string{"Rejected"},
		PollEvery: release.Duration(time.Second), Timeout: release.Duration(timeout)}
	spec.Normalize()
	spec = signed(t, spec)
	c.startAtApproval(spec)
	s.approveInSlack(t, c, id, "U1", "bob@example.com")
	s.approveInSlack(t, c, id, "U2", "carol@example.com")
	st := c.waitFor(id, "change-control", func(st workflows.Status) bool {
		return st.Phase == workflows.PhaseChangeControl && st.ChangeControl != nil && st.ChangeControl.Key != ""
	})
	require.Equal(t, "CHG-1", st.ChangeControl.Key)
	return c, s
}

func releaseResult(t *testing.T, c *cluster, id string) workflows.ReleaseResult {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res workflows.ReleaseResult
	require.NoError(t, c.client.GetWorkflow(ctx, id, "").Get(ctx, &res))
	return res
}

// TestITSMDrivenReleaseDeploysWhenTheCABSchedulesIt: approved in Slack, the release holds until
// the change board moves the Jira change request to Scheduled, then deploys.
func TestITSMDrivenReleaseDeploysWhenTheCABSchedulesIt(t *testing.T) {
	c, s := startITSMDriven(t, "itsm-1", time.Hour)
	// Held: two polls later nothing is deployed.
	polls := func() int { return countCalls(s.jira.Calls(), "GET /rest/api/2/issue/CHG-1") }
	seen := polls()
	require.Eventually(t, func() bool { return polls() >= seen+2 }, 30*time.Second, 100*time.Millisecond)
	assertStatuses(t, s, "nothing deployed before the change board decided", github.StateQueued)

	require.True(t, s.jira.SetStatus("CHG-1", "Scheduled"))
	res := releaseResult(t, c, "itsm-1")
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)
	issue := s.jira.Issues()[0]
	assert.Equal(t, []string{"Open", "Awaiting Approval", "Scheduled", "Implementing", "Closed"}, issue.History)
	assert.Len(t, s.github.Deployments(), 1)
	st, err := c.ctl.Status(context.Background(), "itsm-1")
	require.NoError(t, err)
	assert.Equal(t, "Scheduled", st.ChangeControl.Status)
}

// TestITSMDrivenReleaseStopsWhenTheCABRejects: a move to Rejected ends the release before any
// deployment.
func TestITSMDrivenReleaseStopsWhenTheCABRejects(t *testing.T) {
	c, s := startITSMDriven(t, "itsm-2", time.Hour)
	require.True(t, s.jira.SetStatus("CHG-1", "Rejected"))
	res := releaseResult(t, c, "itsm-2")
	assert.Equal(t, workflows.OutcomeRejected, res.Outcome)
	assert.Equal(t, `change request CHG-1 moved to "Rejected" in Jira`, res.Reason)
	assertStatuses(t, s, "queued while approval was asked, never deployed", github.StateQueued, github.StateError)
}

// TestITSMDrivenReleaseExpires: nobody decides within the timeout.
func TestITSMDrivenReleaseExpires(t *testing.T) {
	c, s := startITSMDriven(t, "itsm-3", 4*time.Second)
	res := releaseResult(t, c, "itsm-3")
	assert.Equal(t, workflows.OutcomeApprovalExpired, res.Outcome)
	assert.Contains(t, res.Reason, `change request CHG-1 did not reach "Scheduled" within 4s`)
	assertStatuses(t, s, "queued while approval was asked, never deployed", github.StateQueued, github.StateError)
}

// assertStatuses checks the release's one GitHub deployment went through exactly want.
func assertStatuses(t *testing.T, s *saas, msg string, want ...github.State) {
	t.Helper()
	deps := s.github.Deployments()
	require.Len(t, deps, 1, msg)
	assert.Equal(t, want, deps[0].Statuses, msg)
}

func countCalls(calls []string, want string) int {
	n := 0
	for _, c := range calls {
		if c == want {
			n++
		}
	}
	return n
}
