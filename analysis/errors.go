package analysis

import "errors"

// Errors returned by the statistics functions. They are sentinel values so
// callers (activities) can classify bad input as non-retryable with errors.Is.
var (
	// ErrEmptySample means one of the samples has no values; a test needs at
	// least one value on each side.
	ErrEmptySample = errors.New("analysis: empty sample")
	// ErrNonFinite means a sample holds NaN or ±Inf. NaN cannot be ranked, and
	// an infinite latency is a scrape artefact, so callers must clean first.
	ErrNonFinite = errors.New("analysis: sample holds NaN or Inf")
	// ErrConfidence means a confidence level outside the open interval (0, 1).
	ErrConfidence = errors.New("analysis: confidence must lie strictly between 0 and 1")
	// ErrExactTooLarge means the exact Mann-Whitney distribution was requested
	// for samples too large to enumerate exactly in float64.
	ErrExactTooLarge = errors.New("analysis: samples too large for the exact Mann-Whitney distribution")
	// ErrExactTies means the exact Mann-Whitney distribution was requested for
	// tied data, where it does not apply.
	ErrExactTies = errors.New("analysis: exact Mann-Whitney distribution needs data without ties")
)
