package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Tuning of the pairwise-difference selection; see pairSelector.
const (
	pivotSample  = 1024 // candidates sampled per round to place pivots
	pivotSpreadZ = 2.0  // pivots sit ±2 sampling standard deviations around a rank
	enumMin      = 4096 // at most max(enumMin, 2(n+m)) candidates are listed
	maxRounds    = 100  // guard: rounds before listing whatever is left
)

// cut records how the threshold t splits the difference matrix. The matrix
// D[i][j] = c[i] − b[j] (b, c ascending) falls along each row and rises down
// each column, so {j : D[i][j] ≤ t} is a suffix j ≥ pos[i] of every row and
// pos never decreases with i. Float subtraction is monotone, so this holds for
// the computed differences too, not just the real ones.
type cut struct {
	t   float64
	cnt int64 // #{(i, j) : D[i][j] ≤ t}
	pos []int32
}

// pairSelector finds order statistics of the n·m pairwise differences
// without building them (the Johnson–Mizoguchi / Monahan idea): it keeps
// cuts bracketing every wanted rank, narrows them with pivots taken from a
// stratified sample of the candidates between two cuts (Floyd–Rivest style,
// two pivots per rank and round, one sample shared by all ranks in the same
// bracket), and lists the candidates once they fit in O(n+m) memory. A count
// walks the staircase inside its bracket in O(n+m), so a rank costs
// O((n+m) log(nm)). The sampling generator has a fixed seed: the results are
// exact order statistics whatever the pivots, and the work is reproducible.
type pairSelector struct {
	b, c   []float64
	cuts   []*cut // ascending in t and cnt
	rng    *rand.Rand
	sample []float64
	buf    []float64
	slab   []int32 // backing store for cut positions, reused across resets
	used   int
	limit  int64
}

// reset prepares the selector for ascending, non-empty samples b and c,
// keeping the memory of earlier uses.
func (s *pairSelector) reset(b, c []float64) {
	n, m := len(c), len(b)
	s.b, s.c, s.used = b, c, 0
	s.rng = rand.New(rand.NewPCG(0x746f6c6c, 0x67617465))
	s.limit = max(enumMin, 2*int64(n+m))
	lo := s.newCut(math.Nextafter(c[0]-b[m-1], math.Inf(-1)), 0)
	for i := range lo.pos {
		lo.pos[i] = int32(m)
	}
	hi := s.newCut(c[n-1]-b[0], int64(n)*int64(m))
	clear(hi.pos)
	s.cuts = append(s.cuts[:0], lo, hi)
}

func (s *pairSelector) newCut(t float64, cnt int64) *cut {
	n := len(s.c)
	if s.used+n > len(s.slab) {
		s.slab = make([]int32, max(16*n, 2*len(s.slab)))
		s.used = 0
	}
	pos := s.slab[s.used : s.used+n : s.used+n]
	s.used += n
	return &cut{t: t, cnt: cnt, pos: pos}
}

// ranks returns the order statistics of the given 1-based ranks, which
// must be ascending and within 1 … n·m.
func (s *pairSelector) ranks(ks []int64) []float64 {
	out := make([]float64, len(ks))
	done := make([]bool, len(ks))
	for round := 0; ; round++ {
		var pivots []float64
		left := 0
		for i := 0; i < len(ks); {
			if done[i] {
				i++
				continue
			}
			lo, hi := s.bracket(ks[i])
			// Ranks sharing a bracket share its sample or its listing.
			j := i + 1
			for j < len(ks) && (done[j] || ks[j] <= hi.cnt) {
				j++
			}
			switch {
			case math.Nextafter(hi.t, math.Inf(-1)) <= lo.t:
				// No float lies strictly between the cuts, so every
				// candidate is a tie at hi.t.
				for g := i; g < j; g++ {
					if !done[g] {
						out[g], done[g] = hi.t, true
					}
				}
			case hi.cnt-lo.cnt <= s.limit || round >= maxRounds:
				s.enumerate(lo, hi, ks[i:j], out[i:j], done[i:j])
			default:
				left++
				pivots = s.pivots(lo, hi, undone(ks[i:j], done[i:j]), pivots)
			}
			i = j
		}
		if left == 0 {
			return out
		}
		slices.Sort(pivots)
		for _, t := range slices.Compact(pivots) {
			s.probe(t)
		}
	}
}

// undone filters the ranks not yet resolved.
func undone(ks []int64, done []bool) []int64 {
	var out []int64
	for g, k := range ks {
		if !done[g] {
			out = append(out, k)
		}
	}
	return out
}

// bracket returns the tightest known cuts with lo.cnt < k ≤ hi.cnt.
func (s *pairSelector) bracket(k int64) (lo, hi *cut) {
	i, _ := slices.BinarySearchFunc(s.cuts, k, func(c *cut, k int64) int {
		if c.cnt < k {
			return -1
		}
		return 1
	})
	return s.cuts[i-1], s.cuts[i]
}

// probe counts at t and records the cut. A pivot equal to an existing cut
// is moved just below it: that separates the ties at the cut from the rest,
// which is what lets ranks resolve to a heavily tied value.
func (s *pairSelector) probe(t float64) {
	i, found := s.find(t)
	if found {
		t = math.Nextafter(t, math.Inf(-1))
		if i, found = s.find(t); found {
			return
		}
	}
	if i == 0 || i == len(s.cuts) {
		return // outside the matrix: nothing to learn
	}
	lo, hi := s.cuts[i-1], s.cuts[i]
	c := s.count(t, lo, hi)
	s.cuts = slices.Insert(s.cuts, i, c)
}

// find returns the index of the first cut with threshold ≥ t.
func (s *pairSelector) find(t float64) (int, bool) {
	return slices.BinarySearchFunc(s.cuts, t, func(x *cut, t float64) int {
		switch {
		case x.t < t:
			return -1
		case x.t > t:
			return 1
		}
		return 0
	})
}

// count walks the staircase of t between the cuts lo and hi.
func (s *pairSelector) count(t float64, lo, hi *cut) *cut {
	b, c := s.b, s.c
	nc := s.newCut(t, 0)
	pos, lp, hp := nc.pos[:len(c)], lo.pos[:len(c)], hi.pos[:len(c)]
	var sum int64
	prev := int32(0)
	for i, ci := range c {
		p := max(prev, hp[i])
		for end := lp[i]; p < end && ci-b[p] > t; p++ {
		}
		pos[i] = p
		sum += int64(p)
		prev = p
	}
	nc.cnt = int64(len(c))*int64(len(b)) - sum
	return nc
}

// pivots draws one stratified sample of the candidates between the cuts
// and appends sample quantiles that bracket the ranks with high probability:
// each rank gets an index interval of ±pivotSpreadZ binomial standard
// deviations, overlapping intervals merge (close ranks such as the median
// and the interval ends then share one bracket), and each merged interval
// contributes its two ends.
func (s *pairSelector) pivots(lo, hi *cut, ks []int64, out []float64) []float64 {
	n := hi.cnt - lo.cnt
	s.sample = s.sample[:0]
	row, base := 0, int64(0)
	for q := range pivotSample {
		u := int64((float64(q) + s.rng.Float64()) * float64(n) / pivotSample)
		u = min(u, n-1)
		for base+int64(lo.pos[row]-hi.pos[row]) <= u {
			base += int64(lo.pos[row] - hi.pos[row])
			row++
		}
		j := hi.pos[row] + int32(u-base)
		s.sample = append(s.sample, s.c[row]-s.b[j])
	}
	var idx []int
	for g := 0; g < len(ks); {
		a, b := spreadOf(ks[g]-lo.cnt, n)
		for g++; g < len(ks); g++ {
			na, nb := spreadOf(ks[g]-lo.cnt, n)
			if na > b+1 {
				break
			}
			b = nb
		}
		if a >= 0 {
			idx = append(idx, a)
		}
		if b < pivotSample {
			idx = append(idx, b)
		}
	}
	// The wanted sample order statistics ascend, so each selection only
	// needs the part of the sample the previous one left above it.
	from := 0
	for _, i := range idx {
		out = append(out, quickselect(s.sample[from:], i-from))
		from = i
	}
	return out
}

// spreadOf is the interval of sample indices that holds the r-th of n
// candidates with high probability.
func spreadOf(r, n int64) (int, int) {
	q := (float64(r) - 0.5) / float64(n)
	centre := q * pivotSample
	spread := pivotSpreadZ*math.Sqrt(pivotSample*q*(1-q)) + 1
	return int(math.Floor(centre - spread)), int(math.Ceil(centre + spread))
}

// enumerate lists the candidates between the cuts once and selects every
// rank of the group from them, ascending, each selection narrowing the next.
func (s *pairSelector) enumerate(lo, hi *cut, ks []int64, out []float64, done []bool) {
	s.buf = s.buf[:0]
	for i, ci := range s.c {
		for j := hi.pos[i]; j < lo.pos[i]; j++ {
			s.buf = append(s.buf, ci-s.b[j])
		}
	}
	from := 0
	for g, k := range ks {
		if done[g] {
			continue
		}
		r := int(k - lo.cnt - 1)
		out[g] = quickselect(s.buf[from:], r-from)
		done[g] = true
		from = r
	}
}

// quickselect returns the k-th smallest (0-based) of xs, reordering xs so
// that everything after position k is ≥ the result. Median-of-three pivots
// keep it linear on the descending runs the difference matrix produces; a
// depth guard falls back to sorting.
func quickselect(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for depth := 0; lo < hi; depth++ {
		if depth > 64 {
			slices.Sort(xs[lo : hi+1])
			return xs[k]
		}
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		p := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
