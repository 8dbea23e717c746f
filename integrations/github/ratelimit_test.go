package github

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every form of GitHub rate limit, as the fake answers it through the real client: the class
// and the wait, read against the moment the reset was computed from.
func TestRateLimitsClassified(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	tests := []struct {
		name  string
		limit RateLimit
		want  Class
		after time.Duration
	}{
		{"429 with Retry-After", RateLimit{Status: http.StatusTooManyRequests, RetryAfter: "7"}, RateLimited, 7 * time.Second},
		{"429 with Retry-After 0 waits a second", RateLimit{Status: http.StatusTooManyRequests, RetryAfter: "0"}, RateLimited, time.Second},
		{"429 primary waits until the reset", RateLimit{Status: http.StatusTooManyRequests, Remaining: "0", Reset: now.Add(10 * time.Minute)}, RateLimited, 10 * time.Minute},
		{"429 with a reset only", RateLimit{Status: http.StatusTooManyRequests, Reset: now.Add(90 * time.Second)}, RateLimited, 90 * time.Second},
		{"429 secondary with requests left waits a minute", RateLimit{Status: http.StatusTooManyRequests, Remaining: "4000", Reset: now.Add(50 * time.Minute)}, RateLimited, time.Minute},
		{"429 naming nothing waits a minute", RateLimit{Status: http.StatusTooManyRequests}, RateLimited, time.Minute},
		{"403 with Retry-After", RateLimit{Status: http.StatusForbidden, RetryAfter: "30"}, RateLimited, 30 * time.Second},
		{"403 secondary with Retry-After", RateLimit{Status: http.StatusForbidden, RetryAfter: "30", Secondary: true}, RateLimited, 30 * time.Second},
		{"403 secondary naming nothing waits a minute", RateLimit{Status: http.StatusForbidden, Secondary: true}, RateLimited, time.Minute},
		{"403 primary waits until the reset", RateLimit{Status: http.StatusForbidden, Remaining: "0", Reset: now.Add(10 * time.Minute)}, RateLimited, 10 * time.Minute},
		{"403 primary without a reset waits a minute", RateLimit{Status: http.StatusForbidden, Remaining: "0"}, RateLimited, time.Minute},
		{"a reset hours away is capped", RateLimit{Status: http.StatusForbidden, Remaining: "0", Reset: now.Add(5 * time.Hour)}, RateLimited, maxRateLimitWait},
		{"a reset already past waits a second", RateLimit{Status: http.StatusTooManyRequests, Remaining: "0", Reset: now.Add(-time.Minute)}, RateLimited, time.Second},
		{"a 403 that is no rate limit is a refusal", RateLimit{Status: http.StatusForbidden}, Permanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f, teardown := setup(t)
			defer teardown()
			f.PushRateLimit(tt.limit)
			_, err := c.CreateDeployment(context.Background(), DeploymentRequest{Ref: "v1", Environment: "prod", Marker: "m"})
			require.Error(t, err)
			cls, after := classify(err, now)
			assert.Equal(t, tt.want, cls, "%v", err)
			assert.Equal(t, tt.after, after)
			assert.Equal(t, 1, f.RateLimited())
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

// While go-github knows a limit is spent it answers by itself, without calling GitHub; that
// answer is a rate limit with the wait GitHub gave, not a transient failure to retry at once.
func TestRateLimitKnownToTheLibraryWaitsWithoutCallingGitHub(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	tests := []struct {
		name  string
		limit RateLimit
		local any
		after time.Duration
	}{
		{"primary", RateLimit{Status: http.StatusForbidden, Remaining: "0", Reset: now.Add(10 * time.Minute)}, &gh.RateLimitError{}, 10 * time.Minute},
		{"primary answered 429", RateLimit{Status: http.StatusTooManyRequests, Remaining: "0", Reset: now.Add(10 * time.Minute)}, &gh.RateLimitError{}, 10 * time.Minute},
		{"secondary", RateLimit{Status: http.StatusForbidden, RetryAfter: "600", Secondary: true}, &gh.AbuseRateLimitError{}, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f, teardown := setup(t)
			defer teardown()
			f.PushRateLimit(tt.limit)
			_, err := c.FindDeployment(context.Background(), "prod", "m")
			require.Error(t, err)
			err = c.CreateDeploymentStatus(context.Background(), 1, StateSuccess, "x")
			require.Error(t, err)
			switch tt.local.(type) {
			case *gh.RateLimitError:
				var rl *gh.RateLimitError
				require.True(t, errors.As(err, &rl), "go-github answered itself: %v", err)
			case *gh.AbuseRateLimitError:
				var ab *gh.AbuseRateLimitError
				require.True(t, errors.As(err, &ab), "go-github answered itself: %v", err)
			}
			cls, after := Classify(err)
			assert.Equal(t, RateLimited, cls)
			assert.InDelta(t, float64(tt.after), float64(after), float64(2*time.Second))
			assert.Equal(t, 1, f.RateLimited())
			assert.Empty(t, f.Calls(), "the second call never reached GitHub")
		})
	}
}
