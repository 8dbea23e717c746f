package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/integrations/retry"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/watch"
)

// Clock is the time source of long-running activities; tests replace it so an hour-long watch
// runs in milliseconds.
type Clock struct {
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (c Clock) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Clock) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return retry.Sleep(ctx, d)
}

// Watch verdicts.
const (
	WatchHealthy           = "healthy"
	WatchBreach            = "breach"
	WatchTelemetryNotReady = "telemetry not ready"
)

// WatchHealthInput is the watch of one production wave.
type WatchHealthInput struct {
	ReleaseID    string                `json:"releaseId"`
	Wave         string                `json:"wave"`
	Environments []release.Environment `json:"environments"`
	Services     []release.Service     `json:"services"`
	// Watch has its defaults applied (release.Watch.WatchDefaults).
	Watch release.Watch `json:"watch"`
	// Telemetry, when set, is checked first; not ready ends the watch with that verdict.
	Telemetry *release.Telemetry `json:"telemetry,omitempty"`
	// BaselineEnd is when the release started deploying: the baseline window ends there.
	BaselineEnd time.Time `json:"baselineEnd"`
}

// Alert is a breaching evaluation, confirmed or not; unconfirmed alerts never page.
type Alert struct {
	Time        time.Time `json:"time"`
	Environment string    `json:"environment"`
	Service     string    `json:"service"`
	Indicator   string    `json:"indicator"`
	Value       float64   `json:"value"`
	Limit       float64   `json:"limit"`
	Confirmed   bool      `json:"confirmed"`
	Reason      string    `json:"reason"`
	// Background is the service-wide value at the same time when the indicator has a byVersion
	// query: a breach of the new version alone points at the release, one shared with the whole
	// service at background noise or another cause.
	Background *float64 `json:"background,omitempty"`
}

// TelemetryReport is the share of a service's instances in an environment reporting the new
// version.
type TelemetryReport struct {
	Environment string  `json:"environment"`
	Service     string  `json:"service"`
	Share       float64 `json:"share"`
	Ready       bool    `json:"ready"`
}

// WatchHealthResult is how the watch ended.
type WatchHealthResult struct {
	Verdict   string            `json:"verdict"`
	Telemetry []TelemetryReport `json:"telemetry,omitempty"`
	// Breach is the confirmed breach that ended the watch early.
	Breach *Alert `json:"breach,omitempty"`
	// Alerts are the first breaching evaluation of each indicator and every confirmed one.
	Alerts []Alert `json:"alerts,omitempty"`
	// Gaps name indicators (environment/service/indicator) that returned no data at all.
	Gaps        []string `json:"gaps,omitempty"`
	Evaluations int      `json:"evaluations"`
}

// watchHeartbeat lets a retried watch resume where the last attempt stopped.
type watchHeartbeat struct {
	Start  time.Time               `json:"start"`
	Next   int                     `json:"next"`
	States map[string]*watch.State `json:"states"`
	Result WatchHealthResult       `json:"result"`
}

// watchSeries is one indicator in one environment.
type watchSeries struct {
	key, env, svc, name, baselineQ, sampleQ string
	rule                                    watch.Rule
}

// WatchHealth watches the key health indicators of a production wave for the configured
// period, sampling densely first and sparsely later, and returns at the first confirmed breach.
// It heartbeats after every evaluation, so the watch lives in one activity, not in history.
func (a *Activities) WatchHealth(ctx context.Context, in WatchHealthInput) (WatchHealthResult, error) {
	if a.Metrics == nil {
		return WatchHealthResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("watch of wave %q: no metrics provider configured (TOLLGATE_PROMETHEUS_URL)", in.Wave), ErrAnalysisConfig, nil)
	}
	w := in.Watch
	series, err := watchPlan(in)
	if err != nil {
		return WatchHealthResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrAnalysisConfig, err)
	}
	hb := watchHeartbeat{Start: a.Clock.now(), States: map[string]*watch.State{}}
	if !activity.HasHeartbeatDetails(ctx) || activity.GetHeartbeatDetails(ctx, &hb) != nil || hb.Start.IsZero() {
		hb = watchHeartbeat{Start: a.Clock.now(), States: map[string]*watch.State{}}
		if in.Telemetry != nil {
			reports, ready, err := a.telemetryReady(ctx, in)
			if err != nil {
				return WatchHealthResult{}, err
			}
			hb.Result.Telemetry = reports
			if !ready {
				hb.Result.Verdict = WatchTelemetryNotReady
				return hb.Result, nil
			}
		}
		for _, s := range series {
			base, err := a.Metrics.Range(ctx, s.baselineQ, in.BaselineEnd.Add(-w.Baseline.D()), in.BaselineEnd, max(w.DenseEvery.D(), 30*time.Second))
			if err != nil && !errors.Is(err, prometheus.ErrNoData) {
				return WatchHealthResult{}, metricsError(in.Wave, s.name, err)
			}
			hb.States[s.key] = &watch.State{Baseline: finiteOnly(base)}
		}
		hb.Start = a.Clock.now()
		activity.RecordHeartbeat(ctx, hb)
	}
	schedule := watch.Schedule(w.Duration.D(), w.Dense.D(), w.DenseEvery.D(), w.SparseEvery.D())
	for ; hb.Next < len(schedule); hb.Next++ {
		if wait := hb.Start.Add(schedule[hb.Next]).Sub(a.Clock.now()); wait > 0 {
			if err := a.Clock.sleep(ctx, wait); err != nil {
				return WatchHealthResult{}, err
			}
		}
		at := a.Clock.now()
		for _, s := range series {
			v, err := a.Metrics.Instant(ctx, s.sampleQ, at)
			if errors.Is(err, prometheus.ErrNoData) {
				v, err = math.NaN(), nil
			}
			if err != nil {
				return WatchHealthResult{}, metricsError(in.Wave, s.name, err)
			}
			ev := s.rule.Observe(hb.States[s.key], v)
			if !ev.Breach {
				continue
			}
			al := Alert{Time: at, Environment: s.env, Service: s.svc, Indicator: s.name, Value: ev.Value, Limit: ev.Limit, Confirmed: ev.Confirmed, Reason: ev.Reason}
			if s.sampleQ != s.baselineQ {
				a.correlate(ctx, s, at, &al)
			}
			if ev.Confirmed || ev.Streak == 1 {
				hb.Result.Alerts = append(hb.Result.Alerts, al)
			}
			if ev.Confirmed && hb.Result.Breach == nil {
				hb.Result.Breach = &al
			}
		}
		hb.Result.Evaluations++
		activity.RecordHeartbeat(ctx, hb)
		if hb.Result.Breach != nil {
			break
		}
	}
	hb.Result.Verdict = WatchHealthy
	if hb.Result.Breach != nil {
		hb.Result.Verdict = WatchBreach
	}
	for _, s := range series {
		if st := hb.States[s.key]; st.Samples == 0 && st.Missing > 0 {
			hb.Result.Gaps = append(hb.Result.Gaps, s.key)
		}
	}
	return hb.Result, nil
}

// correlate adds the service-wide value to an alert on a by-version indicator. It is best
// effort: without it the alert still stands on the new version's own series.
func (a *Activities) correlate(ctx context.Context, s watchSeries, at time.Time, al *Alert) {
	bg, err := a.Metrics.Instant(ctx, s.baselineQ, at)
	if err != nil || math.IsNaN(bg) {
		return
	}
	al.Background = &bg
	if s.rule.Breaches(bg, al.Limit) {
		al.Reason += fmt.Sprintf("; the service as a whole is also beyond the limit (%.4g): not specific to version", bg)
	} else {
		al.Reason += fmt.Sprintf("; the service as a whole is within it (%.4g): specific to the new version", bg)
	}
}

// watchPlan expands every indicator for every environment of the wave.
func watchPlan(in WatchHealthInput) ([]watchSeries, error) {
	w := in.Watch
	var out []watchSeries
	for _, env := range in.Environments {
		for _, ind := range w.Indicators {
			var svc release.Service
			for _, s := range in.Services {
				if s.Name == ind.Service {
					svc = s
				}
			}
			vars := release.StepVars(in.ReleaseID, svc, env)
			base, err := release.Expand(ind.Query, vars)
			if err != nil {
				return nil, fmt.Errorf("watch indicator %q of %s in %s: query: %w", ind.Name, ind.Service, env.Name, err)
			}
			sample := base
			if ind.ByVersion != "" {
				if sample, err = release.Expand(ind.ByVersion, vars); err != nil {
					return nil, fmt.Errorf("watch indicator %q of %s in %s: byVersion: %w", ind.Name, ind.Service, env.Name, err)
				}
			}
			out = append(out, watchSeries{
				key: env.Name + "/" + ind.Service + "/" + ind.Name, env: env.Name, svc: ind.Service, name: ind.Name,
				baselineQ: base, sampleQ: sample,
				rule: watch.Rule{LowerIsWorse: ind.LowerIsWorse, MaxRelative: ind.MaxRelative, MaxAbsolute: ind.MaxAbsolute,
					Consecutive: w.Consecutive, Window: w.Window, Alpha: w.Alpha},
			})
		}
	}
	return out, nil
}

func metricsError(wave, name string, err error) error {
	if prometheus.Classify(err) == prometheus.Permanent {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("watch of wave %q, %s: %v", wave, name, err), ErrAnalysisConfig, err)
	}
	return fmt.Errorf("watch of wave %q, %s: %w", wave, name, err)
}

func finiteOnly(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	return out
}
