package activities

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

func githubActivities(t *testing.T) (*Activities, *github.Fake) {
	t.Helper()
	fake := github.NewFake("ghp_act", "acme", "shop")
	t.Cleanup(fake.Close)
	c, err := github.New(github.Options{Token: "ghp_act", Repo: "acme/shop", BaseURL: fake.URL()})
	require.NoError(t, err)
	return &Activities{GitHub: GitHubConfig{Deployer: c}}, fake
}

func jiraActivities(t *testing.T) (*Activities, *jira.Fake) {
	t.Helper()
	fake := jira.NewFake("u", "jira-act-token", "Open", jira.FakeChangeWorkflow...)
	t.Cleanup(fake.Close)
	c, err := jira.New(jira.Options{BaseURL: fake.URL(), User: "u", Token: "jira-act-token", Config: jira.Config{Project: "CHG", Transitions: jira.FakeSteps()}})
	require.NoError(t, err)
	return &Activities{Jira: JiraConfig{Tracker: c}}, fake
}

func TestGitHubDeploymentExactlyOnceAcrossLostAnswers(t *testing.T) {
	a, fake := githubActivities(t)
	ctx := context.Background()
	in := GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", Ref: "abc", State: github.StateQueued}
	// The list answers; the create takes effect, then its answer is lost.
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := a.GitHubDeployment(ctx, in)
	require.Error(t, err, "the answer was lost")
	res, err := a.GitHubDeployment(ctx, in) // Temporal's retry
	require.NoError(t, err)
	deps := fake.Deployments()
	require.Len(t, deps, 1, "the retry found the deployment instead of creating a second")
	assert.Equal(t, deps[0].ID, res.ID)
	_, err = a.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", ID: res.ID, State: github.StateSuccess})
	require.NoError(t, err)
	assert.Equal(t, []github.State{github.StateQueued, github.StateSuccess}, fake.Deployments()[0].Statuses)
}

func TestJiraChangeRequestExactlyOnceAcrossLostAnswers(t *testing.T) {
	a, fake := jiraActivities(t)
	ctx := context.Background()
	in := JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}}
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := a.JiraChangeRequest(ctx, in)
	require.Error(t, err)
	res, err := a.JiraChangeRequest(ctx, in)
	require.NoError(t, err)
	require.Len(t, fake.Issues(), 1)
	assert.Equal(t, "CHG-1", res.Key)
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: res.Key, Phase: "approval"}))
	require.NoError(t, a.JiraComment(ctx, JiraCommentInput{Key: res.Key, Body: "approved", Marker: "r1/comment-1"}))
	assert.Equal(t, "Awaiting Approval", fake.Issues()[0].Status)
	assert.Equal(t, []string{"approved\n\n" + jira.CommentRef("r1/comment-1")}, fake.Issues()[0].Comments)
}

func TestJiraCommentExactlyOnceAcrossLostAnswers(t *testing.T) {
	a, fake := jiraActivities(t)
	ctx := context.Background()
	res, err := a.JiraChangeRequest(ctx, JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err)
	in := JiraCommentInput{Key: res.Key, Body: "Wave production completed", Marker: "r1/comment-2"}
	// The look-up answers; the add takes effect, then its answer is lost.
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	require.Error(t, a.JiraComment(ctx, in), "the answer was lost")
	require.NoError(t, a.JiraComment(ctx, in)) // Temporal's retry
	require.NoError(t, a.JiraComment(ctx, JiraCommentInput{Key: res.Key, Body: "Wave production completed", Marker: "r1/comment-3"}))
	assert.Equal(t, []string{
		"Wave production completed\n\n" + jira.CommentRef("r1/comment-2"),
		"Wave production completed\n\n" + jira.CommentRef("r1/comment-3"),
	}, fake.Issues()[0].Comments, "one comment per marker: the retry added nothing, a new step the same text again")
}

func TestGitHubStatusExactlyOnceAcrossLostAnswers(t *testing.T) {
	a, fake := githubActivities(t)
	ctx := context.Background()
	res, err := a.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", Ref: "abc", State: github.StateInProgress, Description: "wave production running"})
	require.NoError(t, err)
	in := GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", ID: res.ID, State: github.StateSuccess, Description: "wave production completed"}
	// The status list answers; the status POST takes effect, then its answer is lost.
	fake.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err = a.GitHubDeployment(ctx, in)
	require.Error(t, err, "the answer was lost")
	_, err = a.GitHubDeployment(ctx, in) // Temporal's retry
	require.NoError(t, err)
	assert.Equal(t, []github.State{github.StateInProgress, github.StateSuccess}, fake.Deployments()[0].Statuses, "no second success")

	in.State, in.Description = github.StateInactive, "rolled back: "+strings.Repeat("x", 200)
	for range 2 { // a long description is cut before it is sent, and the cut one is recognised
		_, err = a.GitHubDeployment(ctx, in)
		require.NoError(t, err)
	}
	assert.Equal(t, []github.State{github.StateInProgress, github.StateSuccess, github.StateInactive}, fake.Deployments()[0].Statuses)
}

func TestITSMErrorsClassifiedAtTheBoundary(t *testing.T) {
	ga, gfake := githubActivities(t)
	ja, jfake := jiraActivities(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func() error
		push      func(...faults.Fault)
		fault     faults.Fault
		wantType  string
		nonRetry  bool
		nextDelay time.Duration
	}{
		{"github 404 is refused", func() error {
			_, err := ga.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "r", Environment: "e", ID: 4040, State: github.StateSuccess})
			return err
		}, gfake.Faults.Push, faults.Fault{}, ErrGitHubRefused, true, 0},
		{"github 429 waits Retry-After", func() error {
			_, err := ga.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "r", Environment: "e", Ref: "x"})
			return err
		}, gfake.Faults.Push, faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second}, ErrRateLimited, false, 3 * time.Second},
		{"jira unknown issue is refused", func() error {
			return ja.JiraComment(ctx, JiraCommentInput{Key: "CHG-404", Body: "x", Marker: "r/comment-1"})
		}, jfake.Faults.Push, faults.Fault{}, ErrJiraRefused, true, 0},
		{"jira 429 waits Retry-After", func() error {
			return ja.JiraComment(ctx, JiraCommentInput{Key: "CHG-1", Body: "x", Marker: "r/comment-1"})
		}, jfake.Faults.Push, faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 4 * time.Second}, ErrRateLimited, false, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault.Status != 0 {
				tt.push(tt.fault)
			}
			err := tt.call()
			var ae *temporal.ApplicationError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, tt.wantType, ae.Type())
			assert.Equal(t, tt.nonRetry, ae.NonRetryable())
			assert.Equal(t, tt.nextDelay, ae.NextRetryDelay())
			assert.NotContains(t, err.Error(), "ghp_act")
			assert.NotContains(t, err.Error(), "jira-act-token")
		})
	}
}

func TestIntegrationsRecordGitHubAndJira(t *testing.T) {
	ga, _ := githubActivities(t)
	ja, _ := jiraActivities(t)
	assert.Equal(t, Integrations{GitHub: true}, ga.integrations())
	assert.Equal(t, Integrations{Jira: true}, ja.integrations())
	assert.Equal(t, Integrations{}, (&Activities{}).integrations())
}
