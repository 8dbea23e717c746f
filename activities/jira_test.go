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
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/retry/retrytest"
)

// changeRequestWorkflow schedules JiraChangeRequest as the release workflow does (30 s
// StartToClose, retried), so the retry is a real second attempt.
func changeRequestWorkflow(ctx workflow.Context, in JiraChangeRequestInput) (JiraChangeRequestResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3}})
	var a *Activities
	var res JiraChangeRequestResult
	err := workflow.ExecuteActivity(ctx, a.JiraChangeRequest, in).Get(ctx, &res)
	return res, err
}

// The create takes effect but its answer is lost; Jira's search index then hides the new issue
// from the retry's first searches. The retry waits for the index instead of creating again.
func TestJiraChangeRequestWaitsForTheSearchIndexOnRetry(t *testing.T) {
	tests := []struct {
		name   string
		cloud  bool
		lag    int
		issues int
		waited []time.Duration
	}{
		{"data center, hidden for 2 searches", false, 2, 1, []time.Duration{time.Second, 2 * time.Second}},
		{"cloud, hidden for 2 searches", true, 2, 1, []time.Duration{time.Second, 2 * time.Second}},
		{"index current", false, 0, 1, nil},
		// Past the budget the retry creates: 15 s of waiting, then a second issue.
		{"hidden beyond 15 s", false, 6, 2, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jira.NewFake("u", "jira-act-token", "Open", jira.FakeChangeWorkflow...)
			t.Cleanup(fake.Close)
			fake.SetCloud(tt.cloud)
			c, err := jira.New(jira.Options{BaseURL: fake.URL(), User: "u", Token: "jira-act-token",
				Config: jira.Config{Project: "CHG", Cloud: tt.cloud}})
			require.NoError(t, err)
			w := &retrytest.Sleeps{}
			a := &Activities{Jira: JiraConfig{Tracker: c}, Clock: Clock{Sleep: w.Sleep}}
			fake.SetIndexLag(tt.lag)
			// The first search answers; the create takes effect, then its answer is lost.
			fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})

			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			env.RegisterActivity(a)
			env.ExecuteWorkflow(changeRequestWorkflow, JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var res JiraChangeRequestResult
			require.NoError(t, env.GetWorkflowResult(&res))
			assert.Len(t, fake.Issues(), tt.issues)
			if tt.issues == 1 {
				assert.Equal(t, "CHG-1", res.Key, "the issue the lost answer named")
			}
			assert.Equal(t, tt.waited, w.Waits())
		})
	}
}

// A first attempt that finds nothing creates at once: nothing can have been created before it.
func TestJiraChangeRequestFirstAttemptDoesNotWait(t *testing.T) {
	a, fake := jiraActivities(t)
	w := &retrytest.Sleeps{}
	a.Clock = Clock{Sleep: w.Sleep}
	fake.SetIndexLag(5)
	res, err := a.JiraChangeRequest(context.Background(), JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err)
	assert.Equal(t, "CHG-1", res.Key)
	assert.Empty(t, w.Waits())
}

// Jira Cloud throttles with 503 as well as 429; with Retry-After both wait that long.
func TestJiraThrottlingWaitsRetryAfter(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			a, fake := jiraActivities(t)
			fake.Throttle(status, 9*time.Second)
			_, err := a.JiraChangeRequest(context.Background(), JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
			var ae *temporal.ApplicationError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, ErrRateLimited, ae.Type())
			assert.False(t, ae.NonRetryable())
			assert.Equal(t, 9*time.Second, ae.NextRetryDelay())
			assert.NotContains(t, err.Error(), "jira-act-token")
		})
	}
}
