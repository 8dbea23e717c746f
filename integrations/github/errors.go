package github

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/tollgate-dev/tollgate/integrations/retry"
)

// Class is how an error from GitHub should be treated (retry.Class).
type Class = retry.Class

// Error classes, as retry defines them.
const (
	Transient   = retry.Transient
	RateLimited = retry.RateLimited
	Permanent   = retry.Permanent
)

// Bounds of a rate limit's wait. GitHub's primary limit resets within the hour, so a reset
// further away is a skewed clock or a bad header, not a reason to hold a release for a day;
// a reset already past still waits a second, since the epoch second is rounded down.
const (
	minRateLimitWait = time.Second
	maxRateLimitWait = time.Hour
	// defaultRateLimitWait is GitHub's advice for a secondary limit that names no time:
	// "wait for at least one minute before retrying".
	defaultRateLimitWait = time.Minute
)

// Classify says how to treat err, and for rate limits how long GitHub asked to wait.
//
// GitHub answers a rate limit with 403 or 429: the primary limit with X-RateLimit-Remaining: 0
// and X-RateLimit-Reset (epoch seconds), a secondary limit with Retry-After (seconds) or with
// neither. go-github v60 turns a 403 with Remaining 0 into *RateLimitError and a 403 naming the
// secondary limits' documentation into *AbuseRateLimitError, and, while it believes a limit is
// still exhausted, returns those errors without calling GitHub at all; it never sleeps or
// retries. A 429 reaches us as a plain *ErrorResponse, and so does a 403 with Retry-After whose
// body names no documentation: both are read from their headers here.
func Classify(err error) (Class, time.Duration) { return classify(err, time.Now()) }

func classify(err error, now time.Time) (Class, time.Duration) {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		if d, ok := retryAfter(rl.Response); ok {
			return RateLimited, d
		}
		return RateLimited, untilReset(rl.Rate.Reset.Time, now)
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil {
			return RateLimited, bounded(*ab.RetryAfter)
		}
		return RateLimited, defaultRateLimitWait
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return classifyResponse(er.Response, now)
	}
	return Transient, 0
}

// classifyResponse reads a refused answer's status and rate-limit headers.
func classifyResponse(r *http.Response, now time.Time) (Class, time.Duration) {
	code := r.StatusCode
	if code != http.StatusForbidden && code != http.StatusTooManyRequests {
		return retry.FromStatus(code), 0
	}
	if d, ok := retryAfter(r); ok {
		return RateLimited, d
	}
	remaining, reset := r.Header.Get("X-RateLimit-Remaining"), r.Header.Get("X-RateLimit-Reset")
	if remaining == "0" || (code == http.StatusTooManyRequests && remaining == "" && reset != "") {
		return RateLimited, untilReset(epoch(reset), now)
	}
	if code == http.StatusTooManyRequests {
		// A secondary limit with the primary one not exhausted: its reset is not this wait.
		return RateLimited, defaultRateLimitWait
	}
	return Permanent, 0 // a 403 that is no rate limit: the token may not do this
}

// retryAfter reads Retry-After in seconds, the only form GitHub sends.
func retryAfter(r *http.Response) (time.Duration, bool) {
	if r == nil {
		return 0, false
	}
	s, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || s < 0 {
		return 0, false
	}
	return bounded(time.Duration(s) * time.Second), true
}

// epoch reads X-RateLimit-Reset; the zero time when absent or malformed.
func epoch(h string) time.Time {
	if s, err := strconv.ParseInt(h, 10, 64); err == nil && s > 0 {
		return time.Unix(s, 0)
	}
	return time.Time{}
}

// untilReset is the wait until reset, or GitHub's default when the reset is unknown.
func untilReset(reset, now time.Time) time.Duration {
	if reset.IsZero() {
		return defaultRateLimitWait
	}
	return bounded(reset.Sub(now))
}

func bounded(d time.Duration) time.Duration { return min(max(d, minRateLimitWait), maxRateLimitWait) }
