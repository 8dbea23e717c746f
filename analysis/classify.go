package analysis

import (
	"fmt"
	"math"
	"slices"
)

// classify judges one metric. sel is scratch memory owned by the caller.
func classify(m Metric, s Series, found bool, cfg Config, sel *pairSelector) MetricResult {
	r := MetricResult{Name: m.Name, Group: m.Group, Critical: m.Critical}
	name := fmt.Sprintf("metric %q", m.Name)
	if !found {
		return r.with(ClassNoData, "%s has no series: the query returned nothing, so it cannot pass", name)
	}
	if s.Stale {
		return r.with(ClassInconclusive, "%s is stale: its newest point predates the judged window", name)
	}
	if hasInf(s.Baseline) || hasInf(s.Canary) {
		return r.with(ClassInconclusive, "%s holds ±Inf values: fix the query (division by zero?) before judging", name)
	}
	// NaN points are gaps, dropped as Kayenta's NaN strategy "remove" does.
	b, bMissing := dropNaN(s.Baseline)
	c, cMissing := dropNaN(s.Canary)
	r.Missing = bMissing + cMissing
	r.BaselineCount, r.CanaryCount = len(b), len(c)
	switch {
	case len(c) == 0 && len(b) == 0:
		return r.with(ClassNoData, "%s has no data on either side", name)
	case len(c) == 0:
		return r.with(ClassNoData, "%s has no canary data (%d baseline points): is the canary receiving traffic?", name, len(b))
	case len(b) == 0:
		return r.with(ClassNoData, "%s has no baseline data (%d canary points)", name, len(c))
	}
	if f := missingShare(bMissing, len(s.Baseline), cMissing, len(s.Canary)); f > cfg.MaxMissingFraction {
		return r.with(ClassInconclusive, "%s is %.0f%% missing (NaN), above the %.0f%% allowed: the scrape is unreliable",
			name, 100*f, 100*cfg.MaxMissingFraction)
	}
	if len(c) < m.MinSamples || len(b) < m.MinSamples {
		return r.with(ClassLowConfidence, "%s has %d canary and %d baseline points, fewer than the %d needed: extend the bake",
			name, len(c), len(b), m.MinSamples)
	}
	sortFloats(b)
	sortFloats(c)
	if cfg.OutlierIQRFactor > 0 {
		var nb, nc int
		b, nb = trimOutliers(b, cfg.OutlierIQRFactor)
		c, nc = trimOutliers(c, cfg.OutlierIQRFactor)
		r.Outliers = nb + nc
		r.BaselineCount, r.CanaryCount = len(b), len(c)
	}
	if slices.Equal(b, c) {
		// Kayenta short-circuits identical data to Pass: every test would
		// agree and the interval is a point.
		r.MeanRatio = 1
		r.PValue = 1
		return r.with(ClassPass, "%s passes: canary and baseline data are identical", name)
	}
	// Canary is the first sample, so U counts canary > baseline pairs.
	mw, err := mannWhitneySorted(c, b, MannWhitneyOptions{})
	if err != nil { // unreachable: inputs are finite and non-empty
		return r.with(ClassInconclusive, "%s: %v", name, err)
	}
	r.PValue = mw.P
	shift := shiftFromSelector(sel, b, c, cfg.Confidence, mw.TieCorrection)
	if !shift.Bounded() {
		return r.with(ClassLowConfidence, "%s has too few points for a %.0f%% interval: extend the bake", name, 100*cfg.Confidence)
	}
	if !finiteAll(shift.Estimate, shift.Lower, shift.Upper) {
		return r.with(ClassInconclusive, "%s: values too large to subtract in float64", name)
	}
	r.Estimate, r.Lower, r.Upper = shift.Estimate, shift.Lower, shift.Upper
	r.Tolerance = m.Tolerance * math.Abs(shift.Estimate)
	ratio, ratioOK := meanRatio(b, c)
	if ratioOK {
		r.MeanRatio = ratio
	}
	return decide(r, m, cfg, ratio, ratioOK)
}

// decide applies Kayenta's MannWhitneyClassifier rule: High (Low) only when
// the whole interval lies above +tolerance (below −tolerance) and the mean
// ratio exceeds the allowed effect in the bad direction.
func decide(r MetricResult, m Metric, cfg Config, ratio float64, ratioOK bool) MetricResult {
	stats := fmt.Sprintf("shift %+.4g, %.0f%% interval [%+.4g, %+.4g], tolerance ±%.4g (%.2g × |shift|), mean ratio %s, Mann-Whitney p = %.3g, %d canary vs %d baseline points",
		r.Estimate, 100*cfg.Confidence, r.Lower, r.Upper, r.Tolerance, m.Tolerance, ratioText(ratio, ratioOK), r.PValue, r.CanaryCount, r.BaselineCount)
	name := fmt.Sprintf("metric %q", m.Name)
	above := r.Lower > r.Tolerance
	below := r.Upper < -r.Tolerance
	// An undefined ratio (baseline mean ≤ 0) cannot excuse a shift.
	bigUp := !ratioOK || ratio > m.EffectLimit
	bigDown := !ratioOK || ratio < 1/m.EffectLimit
	switch {
	case above && m.Direction != Decrease && bigUp:
		return r.with(ClassHigh, "%s is High: the canary is higher (%s)", name, stats)
	case below && m.Direction != Increase && bigDown:
		return r.with(ClassLow, "%s is Low: the canary is lower (%s)", name, stats)
	case above && m.Direction != Decrease, below && m.Direction != Increase:
		return r.with(ClassPass, "%s passes: the shift is significant but the mean ratio is within the allowed %.4g (%s)", name, m.EffectLimit, stats)
	case above || below:
		return r.with(ClassPass, "%s passes: the shift is significant but only a %s is bad for it (%s)", name, m.Direction, stats)
	}
	return r.with(ClassPass, "%s passes: the interval reaches inside the tolerance (%s)", name, stats)
}

func (r MetricResult) with(c Classification, format string, args ...any) MetricResult {
	r.Classification = c
	r.Reason = fmt.Sprintf(format, args...)
	return r
}

func ratioText(ratio float64, ok bool) string {
	if !ok {
		return "undefined (baseline mean ≤ 0)"
	}
	return fmt.Sprintf("%.4g", ratio)
}

func hasInf(xs []float64) bool {
	for _, x := range xs {
		if math.IsInf(x, 0) {
			return true
		}
	}
	return false
}

func finiteAll(xs ...float64) bool { return finite(xs) }

// dropNaN copies the non-NaN values (the caller's slice is never reordered).
func dropNaN(xs []float64) ([]float64, int) {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out, len(xs) - len(out)
}

// missingShare is the larger of the two sides' NaN shares.
func missingShare(bMissing, bTotal, cMissing, cTotal int) float64 {
	share := func(k, n int) float64 {
		if n == 0 {
			return 0
		}
		return float64(k) / float64(n)
	}
	return max(share(bMissing, bTotal), share(cMissing, cTotal))
}

// trimOutliers keeps the values of an ascending slice inside
// [Q1 − f·IQR, Q3 + f·IQR] (Tukey's fences; Kayenta's IQR detector with
// factor 3 by default), quartiles by linear interpolation (R type 7).
func trimOutliers(xs []float64, f float64) ([]float64, int) {
	q1, q3 := quantileSorted(xs, 0.25), quantileSorted(xs, 0.75)
	lo, hi := q1-f*(q3-q1), q3+f*(q3-q1)
	i, _ := slices.BinarySearch(xs, lo) // first ≥ lo
	j := len(xs)
	for j > i && xs[j-1] > hi {
		j--
	}
	return xs[i:j], len(xs) - (j - i)
}

func quantileSorted(xs []float64, p float64) float64 {
	h := float64(len(xs)-1) * p
	i := int(h)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-float64(i))*(xs[i+1]-xs[i])
}

// meanRatio is mean(c)/mean(b), Kayenta's default effect size; it is
// undefined when the baseline mean is not positive.
func meanRatio(b, c []float64) (float64, bool) {
	mb, mc := mean(b), mean(c)
	if !(mb > 0) {
		return 0, false
	}
	r := mc / mb
	return r, !math.IsInf(r, 0) && !math.IsNaN(r)
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
