package activities

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/analysis"
	"github.com/tollgate-dev/tollgate/release"
)

// gate is a threshold metric of a template.
type gate struct {
	analysis.ThresholdGate
	query string
}

func nan() float64 { return math.NaN() }

// rateWindow is the rate() window of comparison queries: at least a minute, so that a rate
// spans several scrapes.
func rateWindow(step time.Duration) time.Duration { return max(step, time.Minute) }

// thresholdGates converts the template's threshold metrics.
func thresholdGates(t release.AnalysisTemplate) ([]gate, error) {
	var out []gate
	for _, m := range t.Metrics {
		th := m.Threshold
		if th == nil {
			continue
		}
		g := gate{query: m.Query, ThresholdGate: analysis.ThresholdGate{Name: m.Name, FailureLimit: th.FailureLimit,
			ConsecutiveErrorLimit: th.ConsecutiveErrorLimit, InconclusiveLimit: th.InconclusiveLimit, Count: th.Count}}
		for _, c := range []struct {
			text string
			dst  **analysis.Condition
		}{{th.Success, &g.Success}, {th.Failure, &g.Failure}} {
			if c.text == "" {
				continue
			}
			op, limit, err := release.ParseCondition(c.text)
			if err != nil {
				return nil, fmt.Errorf("template %q metric %q: %w", t.Name, m.Name, err)
			}
			*c.dst = &analysis.Condition{Operator: analysis.Operator(op), Limit: limit}
		}
		out = append(out, g)
	}
	return out, nil
}

// judge evaluates the gates and the comparison metrics and combines them: the worst verdict
// wins (fail, inconclusive, extend-bake, marginal, pass).
func (a *Activities) judge(ctx context.Context, in RunAnalysisInput, gates []gate, measured map[string][]analysis.Measurement,
	start, end time.Time, step time.Duration) (RunAnalysisResult, error) {
	res := RunAnalysisResult{Verdict: VerdictPass, Score: 100}
	var reasons []string
	for _, g := range gates {
		r, err := analysis.EvaluateThreshold(g.ThresholdGate, measured[g.Name])
		if err != nil {
			return res, err
		}
		v := VerdictPass
		switch {
		case r.Phase == analysis.PhaseFailed:
			v = VerdictFail
		case r.Phase == analysis.PhaseInconclusive, r.Successful == 0:
			// Running out of bake without one good measurement is no evidence: never a pass.
			v = VerdictInconclusive
		}
		res.Metrics = append(res.Metrics, MetricSummary{Name: g.Name, Classification: string(r.Phase), Reason: r.Reason, CanaryCount: r.Measured})
		res.Verdict = worst(res.Verdict, v)
		if v != VerdictPass {
			reasons = append(reasons, fmt.Sprintf("gate %q: %s", g.Name, r.Reason))
		}
	}
	var metrics []analysis.Metric
	data := map[string]analysis.Series{}
	for _, m := range in.Template.Metrics {
		if m.Threshold != nil {
			continue
		}
		metrics = append(metrics, analysis.Metric{Name: m.Name, Group: m.Group, Direction: direction(m.Direction), Critical: m.Critical,
			Tolerance: m.Tolerance, EffectLimit: m.EffectLimit, MinSamples: m.MinSamples})
		s, found, err := a.fetchSeries(ctx, in, m, start, end, step)
		if err != nil {
			return res, err
		}
		if found {
			data[m.Name] = s
		}
	}
	if len(metrics) > 0 {
		cfg := analysis.DefaultConfig()
		cfg.Groups, cfg.PassScore, cfg.MarginalScore, cfg.MinSamples = in.Template.Groups, in.Template.PassScore, in.Template.MarginalScore, in.Template.MinSamples
		j, err := analysis.Judge(cfg, metrics, data)
		if err != nil {
			return res, err
		}
		res.Score = j.Score
		v := map[analysis.Verdict]string{analysis.VerdictPass: VerdictPass, analysis.VerdictMarginal: VerdictMarginal,
			analysis.VerdictFail: VerdictFail, analysis.VerdictExtendBake: VerdictExtendBake, analysis.VerdictInconclusive: VerdictInconclusive}[j.Verdict]
		limit := in.Template.ExtendBakeLimit
		if limit == 0 {
			limit = release.DefaultExtendBakeLimit
		}
		if v == VerdictExtendBake && in.Extensions >= limit {
			v = VerdictFail
			reasons = append(reasons, fmt.Sprintf("still too few samples after %d bake extensions", in.Extensions))
		}
		res.Verdict = worst(res.Verdict, v)
		if v != VerdictPass {
			reasons = append(reasons, j.Reason)
		}
		for _, r := range j.Metrics {
			res.Metrics = append(res.Metrics, MetricSummary{Name: r.Name, Classification: string(r.Classification), Reason: r.Reason,
				Estimate: r.Estimate, CanaryCount: r.CanaryCount, BaselineCount: r.BaselineCount})
		}
	}
	res.Reason = strings.Join(reasons, "; ")
	if res.Reason == "" {
		res.Reason = "every metric passed"
	}
	return res, nil
}

var verdictRank = map[string]int{VerdictPass: 0, VerdictMarginal: 1, VerdictExtendBake: 2, VerdictInconclusive: 3, VerdictFail: 4}

func worst(a, b string) string {
	if verdictRank[b] > verdictRank[a] {
		return b
	}
	return a
}

func direction(s string) analysis.Direction {
	switch s {
	case "increase":
		return analysis.Increase
	case "decrease":
		return analysis.Decrease
	}
	return analysis.Either
}
