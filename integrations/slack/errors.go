package slack

import (
	"errors"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/tollgate-dev/tollgate/integrations/retry"
)

// Class is how an error from Slack should be treated (retry.Class).
type Class = retry.Class

// Error classes, as retry defines them.
const (
	Transient   = retry.Transient
	RateLimited = retry.RateLimited
	Permanent   = retry.Permanent
)

// Classify says how to treat err, and for rate limits how long Slack asked to wait.
func Classify(err error) (Class, time.Duration) {
	if errors.Is(err, ErrResponseURLRefused) {
		return Permanent, 0
	}
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return RateLimited, rl.RetryAfter
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code >= 500 || sc.Code == http.StatusTooManyRequests || sc.Code == http.StatusRequestTimeout {
			return Transient, 0
		}
		return Permanent, 0
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return Transient, 0
		}
		return Permanent, 0
	}
	return Transient, 0
}
