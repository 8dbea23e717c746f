package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// latencies draws n log-normal latencies around median ms from a fixed seed.
func latencies(n int, median float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 77))
	out := make([]float64, n)
	for i := range out {
		out[i] = median * math.Exp(0.5*rng.NormFloat64())
	}
	return out
}

func same(n int, seed uint64) Series {
	return Series{Baseline: latencies(n, 100, seed), Canary: latencies(n, 100, seed+1000)}
}

func shifted(n int, factor float64, seed uint64) Series {
	return Series{Baseline: latencies(n, 100, seed), Canary: latencies(n, 100*factor, seed+1000)}
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func TestJudgeClassifiesMetrics(t *testing.T) {
	withNaN := same(400, 5)
	withNaN.Canary = append(withNaN.Canary, nans(50)...) // 11 % gaps: dropped
	gappy := same(400, 6)
	gappy.Canary = append(gappy.Canary[:100], nans(300)...)
	withInf := same(400, 7)
	withInf.Baseline[3] = math.Inf(1)
	stale := same(400, 8)
	stale.Stale = true

	tests := []struct {
		name   string
		metric Metric
		series *Series
		want   Classification
		reason string
	}{
		{"same distribution passes", Metric{Name: "m"}, ptr(same(400, 1)), ClassPass, "reaches inside the tolerance"},
		{"latency up is High", Metric{Name: "m", Direction: Increase}, ptr(shifted(400, 1.5, 2)), ClassHigh, "is High"},
		{"latency down is Low for Either", Metric{Name: "m"}, ptr(shifted(400, 0.6, 3)), ClassLow, "is Low"},
		{"decrease harmless for Increase", Metric{Name: "m", Direction: Increase}, ptr(shifted(400, 0.6, 3)), ClassPass, "only a increase is bad"},
		{"increase harmless for Decrease", Metric{Name: "m", Direction: Decrease}, ptr(shifted(400, 1.5, 2)), ClassPass, "only a decrease is bad"},
		{"effect limit excuses a small rise", Metric{Name: "m", Direction: Increase, EffectLimit: 2}, ptr(shifted(400, 1.5, 2)), ClassPass, "within the allowed 2"},
		{"large tolerance excuses a rise", Metric{Name: "m", Direction: Increase, Tolerance: 5}, ptr(shifted(400, 1.5, 2)), ClassPass, "reaches inside"},
		{"no series is NoData", Metric{Name: "m"}, nil, ClassNoData, "no series"},
		{"empty canary is NoData", Metric{Name: "m"}, &Series{Baseline: latencies(100, 100, 1)}, ClassNoData, "no canary data"},
		{"all-NaN baseline is NoData", Metric{Name: "m"}, &Series{Baseline: nans(100), Canary: latencies(100, 100, 1)}, ClassNoData, "no baseline data"},
		{"few NaN are dropped", Metric{Name: "m"}, &withNaN, ClassPass, "400 canary"},
		{"mostly NaN is Inconclusive", Metric{Name: "m"}, &gappy, ClassInconclusive, "75% missing"},
		{"Inf is Inconclusive", Metric{Name: "m"}, &withInf, ClassInconclusive, "±Inf"},
		{"stale is Inconclusive", Metric{Name: "m"}, &stale, ClassInconclusive, "stale"},
		{"under MinSamples asks for more", Metric{Name: "m"}, ptr(shifted(49, 3, 4)), ClassLowConfidence, "49 canary and 49 baseline points, fewer than the 50 needed: extend the bake"},
		{"per-metric MinSamples", Metric{Name: "m", MinSamples: 500}, ptr(same(400, 1)), ClassLowConfidence, "500 needed"},
		{"identical data passes", Metric{Name: "m"}, &Series{Baseline: []float64{1, 2, 3}, Canary: []float64{3, 2, 1}}, ClassLowConfidence, "extend the bake"},
		{"identical large data passes", Metric{Name: "m", Direction: Increase}, &Series{Baseline: latencies(60, 1, 9), Canary: latencies(60, 1, 9)}, ClassPass, "identical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string]Series{}
			if tt.series != nil {
				data[tt.metric.Name] = *tt.series
			}
			j, err := Judge(DefaultConfig(), []Metric{tt.metric}, data)
			require.NoError(t, err)
			require.Len(t, j.Metrics, 1)
			r := j.Metrics[0]
			assert.Equal(t, tt.want, r.Classification, r.Reason)
			assert.Contains(t, r.Reason, `metric "m"`)
			assert.Contains(t, r.Reason, tt.reason)
			if tt.want == ClassHigh || tt.want == ClassLow {
				assert.Contains(t, r.Reason, "98% interval")
				assert.Contains(t, r.Reason, "tolerance ±")
				assert.Greater(t, r.Tolerance, 0.0)
				assert.True(t, r.Lower <= r.Estimate && r.Estimate <= r.Upper)
			}
			_, err = json.Marshal(j) // never NaN or Inf in results
			assert.NoError(t, err)
		})
	}
}

func ptr(s Series) *Series { return &s }

func TestJudgeDoesNotModifyInput(t *testing.T) {
	s := Series{Baseline: []float64{3, math.NaN(), 1}, Canary: []float64{2, 1, 0}}
	_, err := Judge(DefaultConfig(), []Metric{{Name: "m"}}, map[string]Series{"m": s})
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 1, 0}, s.Canary)
	assert.Equal(t, 3.0, s.Baseline[0])
	assert.True(t, math.IsNaN(s.Baseline[1]))
}

func TestJudgeOutlierRemoval(t *testing.T) {
	s := same(400, 11)
	s.Canary[0] = 1e6 // one absurd scrape
	withOutliers, err := Judge(DefaultConfig(), []Metric{{Name: "m"}}, map[string]Series{"m": s})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, withOutliers.Metrics[0].Outliers, 1)
	r := withOutliers.Metrics[0]
	assert.Equal(t, 800, r.CanaryCount+r.BaselineCount+r.Outliers)
	assert.Less(t, r.CanaryCount, 400)

	cfg := DefaultConfig()
	cfg.OutlierIQRFactor = 0
	kept, err := Judge(cfg, []Metric{{Name: "m"}}, map[string]Series{"m": s})
	require.NoError(t, err)
	assert.Zero(t, kept.Metrics[0].Outliers)
	assert.Equal(t, 400, kept.Metrics[0].CanaryCount)
}

// metricsN builds n metrics named m00…, all in group g.
func metricsN(n int, g string) []Metric {
	ms := make([]Metric, n)
	for i := range ms {
		ms[i] = Metric{Name: "m" + string(rune('a'+i/10)) + string(rune('0'+i%10)), Group: g, Direction: Increase}
	}
	return ms
}

func TestJudgeVerdicts(t *testing.T) {
	type spec struct {
		n        int
		critical map[int]bool
		series   func(i int) (Series, bool)
		cfg      func(*Config)
		want     Verdict
		score    float64
		reason   string
	}
	good := func(i int) (Series, bool) { return same(400, uint64(i)), true }
	tests := map[string]spec{
		"all pass": {n: 20, series: good, want: VerdictPass, score: 100, reason: "20 of 20 metrics pass"},
		"one of 20 high is pass at 95": {n: 20, series: func(i int) (Series, bool) {
			if i == 0 {
				return shifted(400, 1.5, 1), true
			}
			return good(i)
		}, want: VerdictPass, score: 95},
		"two of 20 high is marginal": {n: 20, series: func(i int) (Series, bool) {
			if i < 2 {
				return shifted(400, 1.5, uint64(i)), true
			}
			return good(i)
		}, want: VerdictMarginal, score: 90},
		"six of 20 high fails": {n: 20, series: func(i int) (Series, bool) {
			if i < 6 {
				return shifted(400, 1.5, uint64(i)), true
			}
			return good(i)
		}, want: VerdictFail, score: 70},
		"critical high fails with score 0": {n: 20, critical: map[int]bool{3: true}, series: func(i int) (Series, bool) {
			if i == 3 {
				return shifted(400, 1.5, 1), true
			}
			return good(i)
		}, want: VerdictFail, score: 0, reason: `critical metric "ma3" (High) failed`},
		"half NoData scores 0": {n: 10, series: func(i int) (Series, bool) {
			if i < 5 {
				return Series{}, false
			}
			return good(i)
		}, want: VerdictFail, score: 0, reason: "5 of 10 metrics have no data"},
		"one NoData of 10 never passes": {n: 10, series: func(i int) (Series, bool) {
			if i == 0 {
				return Series{Baseline: latencies(100, 1, 1)}, true
			}
			return good(i)
		}, want: VerdictMarginal, score: 90},
		"low confidence that could flip the verdict extends the bake": {n: 10, series: func(i int) (Series, bool) {
			if i == 0 {
				return same(20, 1), true
			}
			return good(i)
		}, want: VerdictExtendBake, score: 90, reason: "extend the bake"},
		"critical low confidence extends the bake": {n: 40, critical: map[int]bool{0: true}, series: func(i int) (Series, bool) {
			if i == 0 {
				return same(20, 1), true
			}
			return good(i)
		}, want: VerdictExtendBake, score: 97.5},
		"low confidence that cannot save a failure still fails": {n: 10, series: func(i int) (Series, bool) {
			switch {
			case i == 0:
				return same(20, 1), true
			case i < 4:
				return shifted(400, 1.5, uint64(i)), true
			}
			return good(i)
		}, want: VerdictFail, score: 60},
		"inconclusive input pauses": {n: 10, series: func(i int) (Series, bool) {
			if i == 0 {
				s := same(400, 1)
				s.Stale = true
				return s, true
			}
			return good(i)
		}, want: VerdictInconclusive, score: 90, reason: "check their sources"},
		"group weights": {n: 4, series: func(i int) (Series, bool) {
			if i == 0 {
				return shifted(400, 1.5, 1), true
			}
			return good(i)
		}, cfg: func(c *Config) { c.Groups = map[string]float64{"g": 1, "h": 3} }, want: VerdictMarginal, score: (1*50 + 3*100) / 4.0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ms := metricsN(tt.n, "g")
			data := map[string]Series{}
			for i := range ms {
				ms[i].Critical = tt.critical[i]
				if s, ok := tt.series(i); ok {
					data[ms[i].Name] = s
				}
			}
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
				ms[2].Group, ms[3].Group = "h", "h" // group g: 1 of 2 pass; group h: 2 of 2
			}
			j, err := Judge(cfg, ms, data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, j.Verdict, j.Reason)
			assert.InDelta(t, tt.score, j.Score, 1e-9, j.Reason)
			assert.Contains(t, j.Reason, tt.reason)
		})
	}
}

func TestJudgeIsDeterministicAndSorted(t *testing.T) {
	ms := []Metric{{Name: "z", Group: "b"}, {Name: "a", Group: "b"}, {Name: "y", Group: "a"}}
	data := map[string]Series{"z": shifted(300, 1.3, 1), "a": same(300, 2), "y": shifted(300, 0.8, 3)}
	first, err := Judge(DefaultConfig(), ms, data)
	require.NoError(t, err)
	names := []string{}
	for _, r := range first.Metrics {
		names = append(names, r.Group+"/"+r.Name)
	}
	assert.Equal(t, []string{"a/y", "b/a", "b/z"}, names)
	for range 20 {
		again, err := Judge(DefaultConfig(), []Metric{ms[2], ms[0], ms[1]}, data)
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
}

func TestJudgeRejectsBadConfig(t *testing.T) {
	ok := map[string]Series{"m": same(100, 1)}
	tests := map[string]struct {
		cfg     Config
		metrics []Metric
		want    string
	}{
		"no metrics":       {DefaultConfig(), nil, "no metrics"},
		"duplicate":        {DefaultConfig(), []Metric{{Name: "m"}, {Name: "m"}}, `"m" appears twice`},
		"unnamed":          {DefaultConfig(), []Metric{{}}, "without a name"},
		"confidence":       {Config{Confidence: 1.5}, []Metric{{Name: "m"}}, "confidence"},
		"scores":           {Config{PassScore: 70, MarginalScore: 80}, []Metric{{Name: "m"}}, "scores"},
		"outlier factor":   {Config{OutlierIQRFactor: -1}, []Metric{{Name: "m"}}, "outlier"},
		"missing fraction": {Config{MaxMissingFraction: 2}, []Metric{{Name: "m"}}, "missing fraction"},
		"weight":           {Config{Groups: map[string]float64{"g": -1}}, []Metric{{Name: "m", Group: "g"}}, "weight"},
		"unweighted group": {Config{Groups: map[string]float64{"g": 1}}, []Metric{{Name: "m", Group: "h"}}, `group "h" has no weight`},
		"tolerance":        {DefaultConfig(), []Metric{{Name: "m", Tolerance: -1}}, "tolerance"},
		"effect limit":     {DefaultConfig(), []Metric{{Name: "m", EffectLimit: 0.5}}, "effect limit"},
		"direction":        {DefaultConfig(), []Metric{{Name: "m", Direction: 7}}, "direction"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Judge(tt.cfg, tt.metrics, ok)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// The zero Config is usable: defaults fill in, outlier removal is off.
	j, err := Judge(Config{}, []Metric{{Name: "m"}}, ok)
	require.NoError(t, err)
	assert.Equal(t, VerdictPass, j.Verdict)
	assert.True(t, strings.HasPrefix(j.Reason, "score 100.0"))
}

func BenchmarkJudge50Metrics5000Samples(b *testing.B) {
	ms := make([]Metric, 50)
	data := map[string]Series{}
	for i := range ms {
		ms[i] = Metric{Name: "metric-" + string(rune('A'+i/26)) + string(rune('a'+i%26)), Group: "g", Direction: Increase}
		data[ms[i].Name] = Series{Baseline: latencies(5000, 100, uint64(i)), Canary: latencies(5000, 100*(1+0.002*float64(i)), uint64(i+100))}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Judge(DefaultConfig(), ms, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMannWhitney5000(b *testing.B) {
	x, y := latencies(5000, 100, 1), latencies(5000, 105, 2)
	for b.Loop() {
		if _, err := MannWhitney(x, y, MannWhitneyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
