package activities

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
)

// scripted answers Instant with successive values per query (the last one repeating) and
// Range with a fixed baseline.
type scripted struct {
	mu       sync.Mutex
	instant  map[string][]float64
	baseline []float64
	calls    int
}

func (s *scripted) Range(context.Context, string, time.Time, time.Time, time.Duration) ([]float64, error) {
	return s.baseline, nil
}

func (s *scripted) Instant(_ context.Context, q string, _ time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	v, ok := s.instant[q]
	if !ok {
		return math.NaN(), &prometheus.Error{Class: prometheus.Inconclusive, Query: q, Err: prometheus.ErrNoData}
	}
	if len(v) > 1 {
		s.instant[q] = v[1:]
	}
	return v[0], nil
}

// fakeClock advances instantly when slept on.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) clock() Clock {
	return Clock{
		Now: func() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now },
		Sleep: func(_ context.Context, d time.Duration) error {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.now = c.now.Add(d)
			return nil
		},
	}
}

func watchInput(indicators ...release.Indicator) WatchHealthInput {
	svc := release.Service{Name: "cart", Version: "2.0.0"}
	return WatchHealthInput{
		ReleaseID: "r1", Wave: "production",
		Environments: []release.Environment{{Name: "prod-eu"}},
		Services:     []release.Service{svc},
		Watch:        release.Watch{Indicators: indicators}.WatchDefaults(),
		BaselineEnd:  time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC),
	}
}

func runWatch(t *testing.T, p prometheus.Provider, in WatchHealthInput) WatchHealthResult {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	clk := &fakeClock{now: in.BaselineEnd}
	env.RegisterActivity(&Activities{Metrics: p, Clock: clk.clock()})
	v, err := env.ExecuteActivity((&Activities{}).WatchHealth, in)
	require.NoError(t, err)
	var res WatchHealthResult
	require.NoError(t, v.Get(&res))
	return res
}

var errors5xx = release.Indicator{Name: "errors", Service: "cart", Query: `rate(errors{job="${SERVICE}"}[1m])`,
	ByVersion: `rate(errors{job="${SERVICE}",version="${VERSION}"}[1m])`, MaxRelative: 0.5}

func TestWatchHealth(t *testing.T) {
	byVersion := `rate(errors{job="cart",version="2.0.0"}[1m])`
	tests := []struct {
		name        string
		samples     []float64
		verdict     string
		evaluations int
		alerts      int
	}{
		{"healthy for the whole hour", []float64{1}, WatchHealthy, 45, 0},
		{"a single noisy sample does not page", []float64{1, 9, 1}, WatchHealthy, 45, 1},
		{"breach confirmed on the second evaluation", []float64{9, 9}, WatchBreach, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &scripted{baseline: []float64{1, 1.1, 0.9, 1}, instant: map[string][]float64{byVersion: tc.samples}}
			res := runWatch(t, p, watchInput(errors5xx))
			require.Equal(t, tc.verdict, res.Verdict)
			require.Equal(t, tc.evaluations, res.Evaluations)
			require.Len(t, res.Alerts, tc.alerts)
			if tc.verdict == WatchBreach {
				require.True(t, res.Breach.Confirmed)
				require.Equal(t, "errors", res.Breach.Indicator)
			}
		})
	}
}

func TestWatchHealthReportsGapsAndTelemetryNotReady(t *testing.T) {
	p := &scripted{baseline: []float64{1}, instant: map[string][]float64{}}
	res := runWatch(t, p, watchInput(errors5xx))
	require.Equal(t, WatchHealthy, res.Verdict)
	require.Equal(t, []string{"prod-eu/cart/errors"}, res.Gaps)

	in := watchInput(errors5xx)
	in.Telemetry = &release.Telemetry{MinShare: 0.9}
	q := TelemetryQuery("build_info", `job="cart"`, "version", "2.0.0")
	p = &scripted{instant: map[string][]float64{q: {0.5}}}
	res = runWatch(t, p, in)
	require.Equal(t, WatchTelemetryNotReady, res.Verdict, "never healthy while telemetry lags")
	require.Equal(t, []TelemetryReport{{Environment: "prod-eu", Service: "cart", Share: 0.5}}, res.Telemetry)

	p = &scripted{baseline: []float64{1}, instant: map[string][]float64{q: {0.5, 0.95}, `rate(errors{job="cart",version="2.0.0"}[1m])`: {1}}}
	res = runWatch(t, p, in)
	require.Equal(t, WatchHealthy, res.Verdict)
	require.True(t, res.Telemetry[0].Ready)
}

func TestWatchHealthWithoutMetricsFailsClosed(t *testing.T) {
	_, err := (&Activities{}).WatchHealth(context.Background(), watchInput(errors5xx))
	require.ErrorContains(t, err, "no metrics provider")
}

// BenchmarkWatchHour is the 60-minute watch of 10 indicators at 30-second resolution.
func BenchmarkWatchHour(b *testing.B) {
	var inds []release.Indicator
	instant := map[string][]float64{}
	for i := range 10 {
		ind := release.Indicator{Name: string(rune('a' + i)), Service: "cart", Query: "q" + string(rune('a'+i)), MaxRelative: 0.5}
		inds = append(inds, ind)
	}
	in := watchInput(inds...)
	in.Watch.Dense = in.Watch.Duration
	var s testsuite.WorkflowTestSuite
	for b.Loop() {
		for _, ind := range inds {
			instant[ind.Query] = []float64{1}
		}
		env := s.NewTestActivityEnvironment()
		clk := &fakeClock{now: in.BaselineEnd}
		env.RegisterActivity(&Activities{Metrics: &scripted{baseline: []float64{1, 1}, instant: instant}, Clock: clk.clock()})
		if _, err := env.ExecuteActivity((&Activities{}).WatchHealth, in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWatchHealthCorrelatesByVersion(t *testing.T) {
	byVersion := `rate(errors{job="cart",version="2.0.0"}[1m])`
	serviceWide := `rate(errors{job="cart"}[1m])`
	for _, tc := range []struct {
		background float64
		want       string
	}{{1, "specific to the new version"}, {9, "not specific to version"}} {
		p := &scripted{baseline: []float64{1, 1.1, 0.9, 1}, instant: map[string][]float64{byVersion: {9}, serviceWide: {tc.background}}}
		res := runWatch(t, p, watchInput(errors5xx))
		require.Equal(t, WatchBreach, res.Verdict)
		require.NotNil(t, res.Breach.Background)
		require.Equal(t, tc.background, *res.Breach.Background)
		require.Contains(t, res.Breach.Reason, tc.want)
	}
}
