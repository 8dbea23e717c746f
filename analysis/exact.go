package analysis

import "math"

// exactMaxN bounds n+m for the exact distribution: the counts are the
// coefficients of a Gaussian binomial coefficient, at most C(50,25) ≈ 1.3e14,
// and intermediate values at most twice that, so float64 holds every one of
// them exactly (below 2⁵³).
const exactMaxN = 50

// uDistribution returns the number of arrangements giving each value of U
// (0 … n·m) under the null hypothesis. They are the coefficients of the
// Gaussian binomial [n+m choose n]_q = ∏ᵢ (1 − q^(m+i)) / (1 − q^i), built
// one factor at a time in O(n · n·m).
func uDistribution(n, m int) []float64 {
	a := make([]float64, n*m+n+m+1)
	a[0] = 1
	deg := 0
	for i := 1; i <= n; i++ {
		k := m + i
		// Multiply by (1 − q^k), from the top so a[u−k] is still the old value.
		for u := deg + k; u >= k; u-- {
			a[u] -= a[u-k]
		}
		deg += k
		// Divide by (1 − q^i): b[u] = a[u] + b[u−i], from the bottom.
		for u := i; u <= deg; u++ {
			a[u] += a[u-i]
		}
		deg -= i
		for u := deg + 1; u <= deg+i && u < len(a); u++ {
			a[u] = 0 // the exact quotient has no terms above deg
		}
	}
	return a[:n*m+1]
}

// exactPValue is the p-value of U from the exact null distribution. The
// two-sided value doubles the smaller tail, as scipy does.
func exactPValue(n, m int, u float64, alt Alternative) float64 {
	dist := uDistribution(n, m)
	total := 0.0
	for _, c := range dist {
		total += c
	}
	k := int(math.Round(u))
	le, ge := 0.0, 0.0 // P(U ≤ u), P(U ≥ u)
	for v, c := range dist {
		if v <= k {
			le += c
		}
		if v >= k {
			ge += c
		}
	}
	le /= total
	ge /= total
	switch alt {
	case Greater:
		return ge
	case Less:
		return le
	}
	return math.Min(1, 2*math.Min(le, ge))
}
