package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/analysis"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
)

// Analysis verdicts, as RunAnalysisResult.Verdict. The workflow maps them to its next move:
// pass → next step; marginal or inconclusive → pause for a human with the evidence; extend-bake
// → bake again and re-run with Extensions+1; fail → roll back.
const (
	VerdictPass         = "pass"
	VerdictMarginal     = "marginal"
	VerdictFail         = "fail"
	VerdictExtendBake   = "extend-bake"
	VerdictInconclusive = "inconclusive"
)

// DefaultAnalysisStep is the default resolution of comparison range queries.
const DefaultAnalysisStep = 10 * time.Second

// RunAnalysisInput is one analysis of one canary (or new colour, or rolling batch).
type RunAnalysisInput struct {
	ReleaseID   string `json:"releaseId"`
	Service     string `json:"service"`
	Environment string `json:"environment"`
	// CanaryVersion is judged against BaselineVersion (the previous version still serving).
	CanaryVersion   string                   `json:"canaryVersion"`
	BaselineVersion string                   `json:"baselineVersion"`
	Template        release.AnalysisTemplate `json:"template"`
	// Queries are the spec's analysis.queries (custom templates).
	Queries map[string]string `json:"queries,omitempty"`
	// Bake is how long the activity measures; Interval the time between measurements
	// (default release.DefaultAnalysisInterval). The activity heartbeats at every interval.
	Bake     time.Duration `json:"bake"`
	Interval time.Duration `json:"interval"`
	// Step is the resolution of the comparison's range queries, one sample per step and side
	// (default DefaultAnalysisStep): a 30-minute bake at 10 s gives 180 points a side.
	Step time.Duration `json:"step"`
	// Extensions is how many times the bake was already extended for lack of samples.
	Extensions int `json:"extensions"`
}

// MetricSummary is one metric's outcome, small enough for workflow history.
type MetricSummary struct {
	Name           string  `json:"name"`
	Classification string  `json:"classification"`
	Reason         string  `json:"reason"`
	Estimate       float64 `json:"estimate,omitempty"`
	CanaryCount    int     `json:"canaryCount,omitempty"`
	BaselineCount  int     `json:"baselineCount,omitempty"`
}

// RunAnalysisResult is the verdict and the evidence behind it.
type RunAnalysisResult struct {
	Verdict string          `json:"verdict"`
	Score   float64         `json:"score"`
	Reason  string          `json:"reason"`
	Metrics []MetricSummary `json:"metrics"`
}

// RunAnalysis measures for the bake, heartbeating at every interval, then judges: threshold
// metrics (those with a threshold) are gates measured each interval on the canary, the others
// are compared canary against baseline with analysis.Judge over the whole bake. The verdict is
// the worst of both. Missing data is never a pass, and too few samples beyond the template's
// extend-bake limit is a failure.
func (a *Activities) RunAnalysis(ctx context.Context, in RunAnalysisInput) (RunAnalysisResult, error) {
	if a.Metrics == nil {
		return RunAnalysisResult{}, temporal.NewNonRetryableApplicationError("no metrics provider configured", ErrAnalysisConfig, nil)
	}
	every := in.Interval
	if every <= 0 {
		every = release.DefaultAnalysisInterval
	}
	gates, err := thresholdGates(in.Template)
	if err != nil {
		return RunAnalysisResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrAnalysisConfig, nil)
	}
	start := time.Now()
	measured := map[string][]analysis.Measurement{}
	// Resume after a worker crash: the heartbeat carries the start and the measurements so far.
	var hb analysisHeartbeat
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &hb) == nil && !hb.Start.IsZero() {
		start, measured = hb.Start, hb.measurements()
	}
	for {
		if err := a.measureGates(ctx, in, gates, measured); err != nil {
			return RunAnalysisResult{}, err
		}
		activity.RecordHeartbeat(ctx, newHeartbeat(start, measured))
		if decided(gates, measured) || time.Since(start) >= in.Bake {
			break
		}
		wait := min(every, in.Bake-time.Since(start))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return RunAnalysisResult{}, ctx.Err()
		}
	}
	step := in.Step
	if step <= 0 {
		step = DefaultAnalysisStep
	}
	return a.judge(ctx, in, gates, measured, start, time.Now(), step)
}

// analysisHeartbeat is the progress a retried RunAnalysis resumes from. Values that JSON cannot
// carry (NaN, ±Inf) travel as a flag.
type analysisHeartbeat struct {
	Start    time.Time                  `json:"start"`
	Measured map[string][]hbMeasurement `json:"measured"`
}

type hbMeasurement struct {
	Value   float64 `json:"v,omitempty"`
	NotReal int     `json:"x,omitempty"` // 1 NaN, 2 +Inf, 3 -Inf
	Error   string  `json:"e,omitempty"`
}

func newHeartbeat(start time.Time, measured map[string][]analysis.Measurement) analysisHeartbeat {
	hb := analysisHeartbeat{Start: start, Measured: map[string][]hbMeasurement{}}
	for name, ms := range measured {
		for _, m := range ms {
			h := hbMeasurement{Error: m.Error}
			switch {
			case math.IsNaN(m.Value):
				h.NotReal = 1
			case math.IsInf(m.Value, 1):
				h.NotReal = 2
			case math.IsInf(m.Value, -1):
				h.NotReal = 3
			default:
				h.Value = m.Value
			}
			hb.Measured[name] = append(hb.Measured[name], h)
		}
	}
	return hb
}

func (hb analysisHeartbeat) measurements() map[string][]analysis.Measurement {
	out := map[string][]analysis.Measurement{}
	for name, hs := range hb.Measured {
		for _, h := range hs {
			v := []float64{h.Value, math.NaN(), math.Inf(1), math.Inf(-1)}[min(max(h.NotReal, 0), 3)]
			out[name] = append(out[name], analysis.Measurement{Value: v, Error: h.Error})
		}
	}
	return out
}

// measureGates takes one measurement of every threshold gate.
func (a *Activities) measureGates(ctx context.Context, in RunAnalysisInput, gates []gate, measured map[string][]analysis.Measurement) error {
	for _, g := range gates {
		q, err := prometheus.Render(g.query, in.Queries, prometheus.Params{Service: in.Service, Version: in.CanaryVersion, Environment: in.Environment})
		if err != nil {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("metric %q: %v", g.Name, err), ErrAnalysisConfig, nil)
		}
		v, err := a.Metrics.Instant(ctx, q, time.Now())
		m := analysis.Measurement{Value: v}
		switch prometheus.Classify(err) {
		case "":
		case prometheus.Permanent:
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("metric %q: %v", g.Name, err), ErrAnalysisConfig, nil)
		case prometheus.Inconclusive:
			m = analysis.Measurement{Value: nan()} // no data: inconclusive, never a pass
		default:
			m = analysis.Measurement{Error: err.Error()}
		}
		measured[g.Name] = append(measured[g.Name], m)
	}
	return nil
}

// decided reports whether some gate already failed, so the bake can stop early.
func decided(gates []gate, measured map[string][]analysis.Measurement) bool {
	for _, g := range gates {
		r, err := analysis.EvaluateThreshold(g.ThresholdGate, measured[g.Name])
		if err == nil && r.Phase == analysis.PhaseFailed {
			return true
		}
	}
	return false
}

// fetchSeries reads canary and baseline over [start, end] for a comparison metric. A query
// that fails or is stale gives a stale series (inconclusive); no series gives none (no data).
func (a *Activities) fetchSeries(ctx context.Context, in RunAnalysisInput, m release.AnalysisMetric, start, end time.Time, step time.Duration) (analysis.Series, bool, error) {
	var s analysis.Series
	for i, version := range []string{in.CanaryVersion, in.BaselineVersion} {
		q, err := prometheus.Render(m.Query, in.Queries, prometheus.Params{Service: in.Service, Version: version, Environment: in.Environment, Window: rateWindow(step)})
		if err != nil {
			return s, false, temporal.NewNonRetryableApplicationError(fmt.Sprintf("metric %q: %v", m.Name, err), ErrAnalysisConfig, nil)
		}
		v, err := a.Metrics.Range(ctx, q, start, end, step)
		switch {
		case errors.Is(err, prometheus.ErrNoData):
			return s, false, nil
		case prometheus.Classify(err) == prometheus.Permanent:
			return s, false, temporal.NewNonRetryableApplicationError(fmt.Sprintf("metric %q: %v", m.Name, err), ErrAnalysisConfig, nil)
		case err != nil:
			s.Stale = true
		}
		if i == 0 {
			s.Canary = v
		} else {
			s.Baseline = v
		}
	}
	return s, true, nil
}
