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

	"github.com/tollgate-dev/tollgate/integrations/github"
)

// The environment's kind is the workflow's to say and is sent either way; a success retires
// the environment's previous release.
func TestGitHubDeploymentProductionAndAutoInactive(t *testing.T) {
	a, fake := githubActivities(t)
	ctx := context.Background()
	for _, in := range []GitHubDeploymentInput{
		{ReleaseID: "r1", Environment: "prod-eu", Ref: "abc", State: github.StateSuccess, Production: true},
		{ReleaseID: "r1", Environment: "staging", Ref: "abc", State: github.StateSuccess},
		{ReleaseID: "r2", Environment: "prod-eu", Ref: "def", State: github.StateInProgress, Production: true},
	} {
		_, err := a.GitHubDeployment(ctx, in)
		require.NoError(t, err)
	}
	deps := fake.Deployments()
	require.Len(t, deps, 3)
	for i, want := range []bool{true, false, true} {
		require.NotNil(t, deps[i].Production, "production_environment sent: %s", deps[i])
		assert.Equal(t, want, *deps[i].Production, "%s", deps[i])
		require.NotNil(t, deps[i].Transient)
		assert.False(t, *deps[i].Transient)
	}
	assert.Equal(t, []github.State{github.StateSuccess}, deps[0].Statuses, "an in-progress release retires nothing")
	assert.Equal(t, []*bool{githubBool(true)}, deps[0].AutoInactive, "auto_inactive sent with a success")
	assert.Equal(t, []*bool{githubBool(false)}, deps[2].AutoInactive, "and sent false with anything else")

	_, err := a.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "r2", Environment: "prod-eu", ID: deps[2].ID, State: github.StateSuccess})
	require.NoError(t, err)
	deps = fake.Deployments()
	assert.Equal(t, []github.State{github.StateSuccess, github.StateInactive}, deps[0].Statuses, "r1 in prod-eu retired by r2's success")
	assert.Equal(t, []github.State{github.StateSuccess}, deps[1].Statuses, "another environment is left alone")
}

func TestGitHubDeploymentOfUnknownRefRefused(t *testing.T) {
	a, fake := githubActivities(t)
	fake.AddRefs("main")
	_, err := a.GitHubDeployment(context.Background(), GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", Ref: "v9.9.9", State: github.StateQueued})
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae), "got %v", err)
	assert.Equal(t, ErrGitHubRefused, ae.Type())
	assert.True(t, ae.NonRetryable())
	assert.Contains(t, err.Error(), "No ref found for: v9.9.9")
	assert.Empty(t, fake.Deployments())
}

// GitHub's rate limits wait as GitHub asks: a 403 with Retry-After is a secondary limit, not a
// refusal; a 429 without Retry-After waits until X-RateLimit-Reset, and go-github, which then
// knows the limit is spent, refuses the next call itself with the same wait.
func TestGitHubDeploymentRateLimitsWaitAsGitHubAsks(t *testing.T) {
	in := GitHubDeploymentInput{ReleaseID: "r1", Environment: "prod", Ref: "abc", State: github.StateQueued}
	tests := []struct {
		name  string
		limit github.RateLimit
		calls int
		want  time.Duration
	}{
		{"403 with Retry-After", github.RateLimit{Status: http.StatusForbidden, RetryAfter: "45"}, 1, 45 * time.Second},
		{"429 until the reset", github.RateLimit{Status: http.StatusTooManyRequests, Remaining: "0", Reset: time.Now().Add(20 * time.Minute)}, 2, 20 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, fake := githubActivities(t)
			fake.PushRateLimit(tt.limit)
			for range tt.calls {
				_, err := a.GitHubDeployment(context.Background(), in)
				var ae *temporal.ApplicationError
				require.True(t, errors.As(err, &ae), "got %v", err)
				assert.Equal(t, ErrRateLimited, ae.Type())
				assert.False(t, ae.NonRetryable())
				assert.InDelta(t, float64(tt.want), float64(ae.NextRetryDelay()), float64(2*time.Second))
			}
			assert.Equal(t, 1, fake.RateLimited(), "only the first call reached GitHub")
			assert.Empty(t, fake.Deployments())
		})
	}
}

func githubBool(v bool) *bool { return &v }
