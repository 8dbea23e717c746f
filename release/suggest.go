package release

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to name, or "" when none is close enough to be a likely
// typo. Close means an optimal-string-alignment distance of at most 2 (case-insensitive), limited
// to half the candidate's length so short names do not "match" anything, or one being a prefix of
// the other (ledger vs ledger-db). Ties go to the earlier candidate, keeping messages stable.
func suggest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestScore := "", 1<<30
	for _, c := range candidates {
		if c == name || c == "" {
			continue
		}
		lc := strings.ToLower(c)
		score := -1
		if d := distance(lname, lc); d <= 2 && d <= len([]rune(lc))/2 {
			score = d
		} else if len(lname) >= 3 && len(lc) >= 3 && (strings.HasPrefix(lc, lname) || strings.HasPrefix(lname, lc)) {
			score = 3 // a prefix match is weaker evidence than a small edit
		}
		if score >= 0 && score < bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// didYouMean formats a suggestion as a message suffix, or "" when there is none.
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// distance is the optimal string alignment distance (Levenshtein plus adjacent transpositions).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Names longer than this are never typos of each other; skip the quadratic table.
	if len(ra) > 256 || len(rb) > 256 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// quoteList formats names as "a", "b", "c" for messages.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
