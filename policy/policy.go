// Package policy decides whether a release is ready: readiness criteria are CEL expressions
// over typed evidence, each with an owner and a severity; checkpoints, compliance controls,
// environment parity and rollback prerequisites are built-in criteria over the same evidence.
// The package is pure: evidence is collected elsewhere (activities) and handed in, and time is
// a parameter.
package policy

import (
	"fmt"
	"strings"
)

// Severity says whether a failing criterion blocks the release.
type Severity string

// Severities.
const (
	// Blocking criteria hold the release until they pass or their owner waives them.
	Blocking Severity = "blocking"
	// Advisory criteria are shown in the table but never block.
	Advisory Severity = "advisory"
)

// Criterion is one measurable readiness condition.
type Criterion struct {
	ID          string `json:"id" yaml:"id"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Owner is the team or person who fixes the criterion or waives it.
	Owner    string   `json:"owner" yaml:"owner"`
	Severity Severity `json:"severity" yaml:"severity"`
	// Expr is a CEL expression over `evidence` that yields a bool.
	Expr string `json:"expr" yaml:"expr"`
}

// Observation is one evidence value an expression referenced, as shown in the gate table.
type Observation struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Row is one line of the gate table.
type Row struct {
	Criterion   string        `json:"criterion"`
	Description string        `json:"description,omitempty"`
	Owner       string        `json:"owner"`
	Severity    Severity      `json:"severity"`
	Phase       Phase         `json:"phase"`
	Expected    string        `json:"expected"`
	Observed    []Observation `json:"observed"`
	// Evidence links to the reports the observed values came from.
	Evidence string `json:"evidence,omitempty"`
	Passed   bool   `json:"passed"`
	// Message says why a criterion failed (evaluation error, missing or malformed evidence).
	Message string `json:"message,omitempty"`
}

// ObservedText formats the observations as "path = value, …".
func (r Row) ObservedText() string {
	parts := make([]string, len(r.Observed))
	for i, o := range r.Observed {
		parts[i] = o.Path + " = " + o.Value
	}
	return strings.Join(parts, ", ")
}

// Blocks reports whether the row holds the release.
func (r Row) Blocks() bool { return !r.Passed && r.Severity == Blocking }

// Table is the result of evaluating a set of criteria.
type Table struct {
	Rows []Row `json:"rows"`
}

// Blocked reports whether any blocking criterion failed.
func (t Table) Blocked() bool {
	for _, r := range t.Rows {
		if r.Blocks() {
			return true
		}
	}
	return false
}

// Failing returns the IDs of the criteria that failed, blocking ones first.
func (t Table) Failing() []string {
	var blocking, advisory []string
	for _, r := range t.Rows {
		switch {
		case r.Passed:
		case r.Severity == Blocking:
			blocking = append(blocking, r.Criterion)
		default:
			advisory = append(advisory, r.Criterion)
		}
	}
	return append(blocking, advisory...)
}

// Summary is a one-line account of the table for timelines and logs.
func (t Table) Summary() string {
	var passed, blocking, advisory int
	for _, r := range t.Rows {
		switch {
		case r.Passed:
			passed++
		case r.Severity == Blocking:
			blocking++
		default:
			advisory++
		}
	}
	return fmt.Sprintf("%d of %d criteria passed, %d blocking and %d advisory failed", passed, len(t.Rows), blocking, advisory)
}
