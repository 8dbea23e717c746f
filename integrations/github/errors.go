package github

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Class is how an error from GitHub should be treated by the caller's retry layer.
type Class int

// Error classes.
const (
	// Transient errors are retried with backoff (5xx, network, timeouts).
	Transient Class = iota
	// RateLimited errors are retried after the returned delay.
	RateLimited
	// Permanent errors are never retried (404, 422, bad credentials).
	Permanent
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
		code := er.Response.StatusCode
		switch {
		case code == http.StatusTooManyRequests:
			return RateLimited, retryAfter(er.Response.Header.Get("Retry-After"))
		case code >= 500 || code == http.StatusRequestTimeout:
			return Transient, 0
		}
		return Permanent, 0
	}
	return Transient, 0
}

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}
