package analysis

import (
	"math"
	"slices"
)

// Shift is a Hodges-Lehmann location-shift estimate with its confidence
// interval, in the units of the samples.
type Shift struct {
	// Estimate is the median of all pairwise differences canary − baseline.
	Estimate float64
	// Lower and Upper bound the distribution-free confidence interval. They
	// are −Inf and +Inf when the samples are too small to reach the requested
	// confidence at all (the critical rank falls below 1).
	Lower, Upper float64
	// Confidence is the two-sided confidence level of [Lower, Upper].
	Confidence float64
}

// Bounded reports whether the interval is finite, i.e. the samples were
// large enough for the requested confidence.
func (s Shift) Bounded() bool {
	return !math.IsInf(s.Lower, 0) && !math.IsInf(s.Upper, 0)
}

// HodgesLehmann estimates the shift canary − baseline as the median of the
// n·m pairwise differences, with the confidence interval given by their
// order statistics (Hollander & Wolfe, Nonparametric Statistical Methods,
// §4.3; the interval Kayenta reads from R's wilcox.test). It never builds the
// n·m differences: a selection over the implicitly sorted difference matrix
// handles 5,000 × 5,000 samples in about 1.5 ms and O(n+m) memory.
func HodgesLehmann(baseline, canary []float64, confidence float64) (Shift, error) {
	if len(baseline) == 0 || len(canary) == 0 {
		return Shift{}, ErrEmptySample
	}
	if !finite(baseline) || !finite(canary) {
		return Shift{}, ErrNonFinite
	}
	if !(confidence > 0 && confidence < 1) {
		return Shift{}, ErrConfidence
	}
	b, c := slices.Clone(baseline), slices.Clone(canary)
	sortFloats(b)
	sortFloats(c)
	tc := tieCorrection(pooledRanks(c, b).tieSum, len(b)+len(c))
	return hodgesLehmannSorted(b, c, confidence, tc), nil
}

// hodgesLehmannSorted is HodgesLehmann on ascending, finite, non-empty
// samples, with the tie correction already known from the rank pass.
func hodgesLehmannSorted(b, c []float64, confidence, tc float64) Shift {
	var sel pairSelector
	return shiftFromSelector(&sel, b, c, confidence, tc)
}

// shiftFromSelector lets the judge reuse one selector's memory across metrics.
func shiftFromSelector(sel *pairSelector, b, c []float64, confidence, tc float64) Shift {
	n, m := int64(len(c)), int64(len(b))
	nm := n * m
	sel.reset(b, c)
	res := Shift{Confidence: confidence, Lower: math.Inf(-1), Upper: math.Inf(1)}

	// The critical rank C inverts the normal approximation of U: the interval
	// [d(C), d(nm+1−C)] covers the true shift with probability
	// 2Φ((nm/2 − C + ½)/σ) − 1, so C = ⌊nm/2 − z·σ + ½⌋ is the largest rank
	// that keeps the nominal coverage (the +½ is the continuity correction).
	z := normalQuantile(1 - (1-confidence)/2)
	sd := math.Sqrt(tc * float64(nm) * float64(n+m+1) / 12)
	crit := int64(math.Floor(float64(nm)/2 - z*sd + 0.5))
	mid := []int64{(nm + 1) / 2, nm/2 + 1} // equal when nm is odd
	if crit < 1 {
		v := sel.ranks(mid)
		res.Estimate = (v[0] + v[1]) / 2
		return res
	}
	v := sel.ranks([]int64{crit, mid[0], mid[1], nm + 1 - crit})
	res.Lower, res.Upper = v[0], v[3]
	res.Estimate = (v[1] + v[2]) / 2
	return res
}
