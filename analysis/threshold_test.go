package analysis

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func vals(vs ...float64) []Measurement {
	out := make([]Measurement, len(vs))
	for i, v := range vs {
		out[i] = Measurement{Value: v}
	}
	return out
}

var errM = Measurement{Error: "prometheus: connection refused"}

func intp(n int) *int { return &n }

func TestThresholdAssess(t *testing.T) {
	lt := &Condition{Operator: OpLess, Limit: 0.01}
	ge := &Condition{Operator: OpGreaterEqual, Limit: 0.05}
	tests := []struct {
		name string
		gate ThresholdGate
		m    Measurement
		want Phase
	}{
		{"success only, met", ThresholdGate{Success: lt}, Measurement{Value: 0.001}, PhaseSuccessful},
		{"success only, missed fails", ThresholdGate{Success: lt}, Measurement{Value: 0.02}, PhaseFailed},
		{"failure only, met fails", ThresholdGate{Failure: ge}, Measurement{Value: 0.05}, PhaseFailed},
		{"failure only, missed succeeds", ThresholdGate{Failure: ge}, Measurement{Value: 0.02}, PhaseSuccessful},
		{"both, between is inconclusive", ThresholdGate{Success: lt, Failure: ge}, Measurement{Value: 0.02}, PhaseInconclusive},
		{"both, success", ThresholdGate{Success: lt, Failure: ge}, Measurement{Value: 0}, PhaseSuccessful},
		{"NaN is inconclusive, not failed", ThresholdGate{Success: lt}, Measurement{Value: math.NaN()}, PhaseInconclusive},
		{"Inf is inconclusive", ThresholdGate{Failure: ge}, Measurement{Value: math.Inf(1)}, PhaseInconclusive},
		{"provider error", ThresholdGate{Success: lt}, errM, PhaseError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.gate.Assess(tt.m))
		})
	}
	ops := map[Operator][3]bool{ // value below, equal, above the limit 1
		OpLess: {true, false, false}, OpLessEqual: {true, true, false},
		OpGreater: {false, false, true}, OpGreaterEqual: {false, true, true},
		OpEqual: {false, true, false}, OpNotEqual: {true, false, true},
	}
	for op, want := range ops {
		c := Condition{Operator: op, Limit: 1}
		assert.Equal(t, want, [3]bool{c.holds(0), c.holds(1), c.holds(2)}, "operator %s", op)
	}
}

func TestEvaluateThreshold(t *testing.T) {
	success := &Condition{Operator: OpLess, Limit: 1}
	failure := &Condition{Operator: OpGreaterEqual, Limit: 5}
	tests := []struct {
		name     string
		gate     ThresholdGate
		ms       []Measurement
		want     Phase
		measured int
		reason   string
	}{
		{"no measurements yet", ThresholdGate{Success: success, Count: 3}, nil, PhaseRunning, 0, "0 of 3"},
		{"count reached", ThresholdGate{Success: success, Count: 3}, vals(0, 0, 0), PhaseSuccessful, 3, "succeeded"},
		{"default failure limit 0: first failure fails", ThresholdGate{Success: success, Count: 5}, vals(0, 2, 0), PhaseFailed, 2, "exceed the failure limit 0"},
		{"failure limit 2 tolerates two", ThresholdGate{Success: success, FailureLimit: 2, Count: 5}, vals(2, 0, 2, 0, 0), PhaseSuccessful, 5, "2 failed"},
		{"failure limit 2, third fails", ThresholdGate{Success: success, FailureLimit: 2, Count: 5}, vals(2, 2, 2), PhaseFailed, 3, "3 failed"},
		{"unlimited failures", ThresholdGate{Success: success, FailureLimit: -1, Count: 2}, vals(9, 9), PhaseSuccessful, 2, ""},
		{"default inconclusive limit 0", ThresholdGate{Success: success, Failure: failure, Count: 5}, vals(0, 3), PhaseInconclusive, 2, "inconclusive"},
		{"NaN counts as inconclusive", ThresholdGate{Success: success, InconclusiveLimit: 1, Count: 5}, vals(math.NaN(), 0, math.NaN()), PhaseInconclusive, 3, "2 inconclusive"},
		{"four errors in a row are tolerated", ThresholdGate{Success: success, Count: 2}, []Measurement{errM, errM, errM, errM, {Value: 0}}, PhaseRunning, 5, "1 of 2"},
		{"fifth consecutive error fails", ThresholdGate{Success: success, Count: 2}, []Measurement{errM, errM, errM, errM, errM}, PhaseFailed, 5, "5 consecutive measurement errors exceed the limit 4"},
		{"a success resets the error run", ThresholdGate{Success: success, Count: 10}, []Measurement{errM, errM, errM, errM, {Value: 0}, errM, errM, errM, errM}, PhaseRunning, 9, ""},
		{"error limit 0", ThresholdGate{Success: success, ConsecutiveErrorLimit: intp(0)}, []Measurement{errM}, PhaseFailed, 1, "limit 0"},
		{"errors do not count towards count", ThresholdGate{Success: success, Count: 1}, []Measurement{errM, {Value: 0}}, PhaseSuccessful, 2, ""},
		{"unbounded count keeps running", ThresholdGate{Success: success}, vals(0, 0, 0, 0), PhaseRunning, 4, "unbounded"},
		{"stops at the deciding measurement", ThresholdGate{Success: success, Count: 2}, vals(0, 0, 9, 9), PhaseSuccessful, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.gate.Name = "error-rate"
			r, err := EvaluateThreshold(tt.gate, tt.ms)
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Phase, r.Reason)
			assert.Equal(t, tt.measured, r.Measured)
			assert.Contains(t, r.Reason, `gate "error-rate"`)
			assert.Contains(t, r.Reason, tt.reason)
		})
	}
}

func TestEvaluateThresholdRejectsBadGates(t *testing.T) {
	for name, g := range map[string]ThresholdGate{
		"no condition": {},
		"bad operator": {Success: &Condition{Operator: "=>", Limit: 1}},
		"NaN limit":    {Failure: &Condition{Operator: OpLess, Limit: math.NaN()}},
		"count":        {Success: &Condition{Operator: OpLess, Limit: 1}, Count: -1},
	} {
		_, err := EvaluateThreshold(g, vals(1))
		assert.Error(t, err, name)
	}
}
