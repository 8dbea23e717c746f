package analysis

import (
	"math"
	"slices"
)

// Alternative selects the alternative hypothesis of a test.
type Alternative int

const (
	// TwoSided tests whether x and y differ in either direction.
	TwoSided Alternative = iota
	// Greater tests whether x tends to be larger than y.
	Greater
	// Less tests whether x tends to be smaller than y.
	Less
)

// Method selects how the Mann-Whitney p-value is computed.
type Method int

const (
	// MethodAuto uses the exact null distribution for small samples without
	// ties (n+m ≤ 40) and the normal approximation otherwise, like scipy's
	// "auto".
	MethodAuto Method = iota
	// MethodAsymptotic always uses the normal approximation with tie
	// correction (and continuity correction unless disabled).
	MethodAsymptotic
	// MethodExact always uses the exact distribution; it needs data without
	// ties and n+m ≤ 50.
	MethodExact
)

// exactAutoLimit is the largest n+m for which MethodAuto goes exact; the
// normal approximation is within ~1e-3 of exact p-values beyond it.
const exactAutoLimit = 40

// MannWhitneyOptions configures [MannWhitney]. The zero value is a two-sided
// test with continuity correction and automatic method choice, which is what
// scipy, R and ClickHouse default to.
type MannWhitneyOptions struct {
	Alternative Alternative
	Method      Method
	// NoContinuityCorrection drops the ±0.5 correction of the normal
	// approximation. It is a negative flag so the zero value matches scipy.
	NoContinuityCorrection bool
}

// MannWhitneyResult is the outcome of a Mann-Whitney U test.
type MannWhitneyResult struct {
	// U is the statistic of the first sample x: the number of pairs with
	// x[i] > y[j] plus half the tied pairs. The statistic of y is nx·ny − U.
	U float64
	// Z is the standardised statistic of the normal approximation, signed
	// like U − nx·ny/2; it is 0 when the exact distribution was used.
	Z float64
	// P is the p-value for the chosen alternative.
	P float64
	// Exact reports whether P comes from the exact null distribution.
	Exact bool
	// TieCorrection is 1 − Σ(t³−t)/(N³−N); 1 when there are no ties.
	TieCorrection float64
}

// MannWhitney runs the Mann-Whitney U test (Wilcoxon rank-sum test) of x
// against y. It needs at least one finite value on each side. The inputs are
// not modified.
func MannWhitney(x, y []float64, opt MannWhitneyOptions) (MannWhitneyResult, error) {
	if len(x) == 0 || len(y) == 0 {
		return MannWhitneyResult{}, ErrEmptySample
	}
	if !finite(x) || !finite(y) {
		return MannWhitneyResult{}, ErrNonFinite
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	sortFloats(xs)
	sortFloats(ys)
	return mannWhitneySorted(xs, ys, opt)
}

// mannWhitneySorted is MannWhitney on ascending, finite, non-empty samples; the
// judge calls it directly so each series is sorted once for both statistics.
func mannWhitneySorted(xs, ys []float64, opt MannWhitneyOptions) (MannWhitneyResult, error) {
	nx, ny := float64(len(xs)), float64(len(ys))
	st := pooledRanks(xs, ys)
	res := MannWhitneyResult{
		U:             st.rankSumX - nx*(nx+1)/2,
		TieCorrection: tieCorrection(st.tieSum, len(xs)+len(ys)),
	}
	exact := false
	switch opt.Method {
	case MethodExact:
		if st.ties {
			return MannWhitneyResult{}, ErrExactTies
		}
		if len(xs)+len(ys) > exactMaxN {
			return MannWhitneyResult{}, ErrExactTooLarge
		}
		exact = true
	case MethodAuto:
		exact = !st.ties && len(xs)+len(ys) <= exactAutoLimit
	}
	if exact {
		res.Exact = true
		res.P = exactPValue(len(xs), len(ys), res.U, opt.Alternative)
		return res, nil
	}
	res.Z, res.P = asymptoticP(res.U, nx, ny, res.TieCorrection, opt)
	return res, nil
}

// asymptoticP is the normal approximation of U with tie-corrected variance.
// The continuity correction moves U half a step towards the mean, as scipy
// and ClickHouse do, so the approximation does not overstate significance.
func asymptoticP(u, nx, ny, tc float64, opt MannWhitneyOptions) (z, p float64) {
	mean := nx * ny / 2
	sd := math.Sqrt(tc * nx * ny * (nx + ny + 1) / 12)
	if sd == 0 || math.IsNaN(sd) {
		// Every value is tied: the data carry no evidence either way.
		return 0, 1
	}
	cc := 0.5
	if opt.NoContinuityCorrection {
		cc = 0
	}
	switch opt.Alternative {
	case Greater:
		z = (u - mean - cc) / sd
		return z, normalSF(z)
	case Less:
		z = (u - mean + cc) / sd
		return z, normalSF(-z)
	}
	d := math.Max(math.Abs(u-mean)-cc, 0)
	z = math.Copysign(d/sd, u-mean)
	return z, math.Min(1, 2*normalSF(d/sd))
}
