package analysis

import (
	"math"
	"slices"
)

// sortFloats sorts NaN-free float64s ascending. Above a few hundred values
// it is an LSD radix sort on the order-preserving bit pattern (flip all bits
// of negatives, the sign bit of the rest), skipping bytes every key shares;
// at 5,000 values that is several times faster than pdqsort, and sorting is
// a third of a judgement's cost.
func sortFloats(xs []float64) {
	n := len(xs)
	if n < 512 {
		slices.Sort(xs)
		return
	}
	buf := make([]uint64, 2*n)
	src, dst := buf[:n], buf[n:]
	var hist [8][256]int
	for i, x := range xs {
		k := math.Float64bits(x)
		if k>>63 == 1 {
			k = ^k
		} else {
			k |= 1 << 63
		}
		src[i] = k
		for d := range 8 {
			hist[d][byte(k>>(8*d))]++
		}
	}
	for d := range 8 {
		h := &hist[d]
		if h[byte(src[0]>>(8*d))] == n {
			continue // every key has the same byte here
		}
		sum := 0
		for v := range h {
			h[v], sum = sum, sum+h[v]
		}
		shift := 8 * d
		for _, k := range src {
			b := byte(k >> shift)
			dst[h[b]] = k
			h[b]++
		}
		src, dst = dst, src
	}
	for i, k := range src {
		if k>>63 == 1 {
			k &^= 1 << 63
		} else {
			k = ^k
		}
		xs[i] = math.Float64frombits(k)
	}
}
