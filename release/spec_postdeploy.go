package release

import "time"

// Defaults of the post-deployment watch, applied by PostDeploy.WatchDefaults.
const (
	DefaultWatchDuration    = 60 * time.Minute
	DefaultWatchDense       = 10 * time.Minute
	DefaultWatchDenseEvery  = 30 * time.Second
	DefaultWatchSparseEvery = 2 * time.Minute
	DefaultWatchBaseline    = time.Hour
	DefaultWatchConsecutive = 2
	DefaultWatchAlpha       = 0.01
	DefaultWatchWindow      = 6
	DefaultTelemetryShare   = 0.9
	DefaultVersionLabel     = "version"
)

// Watch policies: what a confirmed breach does.
const (
	WatchPause    = "pause"
	WatchRollback = "rollback"
)

// PostDeploy declares what happens after the waves: the health watch of production waves and
// the telemetry readiness it depends on.
type PostDeploy struct {
	Watch *Watch `yaml:"watch,omitempty" json:"watch,omitempty"`
	// Telemetry is the readiness check run before the watch is trusted.
	Telemetry *Telemetry `yaml:"telemetry,omitempty" json:"telemetry,omitempty"`
}

// Watch is the key-health-indicator watch after each production wave: dense sampling first,
// sparser later, each indicator compared with the same service's pre-release baseline.
type Watch struct {
	// Waves names the waves watched; empty means every wave but the first (all of them when
	// there is one), the usual shape being staging first, production after.
	Waves       []string `yaml:"waves,omitempty" json:"waves,omitempty"`
	Duration    Duration `yaml:"duration,omitempty" json:"duration"`
	Dense       Duration `yaml:"dense,omitempty" json:"dense"`
	DenseEvery  Duration `yaml:"denseEvery,omitempty" json:"denseEvery"`
	SparseEvery Duration `yaml:"sparseEvery,omitempty" json:"sparseEvery"`
	// Baseline is the window before the release's first deployment the indicators are
	// compared with.
	Baseline Duration `yaml:"baseline,omitempty" json:"baseline"`
	// Consecutive breaching evaluations confirm a breach (default 2); so does a Mann-Whitney
	// shift of the last Window samples against the baseline with p < Alpha.
	Consecutive int     `yaml:"consecutive,omitempty" json:"consecutive"`
	Window      int     `yaml:"window,omitempty" json:"window"`
	Alpha       float64 `yaml:"alpha,omitempty" json:"alpha"`
	// OnBreach is pause (default) or rollback.
	OnBreach   string      `yaml:"onBreach,omitempty" json:"onBreach,omitempty"`
	Indicators []Indicator `yaml:"indicators" json:"indicators"`
}

// Indicator is one key health indicator. Queries may use ${SERVICE}, ${ENVIRONMENT} and
// ${VERSION} (the service's new version).
type Indicator struct {
	Name    string `yaml:"name" json:"name"`
	Service string `yaml:"service" json:"service"`
	// Query is the service-wide indicator: its pre-release range is the baseline.
	Query string `yaml:"query" json:"query"`
	// ByVersion is the same indicator restricted to the new version's label (correlation by
	// version): when set, breaches are judged on it, so the new version is told apart from
	// background noise of the instances not yet replaced.
	ByVersion string `yaml:"byVersion,omitempty" json:"byVersion,omitempty"`
	// HigherIsWorse is true for errors and latency (default); false for throughput, success.
	LowerIsWorse bool `yaml:"lowerIsWorse,omitempty" json:"lowerIsWorse,omitempty"`
	// MaxRelative is the tolerated relative worsening of the baseline median (0.2 = 20 %);
	// MaxAbsolute, when set, is a hard limit. One of them is required.
	MaxRelative float64 `yaml:"maxRelative,omitempty" json:"maxRelative,omitempty"`
	MaxAbsolute float64 `yaml:"maxAbsolute,omitempty" json:"maxAbsolute,omitempty"`
}

// Telemetry is the telemetry readiness check: the new version must be reported by at least
// MinShare of the instances (version label of a build-info series) before the health watch is
// trusted; otherwise the gate says "telemetry not ready", never "healthy".
type Telemetry struct {
	// Metric is the build-info series (default build_info); instances are its series with the
	// service's job label.
	Metric string `yaml:"metric,omitempty" json:"metric,omitempty"`
	// Selector narrows it to the service in an environment (default job="${SERVICE}").
	Selector     string  `yaml:"selector,omitempty" json:"selector,omitempty"`
	VersionLabel string  `yaml:"versionLabel,omitempty" json:"versionLabel,omitempty"`
	MinShare     float64 `yaml:"minShare,omitempty" json:"minShare,omitempty"`
	// Wait is how long the check keeps asking before it gives up (default 5m).
	Wait Duration `yaml:"wait,omitempty" json:"wait"`
}

// WatchDefaults returns the watch with every omitted setting defaulted.
func (w Watch) WatchDefaults() Watch {
	def := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	def(&w.Duration, DefaultWatchDuration)
	def(&w.Dense, DefaultWatchDense)
	def(&w.DenseEvery, DefaultWatchDenseEvery)
	def(&w.SparseEvery, DefaultWatchSparseEvery)
	def(&w.Baseline, DefaultWatchBaseline)
	if w.Consecutive == 0 {
		w.Consecutive = DefaultWatchConsecutive
	}
	if w.Window == 0 {
		w.Window = DefaultWatchWindow
	}
	if w.Alpha == 0 {
		w.Alpha = DefaultWatchAlpha
	}
	if w.OnBreach == "" {
		w.OnBreach = WatchPause
	}
	return w
}

// Watched reports whether the wave at index i of waves is watched.
func (w Watch) Watched(waves []Wave, i int) bool {
	if len(w.Waves) == 0 {
		return i > 0 || len(waves) == 1
	}
	for _, name := range w.Waves {
		if name == waves[i].Name {
			return true
		}
	}
	return false
}

// TelemetryDefaults returns the check with every omitted setting defaulted.
func (t Telemetry) TelemetryDefaults() Telemetry {
	if t.Metric == "" {
		t.Metric = "build_info"
	}
	if t.Selector == "" {
		t.Selector = `job="${SERVICE}"`
	}
	if t.VersionLabel == "" {
		t.VersionLabel = DefaultVersionLabel
	}
	if t.MinShare == 0 {
		t.MinShare = DefaultTelemetryShare
	}
	if t.Wait == 0 {
		t.Wait = Duration(5 * time.Minute)
	}
	return t
}

// SmokeStep is one request of a multi-step smoke workflow (SmokeCheck.Steps). URL, headers and
// body may use ${VARS} of the environment and service and ${NAME} of values captured by
// earlier steps.
type SmokeStep struct {
	Name         string            `yaml:"name" json:"name"`
	Method       string            `yaml:"method,omitempty" json:"method,omitempty"`
	URL          string            `yaml:"url" json:"url"`
	Headers      map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Body         string            `yaml:"body,omitempty" json:"body,omitempty"`
	ExpectStatus int               `yaml:"expectStatus,omitempty" json:"expectStatus,omitempty"`
	BodyContains string            `yaml:"bodyContains,omitempty" json:"bodyContains,omitempty"`
	MaxLatency   Duration          `yaml:"maxLatency,omitempty" json:"maxLatency,omitempty"`
	Capture      []Capture         `yaml:"capture,omitempty" json:"capture,omitempty"`
}

// Capture takes a value from a step's response for later steps: JSONPath is a dotted path into
// the JSON body ($.order.id, $.items[0].sku); Regexp's first group over the body.
type Capture struct {
	Name     string `yaml:"name" json:"name"`
	JSONPath string `yaml:"jsonPath,omitempty" json:"jsonPath,omitempty"`
	Regexp   string `yaml:"regexp,omitempty" json:"regexp,omitempty"`
}

// Commit is a change shipped by the release; its time feeds the release's DORA lead time.
type Commit struct {
	SHA string `yaml:"sha" json:"sha"`
	// Time is when the commit was made, RFC 3339 (2026-11-01T10:00:00Z).
	Time string `yaml:"time" json:"time"`
}

// At returns the commit time; false when it is missing or not RFC 3339.
func (c Commit) At() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, c.Time)
	return t, err == nil
}
