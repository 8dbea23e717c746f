package jira

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Jira Cloud throttles with 429 and with 503, both carrying Retry-After: either is a rate
// limit with that delay; a 503 without it is an outage.
func TestRetryAfterOn429And503(t *testing.T) {
	tests := []struct {
		name   string
		status int
		after  time.Duration
		want   Class
		delay  time.Duration
	}{
		{"429 with Retry-After", http.StatusTooManyRequests, 7 * time.Second, RateLimited, 7 * time.Second},
		{"503 with Retry-After", http.StatusServiceUnavailable, 12 * time.Second, RateLimited, 12 * time.Second},
		{"429 without a delay waits a second", http.StatusTooManyRequests, 0, RateLimited, time.Second},
		{"503 without a delay is transient", http.StatusServiceUnavailable, 0, Transient, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f, teardown := setup(t, Config{})
			defer teardown()
			f.Throttle(tt.status, tt.after)
			_, err := c.FindChange(context.Background(), "r1")
			require.Error(t, err)
			cls, delay := Classify(err)
			assert.Equal(t, tt.want, cls, "%v", err)
			assert.Equal(t, tt.delay, delay)
			_, err = c.FindChange(context.Background(), "r1")
			assert.NoError(t, err, "one throttled answer, then the search")
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"30":                            30 * time.Second,
		"0":                             0,
		"-5":                            0,
		"":                              0,
		"soon":                          0,
		"Wed, 04 Mar 2026 12:01:30 GMT": 90 * time.Second,
		"Wed, 04 Mar 2026 11:59:00 GMT": 0,
	} {
		assert.Equal(t, want, retryAfter(h, now), "%q", h)
	}
}
