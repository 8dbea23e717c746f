package analysis

// rankStats summarises the pooled ranking of two ascending samples.
type rankStats struct {
	rankSumX float64 // sum of the mid-ranks of x in the pooled sample
	tieSum   float64 // Σ (t³ − t) over groups of t tied values
	ties     bool    // whether any value occurs more than once
}

// pooledRanks merges two ascending samples in O(n+m) and assigns every group
// of equal values its mid-rank, the textbook treatment of ties that scipy, R
// and ClickHouse share.
func pooledRanks(xs, ys []float64) rankStats {
	var st rankStats
	i, j := 0, 0
	rank := 0.0 // ranks assigned so far
	for i < len(xs) || j < len(ys) {
		v := nextValue(xs, ys, i, j)
		cx, cy := 0, 0
		for i < len(xs) && xs[i] == v {
			i++
			cx++
		}
		for j < len(ys) && ys[j] == v {
			j++
			cy++
		}
		t := float64(cx + cy)
		mid := rank + (t+1)/2
		st.rankSumX += float64(cx) * mid
		if t > 1 {
			st.ties = true
			st.tieSum += t*t*t - t
		}
		rank += t
	}
	return st
}

// nextValue is the smallest value not yet consumed from either sample.
func nextValue(xs, ys []float64, i, j int) float64 {
	switch {
	case i == len(xs):
		return ys[j]
	case j == len(ys):
		return xs[i]
	case xs[i] <= ys[j]:
		return xs[i]
	default:
		return ys[j]
	}
}

// tieCorrection is 1 − Σ(t³ − t)/(N³ − N), the factor by which ties shrink
// the variance of U (and of the rank-sum statistic).
func tieCorrection(tieSum float64, n int) float64 {
	N := float64(n)
	if n < 2 {
		return 1
	}
	return 1 - tieSum/(N*N*N-N)
}
