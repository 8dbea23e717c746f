package activities

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/retry/retrytest"
)

// issueByKey returns the fake's issue key.
func issueByKey(t *testing.T, fake *jira.Fake, key string) jira.FakeIssue {
	t.Helper()
	for _, is := range fake.Issues() {
		if is.Key == key {
			return is
		}
	}
	t.Fatalf("no issue %s", key)
	return jira.FakeIssue{}
}

// The create's answer is lost and the search index hides the issue past the retry's 15 s, so
// the retry creates a second change request. The release's next transition finds the first one,
// which the workflow never heard of, and closes it as a duplicate, once.
func TestJiraTransitionClosesADuplicateChangeRequest(t *testing.T) {
	a, fake := jiraActivities(t)
	var logs bytes.Buffer
	a.Clock, a.Logger = Clock{Sleep: (&retrytest.Sleeps{}).Sleep}, slog.New(slog.NewTextHandler(&logs, nil))
	fake.SetIndexLag(6)
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})

	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(a)
	env.ExecuteWorkflow(changeRequestWorkflow, JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, env.GetWorkflowError())
	var res JiraChangeRequestResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Len(t, fake.Issues(), 2, "the index hid the first issue past the retry's wait")
	require.Equal(t, "CHG-2", res.Key)

	ctx := context.Background()
	// The index still hides the first issue from the approval's transition; the next one sees it.
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: res.Key, Phase: "approval", ReleaseID: "r1"}))
	assert.Equal(t, "Open", issueByKey(t, fake, "CHG-1").Status)
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: res.Key, Phase: "deploying", ReleaseID: "r1"}))
	dup, kept := issueByKey(t, fake, "CHG-1"), issueByKey(t, fake, "CHG-2")
	assert.Equal(t, "Closed", dup.Status)
	require.Len(t, dup.Comments, 1)
	assert.Contains(t, dup.Comments[0], "Duplicate of CHG-2")
	assert.Equal(t, "Implementing", kept.Status)
	require.Len(t, kept.Comments, 1)
	assert.Contains(t, kept.Comments[0], "CHG-1 duplicated this change request")
	assert.Contains(t, logs.String(), "jira duplicate change request closed")

	// Later steps look again and change nothing more.
	require.NoError(t, a.JiraUpdateChange(ctx, JiraUpdateChangeInput{Key: res.Key, Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}}))
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: res.Key, Phase: "closed", ReleaseID: "r1"}))
	dup, kept = issueByKey(t, fake, "CHG-1"), issueByKey(t, fake, "CHG-2")
	assert.Equal(t, []string{"Open", "Closed"}, dup.History)
	assert.Len(t, dup.Comments, 1)
	assert.Len(t, kept.Comments, 1)
	assert.Equal(t, "Closed", kept.Status)
}

// Looking for duplicates is extra work after the step's own: Jira failing there is logged with
// the duplicate's key and never fails the transition, and the next transition finishes the job.
func TestJiraDuplicateCloseFailureDoesNotFailTheTransition(t *testing.T) {
	a, fake := jiraActivities(t)
	var logs bytes.Buffer
	a.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for _, key := range []string{"CHG-1", "CHG-2"} {
		fake.AddIssue(jira.FakeIssue{Key: key, Project: "CHG", Type: "Change", Status: "Open", History: []string{"Open"},
			Labels: []string{jira.Marker("r1")}, Created: at, Creator: "u"})
		at = at.Add(time.Minute)
	}
	ctx := context.Background()
	// The transition's own calls (get, list transitions, transition), the search, then the
	// duplicate's comment lookup fails.
	ok := faults.Fault{}
	fake.Faults.Push(ok, ok, ok, ok, faults.Fault{Status: http.StatusBadGateway})
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: "CHG-2", Phase: "approval", ReleaseID: "r1"}))
	assert.Equal(t, "Awaiting Approval", issueByKey(t, fake, "CHG-2").Status)
	assert.Equal(t, "Open", issueByKey(t, fake, "CHG-1").Status)
	assert.Contains(t, logs.String(), "jira duplicate change request not closed")
	assert.Contains(t, logs.String(), "duplicate=CHG-1")
	assert.False(t, strings.Contains(logs.String(), "jira-act-token"), "no token in the log")

	// A search that fails is logged too, and the transition still succeeds.
	fake.Faults.Push(ok, ok, ok, faults.Fault{Status: http.StatusBadGateway})
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: "CHG-2", Phase: "deploying", ReleaseID: "r1"}))
	assert.Contains(t, logs.String(), "jira duplicate change requests not searched")
	assert.Equal(t, "Open", issueByKey(t, fake, "CHG-1").Status)

	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: "CHG-2", Phase: "deploying", ReleaseID: "r1"}))
	assert.Equal(t, "Closed", issueByKey(t, fake, "CHG-1").Status)
}
