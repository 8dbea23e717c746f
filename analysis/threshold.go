package analysis

import (
	"fmt"
	"math"
)

// Operator compares a measured value with a limit.
type Operator string

// Operators accepted in a [Condition].
const (
	OpLess         Operator = "<"
	OpLessEqual    Operator = "<="
	OpGreater      Operator = ">"
	OpGreaterEqual Operator = ">="
	OpEqual        Operator = "=="
	OpNotEqual     Operator = "!="
)

// Condition is "value Operator Limit", e.g. error rate < 0.01.
type Condition struct {
	Operator Operator
	Limit    float64
}

func (c Condition) holds(v float64) bool {
	switch c.Operator {
	case OpLess:
		return v < c.Limit
	case OpLessEqual:
		return v <= c.Limit
	case OpGreater:
		return v > c.Limit
	case OpGreaterEqual:
		return v >= c.Limit
	case OpEqual:
		return v == c.Limit
	}
	return v != c.Limit
}

func (c Condition) valid() bool {
	switch c.Operator {
	case OpLess, OpLessEqual, OpGreater, OpGreaterEqual, OpEqual, OpNotEqual:
		return !math.IsNaN(c.Limit)
	}
	return false
}

// Phase is the state of a measurement or of a whole threshold gate, with
// Argo Rollouts' AnalysisPhase names.
type Phase string

// Phases. A measurement is Successful, Failed, Error or Inconclusive; a gate
// is Running, Successful, Failed or Inconclusive.
const (
	PhaseRunning      Phase = "Running"
	PhaseSuccessful   Phase = "Successful"
	PhaseFailed       Phase = "Failed"
	PhaseError        Phase = "Error"
	PhaseInconclusive Phase = "Inconclusive"
)

// Measurement is one observation taken by the gate's provider.
type Measurement struct {
	Value float64
	// Error, when not empty, says why the provider could not measure (a
	// string rather than an error so it survives workflow history).
	Error string
}

// ThresholdGate is an Argo-Rollouts-style analysis metric: each measurement
// is checked against conditions and the counts decide the gate.
type ThresholdGate struct {
	// Name identifies the gate in reasons.
	Name string
	// Success and Failure are the conditions; at least one is required. As
	// in Argo: with only Success, a value that misses it fails; with only
	// Failure, a value that misses it succeeds; with both, a value matching
	// neither is inconclusive.
	Success, Failure *Condition
	// FailureLimit is how many failed measurements are tolerated (Argo
	// default 0: the first failure fails the gate); negative is unlimited.
	FailureLimit int
	// ConsecutiveErrorLimit is how many provider errors in a row are
	// tolerated; nil means Argo's default of 4, negative is unlimited.
	ConsecutiveErrorLimit *int
	// InconclusiveLimit is how many inconclusive measurements are tolerated
	// (Argo default 0); negative is unlimited.
	InconclusiveLimit int
	// Count is how many completed measurements make the gate Successful;
	// 0 keeps it Running until a limit trips (Argo's count with an interval).
	Count int
}

// DefaultConsecutiveErrorLimit is Argo Rollouts' consecutiveErrorLimit.
const DefaultConsecutiveErrorLimit = 4

// ThresholdResult is the state of a gate after a sequence of measurements.
type ThresholdResult struct {
	Phase  Phase
	Reason string
	// Counters as in Argo's MetricResult; Count excludes errors, as Argo's does.
	Count, Successful, Failed, Errors, Inconclusive, ConsecutiveErrors int
	// Measured is how many measurements were consumed; a gate stops at the
	// first measurement that decides it.
	Measured int
}

// Assess classifies one measurement. A NaN or ±Inf value is Inconclusive,
// not Failed: "no values found" is the commonest false failure reported by
// Argo and Flagger users, and it says nothing about the canary.
func (g ThresholdGate) Assess(m Measurement) Phase {
	switch {
	case m.Error != "":
		return PhaseError
	case math.IsNaN(m.Value) || math.IsInf(m.Value, 0):
		return PhaseInconclusive
	case g.Failure != nil && g.Failure.holds(m.Value):
		return PhaseFailed // Argo checks the failure condition first
	case g.Success != nil && g.Success.holds(m.Value):
		return PhaseSuccessful
	case g.Success != nil && g.Failure != nil:
		return PhaseInconclusive
	case g.Success != nil:
		return PhaseFailed
	}
	return PhaseSuccessful
}

// EvaluateThreshold replays the measurements in order through the gate and
// returns its state, following Argo's assessMetricStatus: failures beyond
// FailureLimit fail it, inconclusives beyond InconclusiveLimit make it
// Inconclusive (pause for a human), errors in a row beyond
// ConsecutiveErrorLimit fail it (Argo's Error phase aborts the same way),
// and Count completed measurements make it Successful. An error means an
// invalid gate.
func EvaluateThreshold(g ThresholdGate, ms []Measurement) (ThresholdResult, error) {
	if g.Success == nil && g.Failure == nil {
		return ThresholdResult{}, fmt.Errorf("analysis: threshold gate %q needs a success or failure condition", g.Name)
	}
	for _, c := range []*Condition{g.Success, g.Failure} {
		if c != nil && !c.valid() {
			return ThresholdResult{}, fmt.Errorf("analysis: threshold gate %q: invalid condition %q %v", g.Name, c.Operator, c.Limit)
		}
	}
	if g.Count < 0 {
		return ThresholdResult{}, fmt.Errorf("analysis: threshold gate %q: count %d must be ≥ 0", g.Name, g.Count)
	}
	errLimit := DefaultConsecutiveErrorLimit
	if g.ConsecutiveErrorLimit != nil {
		errLimit = *g.ConsecutiveErrorLimit
	}
	var r ThresholdResult
	for _, m := range ms {
		r.Measured++
		switch g.Assess(m) {
		case PhaseSuccessful:
			r.Successful++
			r.Count++
			r.ConsecutiveErrors = 0
		case PhaseFailed:
			r.Failed++
			r.Count++
			r.ConsecutiveErrors = 0
		case PhaseInconclusive:
			r.Inconclusive++
			r.Count++
			r.ConsecutiveErrors = 0
		case PhaseError:
			r.Errors++
			r.ConsecutiveErrors++
		}
		if r.decide(g, errLimit, m) {
			return r, nil
		}
	}
	r.Phase = PhaseRunning
	r.Reason = fmt.Sprintf("gate %q: %d of %s measurements taken, no limit reached", g.Name, r.Count, countText(g.Count))
	return r, nil
}

// decide sets a terminal phase if the counters reached one, in Argo's order.
func (r *ThresholdResult) decide(g ThresholdGate, errLimit int, last Measurement) bool {
	switch {
	case g.FailureLimit >= 0 && r.Failed > g.FailureLimit:
		r.Phase = PhaseFailed
		r.Reason = fmt.Sprintf("gate %q failed: %d failed measurements exceed the failure limit %d (last value %v)", g.Name, r.Failed, g.FailureLimit, last.Value)
	case g.InconclusiveLimit >= 0 && r.Inconclusive > g.InconclusiveLimit:
		r.Phase = PhaseInconclusive
		r.Reason = fmt.Sprintf("gate %q inconclusive: %d inconclusive measurements exceed the limit %d (last value %v)", g.Name, r.Inconclusive, g.InconclusiveLimit, last.Value)
	case errLimit >= 0 && r.ConsecutiveErrors > errLimit:
		r.Phase = PhaseFailed
		r.Reason = fmt.Sprintf("gate %q failed: %d consecutive measurement errors exceed the limit %d (last: %s)", g.Name, r.ConsecutiveErrors, errLimit, last.Error)
	case g.Count > 0 && r.Count >= g.Count:
		r.Phase = PhaseSuccessful
		r.Reason = fmt.Sprintf("gate %q succeeded: %d measurements, %d failed (limit %d), %d inconclusive (limit %d)", g.Name, r.Count, r.Failed, g.FailureLimit, r.Inconclusive, g.InconclusiveLimit)
	default:
		return false
	}
	return true
}

func countText(n int) string {
	if n == 0 {
		return "unbounded"
	}
	return fmt.Sprint(n)
}
