package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	// Detail is what Jira's answer said (errorMessages, then errors by field), when it said
	// anything: go-jira's error is only "request failed … Status code: 400".
	Detail string
	Err    error
}

func (e *Error) Error() string {
	if e.Status != 0 && e.Detail != "" {
		return fmt.Sprintf("jira %s: HTTP %d: %s", e.Op, e.Status, e.Detail)
	}
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
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if resp.Body != nil {
			// Unread unless go-jira's NewJiraError took it (its error then says the same).
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			e.Detail = detail(body)
		}
	}
	return e
}

// maxErrorBody bounds what is read of an error answer; Jira's are a few hundred bytes.
const maxErrorBody = 16 << 10

// detail renders Jira's error body, {"errorMessages": […], "errors": {field: message}}, in a
// stable order; "" when the body is not that shape or says nothing.
func detail(body []byte) string {
	var b struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	parts := slices.DeleteFunc(b.ErrorMessages, func(s string) bool { return strings.TrimSpace(s) == "" })
	for _, k := range slices.Sorted(maps.Keys(b.Errors)) {
		parts = append(parts, k+": "+b.Errors[k])
	}
	return strings.Join(parts, "; ")
}

// retryAfter reads a Retry-After header: delay-seconds, as Jira sends it, or an HTTP date;
// 0 when absent, unreadable or past.
func retryAfter(h string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now).Round(time.Second), 0)
	}
	return 0
}

// Classify says how to treat err, and for rate limits how long Jira asked to wait. Jira Cloud
// throttles with 429, and also with 503 carrying Retry-After (Atlassian's rate-limiting
// guide): a 503 with Retry-After is a rate limit with that delay, one without it an outage
// retried with the caller's backoff.
func Classify(err error) (Class, time.Duration) {
	if errors.Is(err, ErrTruncated) {
		return Permanent, 0 // the same query truncates again
	}
	var e *Error
	if !errors.As(err, &e) {
		return Transient, 0
	}
	if e.Status == http.StatusServiceUnavailable && e.RetryAfter > 0 {
		return RateLimited, e.RetryAfter
	}
	if cls := retry.FromStatus(e.Status); cls != RateLimited {
		return cls, 0
	}
	return RateLimited, max(e.RetryAfter, time.Second)
}
