package jira

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	jiraapi "github.com/andygrunwald/go-jira"

	"github.com/tollgate-dev/tollgate/integrations/retry"
)

// Class is how an error from Jira should be treated (retry.Class).
type Class = retry.Class

// Error classes, as retry defines them.
const (
	Transient   = retry.Transient
	RateLimited = retry.RateLimited
	Permanent   = retry.Permanent
)

// Error is a failed Jira call with the HTTP status the library leaves in its response.
type Error struct {
	Op         string
	Status     int
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("jira %s: HTTP %d: %v", e.Op, e.Status, e.Err)
	}
	return fmt.Sprintf("jira %s: %v", e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// wrap records the response's status and Retry-After; go-jira's own error carries neither.
func wrap(op string, resp *jiraapi.Response, err error) error {
	e := &Error{Op: op, Err: err}
	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
		if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return e
}

// Classify says how to treat err, and for rate limits how long Jira asked to wait.
func Classify(err error) (Class, time.Duration) {
	if errors.Is(err, ErrTruncated) {
		return Permanent, 0 // the same query truncates again
	}
	var e *Error
	if !errors.As(err, &e) {
		return Transient, 0
	}
	if cls := retry.FromStatus(e.Status); cls != RateLimited {
		return cls, 0
	}
	return RateLimited, max(e.RetryAfter, time.Second)
}
