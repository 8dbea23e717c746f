package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ClickHouse tests/queries/0_stateless/01560_mann_whitney.sql: sample 0 and
// sample 1; the .reference file expects (223, 0.5426959774289482) for the
// two-sided test with continuity correction.
var (
	clickhouseSample0 = []float64{310, 195, 530, 155, 530, 245, 385, 450, 465, 545, 170, 180, 125, 180, 230, 75, 430, 480, 495, 295}
	clickhouseSample1 = []float64{116, 171, 176, 421, 111, 326, 481, 111, 346, 441, 261, 411, 206, 521, 456, 446, 296, 51, 426, 261}
)

func TestMannWhitneyClickHouseReference(t *testing.T) {
	res, err := MannWhitney(clickhouseSample0, clickhouseSample1, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.False(t, res.Exact, "tied data must use the normal approximation")
	// ClickHouse reports the larger of the two U statistics.
	assert.Equal(t, 223.0, math.Max(res.U, 400-res.U))
	assert.InDelta(t, 0.5426959774289482, res.P, 1e-9)

	// Swapping the samples mirrors U and keeps the two-sided p-value.
	sw, err := MannWhitney(clickhouseSample1, clickhouseSample0, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.Equal(t, 400-res.U, sw.U)
	assert.InDelta(t, res.P, sw.P, 1e-15)
	assert.InDelta(t, -res.Z, sw.Z, 1e-15)
}

// scipy.stats.mannwhitneyu documentation example (Conover, Practical
// Nonparametric Statistics): males vs females, U1 = 17; exact two-sided
// p = 0.1111111111111111 (= 2 · 28/504 from the exact null distribution with
// n=5, m=4), asymptotic two-sided p = 0.11134688653314041 with tie-free
// continuity correction.
func TestMannWhitneyScipyExample(t *testing.T) {
	males := []float64{19, 22, 16, 29, 24}
	females := []float64{20, 11, 17, 12}
	res, err := MannWhitney(males, females, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.True(t, res.Exact)
	assert.Equal(t, 17.0, res.U)
	assert.InDelta(t, 0.1111111111111111, res.P, 1e-12)

	asy, err := MannWhitney(males, females, MannWhitneyOptions{Method: MethodAsymptotic})
	require.NoError(t, err)
	assert.InDelta(t, 0.11134688653314041, asy.P, 1e-12)

	gt, err := MannWhitney(males, females, MannWhitneyOptions{Alternative: Greater})
	require.NoError(t, err)
	assert.InDelta(t, 0.05555555555555555, gt.P, 1e-12)
	lt, err := MannWhitney(males, females, MannWhitneyOptions{Alternative: Less})
	require.NoError(t, err)
	assert.InDelta(t, 1-gt.P+exactPMF(5, 4, 17), lt.P, 1e-12)
}

// exactPMF is P(U = u) by brute-force enumeration of every assignment of
// ranks 1..n+m to the first sample, an independent check of uDistribution.
func exactPMF(n, m, u int) float64 {
	N := n + m
	hits, total := 0, 0
	for mask := 0; mask < 1<<N; mask++ {
		if popcount(mask) != n {
			continue
		}
		total++
		// U of the first sample = rank sum − n(n+1)/2.
		rs := 0
		for r := 0; r < N; r++ {
			if mask>>r&1 == 1 {
				rs += r + 1
			}
		}
		if rs-n*(n+1)/2 == u {
			hits++
		}
	}
	return float64(hits) / float64(total)
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

func TestUDistributionMatchesEnumeration(t *testing.T) {
	for _, nm := range [][2]int{{1, 1}, {2, 3}, {4, 4}, {3, 7}, {6, 5}} {
		n, m := nm[0], nm[1]
		dist := uDistribution(n, m)
		total := 0.0
		for _, c := range dist {
			total += c
		}
		for u := range dist {
			assert.InDelta(t, exactPMF(n, m, u), dist[u]/total, 1e-12, "n=%d m=%d u=%d", n, m, u)
		}
	}
	// At the size limit the counts are still exact integers summing to C(50,25).
	dist := uDistribution(25, 25)
	total := 0.0
	for _, c := range dist {
		require.GreaterOrEqual(t, c, 0.0)
		require.Equal(t, math.Trunc(c), c)
		total += c
	}
	assert.Equal(t, 126410606437752.0, total)
}

// bruteU counts pairs directly: an O(n·m) definition of U independent of ranks.
func bruteU(x, y []float64) float64 {
	u := 0.0
	for _, a := range x {
		for _, b := range y {
			switch {
			case a > b:
				u++
			case a == b:
				u += 0.5
			}
		}
	}
	return u
}

func TestMannWhitneyRankSumMatchesPairCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1560))
	for run := range 1000 {
		n, m := 1+rng.IntN(60), 1+rng.IntN(60)
		levels := 2 + rng.IntN(30) // few levels force many ties
		x, y := make([]float64, n), make([]float64, m)
		for i := range x {
			x[i] = float64(rng.IntN(levels))
		}
		for i := range y {
			y[i] = float64(rng.IntN(levels)) + float64(rng.IntN(2))*0.5
		}
		res, err := MannWhitney(x, y, MannWhitneyOptions{})
		require.NoError(t, err)
		require.Equal(t, bruteU(x, y), res.U, "run %d", run)
		require.GreaterOrEqual(t, res.P, 0.0)
		require.LessOrEqual(t, res.P, 1.0)

		sw, err := MannWhitney(y, x, MannWhitneyOptions{})
		require.NoError(t, err)
		require.Equal(t, float64(n*m)-res.U, sw.U, "run %d", run)
		require.InDelta(t, res.P, sw.P, 1e-12, "run %d: two-sided p must not depend on order", run)

		gt, err := MannWhitney(x, y, MannWhitneyOptions{Alternative: Greater, Method: MethodAsymptotic})
		require.NoError(t, err)
		lt, err := MannWhitney(y, x, MannWhitneyOptions{Alternative: Less, Method: MethodAsymptotic})
		require.NoError(t, err)
		require.InDelta(t, gt.P, lt.P, 1e-12, "run %d: x>y must equal y<x", run)
	}
}

func TestMannWhitneyEdgeCases(t *testing.T) {
	_, err := MannWhitney(nil, []float64{1}, MannWhitneyOptions{})
	assert.ErrorIs(t, err, ErrEmptySample)
	_, err = MannWhitney([]float64{1}, []float64{}, MannWhitneyOptions{})
	assert.ErrorIs(t, err, ErrEmptySample)
	_, err = MannWhitney([]float64{1, math.NaN()}, []float64{1}, MannWhitneyOptions{})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = MannWhitney([]float64{1}, []float64{math.Inf(1)}, MannWhitneyOptions{})
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = MannWhitney([]float64{1, 1}, []float64{1, 2}, MannWhitneyOptions{Method: MethodExact})
	assert.ErrorIs(t, err, ErrExactTies)
	_, err = MannWhitney(make([]float64, 30), make([]float64, 30), MannWhitneyOptions{Method: MethodExact})
	assert.ErrorIs(t, err, ErrExactTies)

	big := make([]float64, 51)
	for i := range big {
		big[i] = float64(i)
	}
	_, err = MannWhitney(big[:26], big[26:], MannWhitneyOptions{Method: MethodExact})
	assert.ErrorIs(t, err, ErrExactTooLarge)

	// One value each: U is 0, ½ or 1 and nothing is significant.
	one, err := MannWhitney([]float64{2}, []float64{1}, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1.0, one.U)
	assert.Equal(t, 1.0, one.P)

	// All values tied: zero variance, no evidence, p = 1.
	tied, err := MannWhitney([]float64{3, 3, 3}, []float64{3, 3}, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3.0, tied.U)
	assert.Equal(t, 1.0, tied.P)
	assert.Equal(t, 0.0, tied.Z)

	// Complete separation at n = m = 10 without ties: exact p = 2/C(20,10).
	lo, hi := big[:10], big[10:20]
	sep, err := MannWhitney(hi, lo, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.True(t, sep.Exact)
	assert.Equal(t, 100.0, sep.U)
	assert.InDelta(t, 2/184756.0, sep.P, 1e-15)

	// Inputs are not reordered.
	in := []float64{3, 1, 2}
	_, err = MannWhitney(in, []float64{0}, MannWhitneyOptions{})
	require.NoError(t, err)
	assert.Equal(t, []float64{3, 1, 2}, in)
}

func TestMannWhitneyContinuityCorrection(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}
	y := []float64{5.5, 7.5, 9.5, 11.5, 13.5, 15.5, 17.5, 19.5, 21.5, 23.5, 25.5, 27.5, 29.5, 31.5, 33.5, 35.5, 37.5, 39.5, 41.5, 43.5}
	with, err := MannWhitney(x, y, MannWhitneyOptions{Method: MethodAsymptotic})
	require.NoError(t, err)
	without, err := MannWhitney(x, y, MannWhitneyOptions{Method: MethodAsymptotic, NoContinuityCorrection: true})
	require.NoError(t, err)
	assert.Greater(t, with.P, without.P, "the correction makes the test more conservative")
	// Without correction z = (U − nm/2)/σ exactly.
	sd := math.Sqrt(21 * 20 * 42 / 12.0)
	assert.InDelta(t, (without.U-210)/sd, without.Z, 1e-12)
	assert.InDelta(t, math.Erfc(math.Abs(without.Z)/math.Sqrt2), without.P, 1e-15)
}
