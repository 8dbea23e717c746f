package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sample sizes: the A/A check uses 100 points a side (twice
// DefaultMinSamples); the detection check uses the documented sample size
// for a 20 % shift (doc.go), 400 points a side.
const (
	aaSamples    = 100
	shiftSamples = 400
)

// simulate judges runs seeded canary/baseline pairs of log-normal latencies
// (median 100 ms, σ = 0.5 on the log scale) with the canary scaled by factor,
// and counts the verdicts and classifications. Every run has its own seed,
// so the counts are the same on every machine.
func simulate(t *testing.T, runs, n int, factor float64, dir Direction) (verdicts map[Verdict]int, classes map[Classification]int) {
	t.Helper()
	verdicts, classes = map[Verdict]int{}, map[Classification]int{}
	metric := []Metric{{Name: "latency", Direction: dir, Critical: true}}
	for run := range runs {
		rng := rand.New(rand.NewPCG(uint64(run), 2026))
		s := Series{Baseline: make([]float64, n), Canary: make([]float64, n)}
		for i := range s.Baseline {
			s.Baseline[i] = 100 * math.Exp(0.5*rng.NormFloat64())
			s.Canary[i] = factor * 100 * math.Exp(0.5*rng.NormFloat64())
		}
		j, err := Judge(DefaultConfig(), metric, map[string]Series{"latency": s})
		require.NoError(t, err)
		verdicts[j.Verdict]++
		classes[j.Metrics[0].Classification]++
	}
	return verdicts, classes
}

// An A/A test: canary and baseline from the same distribution must fail no
// more often than the interval's false-positive rate (1 − confidence) plus
// 1.5 points, even for a metric where both directions are bad.
func TestSimulationAAFalsePositiveRate(t *testing.T) {
	const runs = 2000
	verdicts, classes := simulate(t, runs, aaSamples, 1.0, Either)
	limit := (1-DefaultConfidence)*100 + 1.5
	failRate := 100 * float64(verdicts[VerdictFail]) / runs
	t.Logf("A/A: %v %v, fail rate %.2f%% (limit %.2f%%)", verdicts, classes, failRate, limit)
	assert.LessOrEqual(t, failRate, limit)
	assert.Zero(t, verdicts[VerdictExtendBake]+verdicts[VerdictInconclusive], "100 points a side is enough to decide")
}

// A 20 % latency increase at the documented sample size must be caught.
func TestSimulationDetectsTwentyPercentShift(t *testing.T) {
	const runs = 2000
	verdicts, classes := simulate(t, runs, shiftSamples, 1.2, Increase)
	power := 100 * float64(classes[ClassHigh]) / runs
	t.Logf("+20%%: %v %v, detected %.2f%%", verdicts, classes, power)
	assert.GreaterOrEqual(t, power, 90.0)
	assert.Equal(t, classes[ClassHigh], verdicts[VerdictFail], "a High critical metric fails the judgement")
}
