package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bruteShift materialises and sorts every difference: the O(nm log nm)
// definition the selection algorithm must reproduce exactly.
func bruteShift(b, c []float64, confidence float64) Shift {
	d := make([]float64, 0, len(b)*len(c))
	for _, x := range c {
		for _, y := range b {
			d = append(d, x-y)
		}
	}
	slices.Sort(d)
	nm := int64(len(d))
	res := Shift{Confidence: confidence, Lower: math.Inf(-1), Upper: math.Inf(1)}
	if nm%2 == 1 {
		res.Estimate = d[nm/2]
	} else {
		res.Estimate = (d[nm/2-1] + d[nm/2]) / 2
	}
	bs, cs := slices.Sorted(slices.Values(b)), slices.Sorted(slices.Values(c))
	tc := tieCorrection(pooledRanks(cs, bs).tieSum, len(b)+len(c))
	z := normalQuantile(1 - (1-confidence)/2)
	sd := math.Sqrt(tc * float64(nm) * float64(len(b)+len(c)+1) / 12)
	crit := int64(math.Floor(float64(nm)/2 - z*sd + 0.5))
	if crit >= 1 {
		res.Lower, res.Upper = d[crit-1], d[nm-crit]
	}
	return res
}

func TestHodgesLehmannMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 3))
	for run := range 300 {
		n, m := 1+rng.IntN(200), 1+rng.IntN(200)
		b, c := make([]float64, m), make([]float64, n)
		discrete := run%3 == 0 // every third run is heavily tied
		for i := range b {
			b[i] = sampleValue(rng, discrete)
		}
		shift := rng.NormFloat64()
		for i := range c {
			c[i] = sampleValue(rng, discrete) + shift
		}
		got, err := HodgesLehmann(b, c, 0.98)
		require.NoError(t, err)
		require.Equal(t, bruteShift(b, c, 0.98), got, "run %d n=%d m=%d", run, n, m)
	}
}

func sampleValue(rng *rand.Rand, discrete bool) float64 {
	if discrete {
		return float64(rng.IntN(5))
	}
	return math.Exp(rng.NormFloat64())
}

// Large samples exercise the sampling rounds (the small ones above are
// listed whole); 300 × 400 = 120,000 pairs is still cheap to sort.
func TestHodgesLehmannLargeMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for run := range 6 {
		b, c := make([]float64, 300), make([]float64, 400)
		for i := range b {
			b[i] = sampleValue(rng, run == 5)
		}
		for i := range c {
			c[i] = sampleValue(rng, run == 5) * 1.1
		}
		if run == 4 {
			for i := range c { // identical constant samples: every difference is 0
				c[i], b[i%300] = 7, 7
			}
		}
		got, err := HodgesLehmann(b, c, 0.98)
		require.NoError(t, err)
		require.Equal(t, bruteShift(b, c, 0.98), got, "run %d", run)
	}
}

func TestHodgesLehmannKnownValues(t *testing.T) {
	// Every canary value is baseline + 10: all 25 differences lie in 6..14
	// and their median is exactly 10.
	b := []float64{1, 2, 3, 4, 5}
	c := []float64{11, 12, 13, 14, 15}
	got, err := HodgesLehmann(b, c, 0.90)
	require.NoError(t, err)
	assert.Equal(t, 10.0, got.Estimate)
	// nm = 25, σ = √(25·11/12) = 4.787, z(0.95) = 1.645: C = ⌊12.5 − 7.875 + ½⌋ = 5,
	// so the interval is [d(5), d(21)] = [8, 12].
	assert.Equal(t, 8.0, got.Lower)
	assert.Equal(t, 12.0, got.Upper)
	assert.True(t, got.Bounded())

	// Swapping the samples negates the shift and mirrors the interval.
	sw, err := HodgesLehmann(c, b, 0.90)
	require.NoError(t, err)
	assert.Equal(t, Shift{Estimate: -10, Lower: -12, Upper: -8, Confidence: 0.90}, sw)
}

func TestHodgesLehmannTinyAndInvalid(t *testing.T) {
	// Two points a side cannot reach 98 %: the interval is unbounded.
	got, err := HodgesLehmann([]float64{1, 2}, []float64{3, 4}, 0.98)
	require.NoError(t, err)
	assert.False(t, got.Bounded())
	assert.Equal(t, 2.0, got.Estimate)

	one, err := HodgesLehmann([]float64{1}, []float64{4}, 0.5)
	require.NoError(t, err)
	assert.Equal(t, 3.0, one.Estimate)

	_, err = HodgesLehmann(nil, []float64{1}, 0.98)
	assert.ErrorIs(t, err, ErrEmptySample)
	_, err = HodgesLehmann([]float64{1}, []float64{math.NaN()}, 0.98)
	assert.ErrorIs(t, err, ErrNonFinite)
	_, err = HodgesLehmann([]float64{math.Inf(-1)}, []float64{1}, 0.98)
	assert.ErrorIs(t, err, ErrNonFinite)
	for _, conf := range []float64{0, 1, -0.5, 1.5, math.NaN()} {
		_, err = HodgesLehmann([]float64{1}, []float64{1}, conf)
		assert.ErrorIs(t, err, ErrConfidence, "confidence %v", conf)
	}
}

func TestQuickselect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		xs := make([]float64, 1+rng.IntN(300))
		for i := range xs {
			xs[i] = float64(rng.IntN(20))
		}
		sorted := slices.Sorted(slices.Values(xs))
		k := rng.IntN(len(xs))
		require.Equal(t, sorted[k], quickselect(slices.Clone(xs), k))
	}
}

func BenchmarkHodgesLehmann5000(b *testing.B) {
	base, can := lognormalPair(5000, 5000, 1.05, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := HodgesLehmann(base, can, 0.98); err != nil {
			b.Fatal(err)
		}
	}
}

// lognormalPair draws latency-like baseline and canary samples; the canary
// is scaled by factor.
func lognormalPair(n, m int, factor float64, seed uint64) (base, can []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	base, can = make([]float64, n), make([]float64, m)
	for i := range base {
		base[i] = 100 * math.Exp(0.5*rng.NormFloat64())
	}
	for i := range can {
		can[i] = factor * 100 * math.Exp(0.5*rng.NormFloat64())
	}
	return base, can
}

func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{0, 1, 511, 512, 513, 5000} {
		xs := make([]float64, n)
		for i := range xs {
			switch i % 4 {
			case 0:
				xs[i] = rng.NormFloat64() * 1e6
			case 1:
				xs[i] = float64(rng.IntN(3)) // ties and zeros
			case 2:
				xs[i] = -math.Exp(rng.NormFloat64() * 50)
			default:
				xs[i] = math.Inf(1 - 2*rng.IntN(2))
			}
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		sortFloats(xs)
		require.Equal(t, want, xs, "n=%d", n)
	}
}
