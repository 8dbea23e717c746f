package watch

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestScheduleIsDenseFirstThenSparse(t *testing.T) {
	s := Schedule(60*time.Minute, 10*time.Minute, 30*time.Second, 2*time.Minute)
	require.Equal(t, 30*time.Second, s[0])
	require.Equal(t, 10*time.Minute, s[19])
	require.Equal(t, 12*time.Minute, s[20])
	require.Equal(t, 60*time.Minute, s[len(s)-1])
	require.Len(t, s, 20+25)
	require.Len(t, Schedule(60*time.Minute, 60*time.Minute, 30*time.Second, 30*time.Second), 120)
	require.Nil(t, Schedule(time.Hour, 0, 0, time.Minute))
}

var baseline = []float64{1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98}

func rule() Rule { return Rule{MaxRelative: 0.5, Consecutive: 2, Window: 6, Alpha: 0.01} }

func TestObserve(t *testing.T) {
	tests := []struct {
		name      string
		rule      Rule
		samples   []float64
		confirmed int // index of the first confirmed evaluation, -1 for none
	}{
		{"healthy", rule(), []float64{1, 1.1, 0.9, 1, 1.2}, -1},
		{"single noisy sample never confirms", rule(), []float64{1, 5, 1, 1, 1, 1}, -1},
		{"breach confirmed on the second evaluation", rule(), []float64{3, 3.2, 1}, 1},
		{"alternating noise never confirms", Rule{MaxRelative: 0.5, Consecutive: 3, Window: 6, Alpha: 0.01}, []float64{2, 1, 2, 1, 2, 1}, -1},
		{"lower is worse", Rule{LowerIsWorse: true, MaxRelative: 0.2, Consecutive: 2}, []float64{1, 0.5, 0.5}, 2},
		{"absolute limit", Rule{MaxAbsolute: 2, Consecutive: 1}, []float64{1.9, 2.1}, 1},
		{"no data neither breaches nor resets", rule(), []float64{3, math.NaN(), 3}, 2},
		{"sustained shift confirmed by Mann-Whitney", Rule{MaxRelative: 0.05, Consecutive: 100, Window: 6, Alpha: 0.05},
			[]float64{1.2, 1.0, 1.2, 1.3, 1.2, 1.25}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &State{Baseline: baseline}
			first := -1
			for i, v := range tc.samples {
				if ev := tc.rule.Observe(s, v); ev.Confirmed && first < 0 {
					first = i
					require.NotEmpty(t, ev.Reason)
				}
			}
			require.Equal(t, tc.confirmed, first)
		})
	}
}

func TestLimit(t *testing.T) {
	require.InDelta(t, 1.5, Rule{MaxRelative: 0.5}.Limit(baseline), 1e-9)
	require.InDelta(t, 1.2, Rule{MaxRelative: 0.5, MaxAbsolute: 1.2}.Limit(baseline), 1e-9)
	require.True(t, math.IsNaN(Rule{MaxRelative: 0.5}.Limit(nil)))
}

// BenchmarkObserveHour judges 10 indicators × 120 evaluations (an hour at 30 s).
func BenchmarkObserveHour(b *testing.B) {
	r := Rule{MaxRelative: 0.5, Consecutive: 2, Window: 6, Alpha: 0.01}
	for b.Loop() {
		for range 10 {
			s := &State{Baseline: baseline}
			for i := range 120 {
				r.Observe(s, 1+0.6*float64(i%2))
			}
		}
	}
}
