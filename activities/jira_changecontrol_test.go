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

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// changeRequestFixture is a change request CHG-1 in the fake, with the activity environment.
func changeRequestFixture(t *testing.T) (*testsuite.TestActivityEnvironment, *Activities, *jira.Fake) {
	t.Helper()
	a, fake := jiraActivities(t)
	_, err := a.JiraChangeRequest(context.Background(), JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	return env, a, fake
}

// statusReads counts the status reads of CHG-1 the fake served.
func statusReads(f *jira.Fake) int {
	n := 0
	for _, c := range f.Calls() {
		if c == "GET /rest/api/2/issue/CHG-1" {
			n++
		}
	}
	return n
}

func awaitStatus(t *testing.T, env *testsuite.TestActivityEnvironment, a *Activities, in JiraAwaitStatusInput) (JiraAwaitStatusResult, error) {
	t.Helper()
	val, err := env.ExecuteActivity(a.JiraAwaitStatus, in)
	if err != nil {
		return JiraAwaitStatusResult{}, err
	}
	var res JiraAwaitStatusResult
	require.NoError(t, val.Get(&res))
	return res, nil
}

// cabAfter is the real Jira client with a change board that moves the change request to
// status in the fake once Tollgate has read it `after` times: no timing involved.
type cabAfter struct {
	jira.Tracker
	fake   *jira.Fake
	after  int
	status string
	reads  int
}

func (c *cabAfter) Status(ctx context.Context, key string) (string, error) {
	c.reads++
	if c.reads == c.after+1 {
		c.fake.SetStatus(key, c.status)
	}
	return c.Tracker.Status(ctx, key)
}

func TestJiraAwaitStatusPollsUntilTheCABMovesTheChange(t *testing.T) {
	env, a, fake := changeRequestFixture(t)
	// The CAB approves in Jira after Tollgate has looked twice.
	a.Jira.Tracker = &cabAfter{Tracker: a.Jira.Tracker, fake: fake, after: 2, status: "implement"}
	res, err := awaitStatus(t, env, a, JiraAwaitStatusInput{Key: "CHG-1", WaitFor: "Implement", RejectOn: []string{"Rejected"}, PollEvery: 20 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, JiraAwaitStatusResult{Status: "implement"}, res, "statuses compare ignoring case, as Jira does")
	assert.Equal(t, 3, statusReads(fake), "two reads before the board decided, one after")
}

func TestJiraAwaitStatusStopsOnARejectingStatus(t *testing.T) {
	env, a, fake := changeRequestFixture(t)
	require.True(t, fake.SetStatus("CHG-1", "Cancelled"))
	res, err := awaitStatus(t, env, a, JiraAwaitStatusInput{Key: "CHG-1", WaitFor: "Implement", RejectOn: []string{"Rejected", "Cancelled"}, PollEvery: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, JiraAwaitStatusResult{Status: "Cancelled", Rejected: true}, res)
}

func TestJiraAwaitStatusRidesOutOutagesAndRateLimits(t *testing.T) {
	env, a, fake := changeRequestFixture(t)
	require.True(t, fake.SetStatus("CHG-1", "Implement"))
	fake.Faults.Push(
		faults.Fault{Status: http.StatusServiceUnavailable},
		faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second},
	)
	start := time.Now()
	res, err := awaitStatus(t, env, a, JiraAwaitStatusInput{Key: "CHG-1", WaitFor: "Implement", PollEvery: 10 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, "Implement", res.Status)
	assert.Equal(t, 2, fake.Faults.Injected(), "an outage and a rate limit, then the answer")
	assert.Equal(t, 1, statusReads(fake))
	t.Logf("waited %s (Retry-After 1s honoured)", time.Since(start))
}

func TestJiraAwaitStatusRefusedWhenTheChangeIsGone(t *testing.T) {
	env, a, _ := changeRequestFixture(t)
	_, err := awaitStatus(t, env, a, JiraAwaitStatusInput{Key: "CHG-404", WaitFor: "Implement", PollEvery: time.Millisecond})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	assert.Equal(t, ErrJiraRefused, appErr.Type())
	assert.True(t, appErr.NonRetryable())
	assert.Contains(t, err.Error(), "CHG-404")
}

func TestJiraAwaitStatusWithoutJira(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &Activities{}
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.JiraAwaitStatus, JiraAwaitStatusInput{Key: "CHG-1", WaitFor: "Implement"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "jira is not configured")
}
