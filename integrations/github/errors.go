package github

import (
	"errors"
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

// Classify says how to treat err, and for rate limits how long GitHub asked to wait.
func Classify(err error) (Class, time.Duration) {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return RateLimited, max(time.Until(rl.Rate.Reset.Time), time.Second)
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil {
			return RateLimited, *ab.RetryAfter
		}
		return RateLimited, time.Minute
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		if cls := retry.FromStatus(er.Response.StatusCode); cls != RateLimited {
			return cls, 0
		}
		return RateLimited, retryAfter(er.Response.Header.Get("Retry-After"))
	}
	return Transient, 0
}

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}
