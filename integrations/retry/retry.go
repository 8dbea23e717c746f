// Package retry is how a failed call to Slack, GitHub or Jira should be retried. Each
// integration classifies its own library's errors into these classes, so the activity
// boundary turns all of them into Temporal errors the same way.
package retry

// Class is how an error should be treated by the caller's retry layer.
type Class int

// Error classes.
const (
	// Transient errors are retried with backoff (5xx, network, timeouts).
	Transient Class = iota
	// RateLimited errors are retried after the delay the server asked for.
	RateLimited
	// Permanent errors are never retried (bad input, not found, bad credentials).
	Permanent
)

// FromStatus classifies an HTTP answer: 429 is a rate limit; no answer (0), a 5xx or a 408 is
// transient; any other failure is permanent, since the same request would fail the same way.
func FromStatus(code int) Class {
	switch {
	case code == 429:
		return RateLimited
	case code == 0 || code >= 500 || code == 408:
		return Transient
	}
	return Permanent
}
