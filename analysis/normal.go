package analysis

import "math"

// normalSF is the standard normal upper tail P(Z > z). erfc keeps full
// relative precision deep in the tail, where 1 − Φ(z) would cancel to zero.
func normalSF(z float64) float64 {
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// normalQuantile is Φ⁻¹(p), computed through erfcinv so quantiles near 1
// (the 0.99 of a 98 % interval) keep their precision.
func normalQuantile(p float64) float64 {
	return -math.Sqrt2 * math.Erfcinv(2*p)
}

// finite reports whether every value is neither NaN nor ±Inf.
func finite(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
