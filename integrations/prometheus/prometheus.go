// Package prometheus reads the key health indicators of a release from Prometheus: a small
// Provider interface, the real client (github.com/prometheus/client_golang/api), query
// templates per indicator, and an in-memory fake with fault injection.
//
// Values the judge cannot trust never look like numbers: a gap in a range is NaN, ±Inf is kept
// (analysis classifies it as inconclusive), a series whose newest point is too old is a
// StaleError, and no series at all is ErrNoData. Missing data is never a pass.
package prometheus

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Provider queries a metrics backend. Range returns one value per step from start to end
// inclusive (NaN where the series has no point); Instant returns the value at a time.
type Provider interface {
	Range(ctx context.Context, query string, start, end time.Time, step time.Duration) ([]float64, error)
	Instant(ctx context.Context, query string, at time.Time) (float64, error)
}

// ErrNoData is a query that matched no series: inconclusive, never a pass.
var ErrNoData = errors.New("query returned no series")

// Class says what a caller should do with an error.
type Class string

// Error classes.
const (
	// Retryable: Prometheus unreachable, overloaded or failing (5xx, timeouts); try again.
	Retryable Class = "retryable"
	// Permanent: the query is wrong (bad PromQL, bad template); a retry cannot fix it.
	Permanent Class = "permanent"
	// Inconclusive: the query worked but the data cannot be judged (no series, stale).
	Inconclusive Class = "inconclusive"
)

// Error is a classified query failure. Query is the rendered query, which holds no secrets.
type Error struct {
	Class Class
	Query string
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("prometheus query %q: %s: %v", e.Query, e.Class, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// StaleError is a series whose newest point is older than the freshness bound: a frozen series
// (a scrape target gone) says nothing about the canary.
type StaleError struct {
	Newest, End time.Time
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("stale series: newest point %s is %s before the end of the window", e.Newest.UTC().Format(time.RFC3339), e.End.Sub(e.Newest))
}

// Classify returns the class of err: Permanent for a bad query, Inconclusive for no or stale
// data, Retryable for everything else (unreachable, 5xx, unknown).
func Classify(err error) Class {
	var e *Error
	var stale *StaleError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Class
	case errors.Is(err, ErrNoData), errors.As(err, &stale):
		return Inconclusive
	}
	return Retryable
}
