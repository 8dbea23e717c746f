package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// ErrNoMetrics means Judge was called without metrics: an empty canary
// configuration must not read as a pass.
var ErrNoMetrics = errors.New("analysis: no metrics to judge")

// Judge classifies every metric and combines the results into a verdict,
// Kayenta-style (see the package documentation). data maps metric names to
// their series; a metric without an entry is NoData. The same input always
// yields the same Judgement: results are sorted by group and name, and no
// map iteration decides anything. An error means invalid configuration.
func Judge(cfg Config, metrics []Metric, data map[string]Series) (Judgement, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Judgement{}, err
	}
	if len(metrics) == 0 {
		return Judgement{}, ErrNoMetrics
	}
	ms := make([]Metric, len(metrics))
	for i, m := range metrics {
		if ms[i], err = m.withDefaults(cfg); err != nil {
			return Judgement{}, err
		}
	}
	slices.SortFunc(ms, func(a, b Metric) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Name, b.Name))
	})
	for i := 1; i < len(ms); i++ {
		if ms[i].Name == ms[i-1].Name {
			return Judgement{}, fmt.Errorf("analysis: metric %q appears twice", ms[i].Name)
		}
	}
	results := classifyAll(cfg, ms, data)
	j := verdict(cfg, results)
	j.Metrics = results
	return j, nil
}

// classifyAll judges the metrics on up to GOMAXPROCS goroutines. Each result
// lands in the slot of its metric, so the output does not depend on
// scheduling. Metrics are independent, and judging 50 metrics of 5,000
// points a side takes ~80 ms of CPU, so a second core roughly halves the wait.
func classifyAll(cfg Config, ms []Metric, data map[string]Series) []MetricResult {
	results := make([]MetricResult, len(ms))
	workers := min(runtime.GOMAXPROCS(0), len(ms))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var sel pairSelector // per-worker scratch, reused across metrics
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(ms) {
					return
				}
				s, found := data[ms[k].Name]
				results[k] = classify(ms[k], s, found, cfg, &sel)
			}
		})
	}
	wg.Wait()
	return results
}

// verdict scores the results and picks the verdict. Undecided metrics
// (LowConfidence, Inconclusive, and critical NoData) are scored as failing,
// because missing data never passes; when counting them as passing would
// give a different verdict, the verdict is ExtendBake (if any lacks samples)
// or Inconclusive instead of a premature Pass or Fail.
func verdict(cfg Config, rs []MetricResult) Judgement {
	var failedCritical []string
	noData, undecided, lowConf := 0, 0, 0
	criticalUndecided := false
	for _, r := range rs {
		switch r.Classification {
		case ClassHigh, ClassLow:
			if r.Critical {
				failedCritical = append(failedCritical, fmt.Sprintf("%q (%s)", r.Name, r.Classification))
			}
		case ClassNoData:
			noData++
			if r.Critical {
				undecided++
				criticalUndecided = true
			}
		case ClassLowConfidence, ClassInconclusive:
			undecided++
			lowConf += boolInt(r.Classification == ClassLowConfidence)
			criticalUndecided = criticalUndecided || r.Critical
		}
	}
	total := len(rs)
	// Kayenta: a failing critical metric zeroes the score.
	if len(failedCritical) > 0 {
		return Judgement{Verdict: VerdictFail, Reason: "critical metric " + strings.Join(failedCritical, ", ") + " failed: score 0"}
	}
	// Kayenta zeroes the score when at least half the metrics have no data
	// (it would otherwise drop them from the denominator and pass on the rest).
	if float64(noData) >= noDataFailFraction*float64(total) {
		return Judgement{Verdict: VerdictFail, Reason: fmt.Sprintf("%d of %d metrics have no data (≥ %.0f%%): score 0", noData, total, 100*noDataFailFraction)}
	}
	worst := score(cfg, rs, false)
	best := score(cfg, rs, true)
	worstV, bestV := band(cfg, worst), band(cfg, best)
	if criticalUndecided {
		worstV = VerdictFail // an undecided critical metric may yet fail
	}
	passing := 0
	for _, r := range rs {
		passing += boolInt(r.Classification == ClassPass)
	}
	summary := fmt.Sprintf("score %.1f: %d of %d metrics pass", worst, passing, total)
	switch {
	case worstV == bestV:
		return Judgement{Verdict: worstV, Score: worst, Reason: summary + bandText(cfg, worstV)}
	case lowConf > 0:
		return Judgement{Verdict: VerdictExtendBake, Score: worst, Reason: fmt.Sprintf("%s; %d undecided metrics (%d with too few points) could still change the verdict between %s and %s: extend the bake", summary, undecided, lowConf, worstV, bestV)}
	}
	return Judgement{Verdict: VerdictInconclusive, Score: worst, Reason: fmt.Sprintf("%s; %d metrics with untrustworthy input could change the verdict between %s and %s: check their sources", summary, undecided, worstV, bestV)}
}

// score is the group-weighted percentage of passing metrics (Kayenta's
// weighted-sum scorer). With optimistic set, undecided metrics count as
// passing, which bounds what more data could achieve.
func score(cfg Config, rs []MetricResult, optimistic bool) float64 {
	type tally struct{ pass, total float64 }
	groups := map[string]*tally{}
	var order []string // first appearance; rs is sorted, so this is sorted too
	for _, r := range rs {
		key := r.Group
		if len(cfg.Groups) == 0 {
			key = "" // no weights: every metric counts the same
		}
		t, ok := groups[key]
		if !ok {
			t = &tally{}
			groups[key] = t
			order = append(order, key)
		}
		t.total++
		pass := r.Classification == ClassPass
		if optimistic {
			switch r.Classification {
			case ClassLowConfidence, ClassInconclusive:
				pass = true
			case ClassNoData:
				pass = r.Critical
			}
		}
		t.pass += float64(boolInt(pass))
	}
	sum, weights := 0.0, 0.0
	for _, g := range order {
		w := 1.0
		if len(cfg.Groups) > 0 {
			w = cfg.Groups[g]
		}
		sum += w * 100 * groups[g].pass / groups[g].total
		weights += w
	}
	return sum / weights
}

// band maps a score to Kayenta's pass / marginal / fail bands.
func band(cfg Config, s float64) Verdict {
	switch {
	case s >= cfg.PassScore:
		return VerdictPass
	case s >= cfg.MarginalScore:
		return VerdictMarginal
	}
	return VerdictFail
}

func bandText(cfg Config, v Verdict) string {
	switch v {
	case VerdictPass:
		return fmt.Sprintf(" (pass ≥ %.4g)", cfg.PassScore)
	case VerdictMarginal:
		return fmt.Sprintf(" (marginal ≥ %.4g, pass ≥ %.4g)", cfg.MarginalScore, cfg.PassScore)
	}
	return fmt.Sprintf(" (below marginal %.4g)", cfg.MarginalScore)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
