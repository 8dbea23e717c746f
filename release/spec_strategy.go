package release

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Strategy says how a service rolls out inside one environment. Exactly one of Rolling, Canary
// and BlueGreen is set. A service without a strategy deploys with its runbook in one step, as
// the foundation did. The strategy is data: rollout.Plan turns it into steps the workflow runs.
type Strategy struct {
	Rolling   *Rolling   `yaml:"rolling,omitempty" json:"rolling,omitempty"`
	Canary    *Canary    `yaml:"canary,omitempty" json:"canary,omitempty"`
	BlueGreen *BlueGreen `yaml:"blueGreen,omitempty" json:"blueGreen,omitempty"`
	// Commands are the shell commands of the traffic operations, run like runbook steps.
	Commands TrafficCommands `yaml:"commands" json:"commands"`
}

// TrafficCommands are the shell commands (sh -c) behind the traffic operations. Besides the
// runbook variables they receive WEIGHT, COLOUR, TRACK, REPLICAS, BATCH, BATCH_FROM and BATCH_TO
// (integrations/deploy.Script). Each must be idempotent: it sets a state, it does not step one.
type TrafficCommands struct {
	// Scale makes TRACK run REPLICAS instances of VERSION, or instances BATCH_FROM..BATCH_TO-1.
	Scale string `yaml:"scale" json:"scale"`
	// Weight sends WEIGHT percent of requests to the canary track.
	Weight string `yaml:"weight,omitempty" json:"weight,omitempty"`
	// Switch sends all requests to COLOUR.
	Switch string `yaml:"switch,omitempty" json:"switch,omitempty"`
	// Observe prints the target's state as key=value lines (version, replicas, weight, colour).
	Observe string `yaml:"observe,omitempty" json:"observe,omitempty"`
}

// Name is "rolling", "canary", "blueGreen", or "" when no strategy is set.
func (s *Strategy) Name() string {
	switch {
	case s == nil:
		return ""
	case s.Rolling != nil:
		return "rolling"
	case s.Canary != nil:
		return "canary"
	case s.BlueGreen != nil:
		return "blueGreen"
	}
	return ""
}

// Rolling replaces the instances of a service batch by batch.
type Rolling struct {
	// Replicas is how many instances the service runs in each environment.
	Replicas int `yaml:"replicas" json:"replicas"`
	// BatchSize is how many instances change at once: a count ("2") or a share ("25%", rounded up).
	BatchSize IntOrPercent `yaml:"batchSize" json:"batchSize"`
	// MaxUnavailable caps the instances out of service at once; a batch larger than it is split.
	// Empty means the batch size.
	MaxUnavailable IntOrPercent `yaml:"maxUnavailable,omitempty" json:"maxUnavailable,omitempty"`
	// Bake is how long to watch each batch before the next one.
	Bake Duration `yaml:"bake,omitempty" json:"bake"`
	// Analysis names the template (analysis.templates) judged after each batch; empty: none.
	Analysis string `yaml:"analysis,omitempty" json:"analysis,omitempty"`
}

// Canary runs the new version beside the stable one and moves traffic to it step by step.
type Canary struct {
	// Replicas is the stable track's instance count; promotion redeploys all of them.
	Replicas int `yaml:"replicas" json:"replicas"`
	// CanaryReplicas is the canary track's instance count (default 1).
	CanaryReplicas int `yaml:"canaryReplicas,omitempty" json:"canaryReplicas"`
	// Steps raise the canary's traffic weight in order; weights never decrease.
	Steps []CanaryStep `yaml:"steps" json:"steps"`
}

// CanaryStep is one traffic weight held for a bake time, then judged.
type CanaryStep struct {
	// Weight is the percentage of requests the canary receives, 1–100.
	Weight int `yaml:"weight" json:"weight"`
	// Bake is how long the weight holds before the analysis.
	Bake Duration `yaml:"bake" json:"bake"`
	// Analysis names the template judged at the end of the bake; empty: none.
	Analysis string `yaml:"analysis,omitempty" json:"analysis,omitempty"`
}

// BlueGreen deploys the new version as the idle colour, verifies it, switches traffic to it and
// keeps the old colour running for a while so that a rollback is a switch back.
type BlueGreen struct {
	// Replicas is the instance count of each colour.
	Replicas int `yaml:"replicas" json:"replicas"`
	// PreviewBake is how long the idle colour runs before the switch; PreviewAnalysis judges it.
	PreviewBake     Duration `yaml:"previewBake,omitempty" json:"previewBake"`
	PreviewAnalysis string   `yaml:"previewAnalysis,omitempty" json:"previewAnalysis,omitempty"`
	// KeepOld is how long the old colour keeps running after the switch (Argo's scaleDownDelay);
	// PostAnalysis judges the new colour during that time.
	KeepOld      Duration `yaml:"keepOld" json:"keepOld"`
	PostAnalysis string   `yaml:"postAnalysis,omitempty" json:"postAnalysis,omitempty"`
}

// IntOrPercent is a count ("3", or a YAML integer) or a share of a total ("25%").
type IntOrPercent string

// UnmarshalYAML accepts an integer or a string.
func (v *IntOrPercent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a count such as 2 or a share such as \"25%%\"")
	}
	*v = IntOrPercent(n.Value)
	return nil
}

// Resolve returns the count for a total: a share is rounded up and at least 1 when positive.
// It fails on anything but a non-negative count or a 0–100 % share.
func (v IntOrPercent) Resolve(total int) (int, error) {
	s := strings.TrimSpace(string(v))
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 100 {
			return 0, fmt.Errorf("invalid share %q: want 0%%–100%%", string(v))
		}
		c := int(math.Ceil(float64(total) * float64(n) / 100))
		if n > 0 && c == 0 {
			c = 1
		}
		return c, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid count %q: want a whole number ≥ 0 or a share such as \"25%%\"", string(v))
	}
	return n, nil
}

// Analysis is the release-level health-gate configuration: templates that strategy steps name,
// and query templates beside the built-in key health indicators.
type Analysis struct {
	// Interval is the time between two measurements during a bake (default 1m).
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
	// Queries adds PromQL query templates by name (text/template over .Service, .Version,
	// .Environment, .Window); a name here overrides a built-in one.
	Queries map[string]string `yaml:"queries,omitempty" json:"queries,omitempty"`
	// Templates are the named analyses strategies refer to.
	Templates []AnalysisTemplate `yaml:"templates" json:"templates"`
}

// AnalysisTemplate is one canary judgement (Kayenta) and/or set of threshold gates (Argo).
type AnalysisTemplate struct {
	Name    string           `yaml:"name" json:"name"`
	Metrics []AnalysisMetric `yaml:"metrics" json:"metrics"`
	// Groups weights metric groups; empty: every metric weighs the same.
	Groups map[string]float64 `yaml:"groups,omitempty" json:"groups,omitempty"`
	// PassScore and MarginalScore are the score bands, 0–100 (defaults 95 and 75).
	PassScore     float64 `yaml:"passScore,omitempty" json:"passScore"`
	MarginalScore float64 `yaml:"marginalScore,omitempty" json:"marginalScore"`
	// MinSamples is the points a side needs before a metric is judged (default 50).
	MinSamples int `yaml:"minSamples,omitempty" json:"minSamples"`
	// ExtendBakeLimit is how many times a bake is extended for lack of samples before the
	// analysis fails (default 3): low traffic must neither pass nor fail a canary on its own.
	ExtendBakeLimit int `yaml:"extendBakeLimit,omitempty" json:"extendBakeLimit"`
}

// AnalysisMetric is one metric of a template. Without Threshold it is compared canary against
// baseline; with Threshold its canary value is checked against limits instead.
type AnalysisMetric struct {
	Name string `yaml:"name" json:"name"`
	// Query names a query template: a built-in key health indicator (BuiltinQueries) or one of
	// analysis.queries.
	Query string `yaml:"query" json:"query"`
	// Direction is the harmful change: increase, decrease or either (default).
	Direction   string  `yaml:"direction,omitempty" json:"direction,omitempty"`
	Critical    bool    `yaml:"critical,omitempty" json:"critical,omitempty"`
	Group       string  `yaml:"group,omitempty" json:"group,omitempty"`
	Tolerance   float64 `yaml:"tolerance,omitempty" json:"tolerance,omitempty"`
	EffectLimit float64 `yaml:"effectLimit,omitempty" json:"effectLimit,omitempty"`
	MinSamples  int     `yaml:"minSamples,omitempty" json:"minSamples,omitempty"`
	// Threshold makes the metric an Argo-style gate on the canary's own values.
	Threshold *Threshold `yaml:"threshold,omitempty" json:"threshold,omitempty"`
}

// Threshold is an Argo Rollouts analysis metric: conditions such as "< 0.01" and limits.
type Threshold struct {
	Success string `yaml:"success,omitempty" json:"success,omitempty"`
	Failure string `yaml:"failure,omitempty" json:"failure,omitempty"`
	// FailureLimit, ConsecutiveErrorLimit and InconclusiveLimit default to Argo's 0, 4 and 0.
	FailureLimit          int  `yaml:"failureLimit,omitempty" json:"failureLimit"`
	ConsecutiveErrorLimit *int `yaml:"consecutiveErrorLimit,omitempty" json:"consecutiveErrorLimit,omitempty"`
	InconclusiveLimit     int  `yaml:"inconclusiveLimit,omitempty" json:"inconclusiveLimit"`
	// Count is how many successful measurements pass the gate (default: every measurement of
	// the bake).
	Count int `yaml:"count,omitempty" json:"count"`
}

// Template returns the analysis template called name, or false.
func (a *Analysis) Template(name string) (AnalysisTemplate, bool) {
	if a == nil {
		return AnalysisTemplate{}, false
	}
	for _, t := range a.Templates {
		if t.Name == name {
			return t, true
		}
	}
	return AnalysisTemplate{}, false
}

// BuiltinQueries names the key health indicators integrations/prometheus has templates for.
var BuiltinQueries = []string{"error_rate", "latency_p50", "latency_p90", "latency_p99", "throughput", "saturation"}

// Analysis defaults.
const (
	DefaultAnalysisInterval = time.Minute // Flagger's default interval
	DefaultExtendBakeLimit  = 3
	DefaultCanaryReplicas   = 1
)
