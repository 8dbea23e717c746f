// Package risk scores a change from 0 to 100 with each feature's contribution and a plain
// explanation, and classes it low, medium or high (emergency is declared in the spec, never
// computed). It is pure: history, SCM data and the service graph come in as plain structs.
package risk

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Feature names, as they appear in contributions and in the config's weights.
const (
	FeatureBlastRadius = "blastRadius"
	FeatureTeams       = "teams"
	FeatureChangeSize  = "changeSize"
	FeatureMigration   = "migration"
	FeatureServices    = "services"
	FeatureStaleness   = "staleness"
	FeatureFailureRate = "failureRate"
	FeatureRollbacks   = "rollbacks"
	FeatureIncidents   = "incidents"
	FeaturePeakHours   = "peakHours"
)

// Weights are the points each feature adds at full severity. The defaults sum to 100, so the
// score reads as a percentage of the worst case; other sums are clamped to 0–100.
type Weights struct {
	BlastRadius float64 `yaml:"blastRadius" json:"blastRadius"`
	Teams       float64 `yaml:"teams" json:"teams"`
	ChangeSize  float64 `yaml:"changeSize" json:"changeSize"`
	Migration   float64 `yaml:"migration" json:"migration"`
	Services    float64 `yaml:"services" json:"services"`
	Staleness   float64 `yaml:"staleness" json:"staleness"`
	FailureRate float64 `yaml:"failureRate" json:"failureRate"`
	Rollbacks   float64 `yaml:"rollbacks" json:"rollbacks"`
	Incidents   float64 `yaml:"incidents" json:"incidents"`
	PeakHours   float64 `yaml:"peakHours" json:"peakHours"`
}

// Scales are the values at which a feature reaches full severity; below, severity grows
// linearly (change size: logarithmically in lines).
type Scales struct {
	Dependents    int     `yaml:"dependents" json:"dependents"`       // transitive dependents
	Teams         int     `yaml:"teams" json:"teams"`                 // owning teams beyond the first
	Lines         int     `yaml:"lines" json:"lines"`                 // lines changed
	Files         int     `yaml:"files" json:"files"`                 // files changed
	Services      int     `yaml:"services" json:"services"`           // services beyond the first
	StaleDays     int     `yaml:"staleDays" json:"staleDays"`         // days since last success
	FailureRate   float64 `yaml:"failureRate" json:"failureRate"`     // change failure rate
	Rollbacks     int     `yaml:"rollbacks" json:"rollbacks"`         // rollbacks in history
	Incidents     int     `yaml:"incidents" json:"incidents"`         // incidents, last 30 days
	MinReleases   int     `yaml:"minReleases" json:"minReleases"`     // history below this is "little"
	UnknownWeight float64 `yaml:"unknownWeight" json:"unknownWeight"` // severity of an unknown feature
}

// Thresholds class a score: below Medium is low, below High is medium, the rest high.
type Thresholds struct {
	Medium float64 `yaml:"medium" json:"medium"`
	High   float64 `yaml:"high" json:"high"`
}

// Config is the risk model. Load it from YAML with LoadConfig; omitted fields keep defaults.
type Config struct {
	Weights    Weights    `yaml:"weights" json:"weights"`
	Scales     Scales     `yaml:"scales" json:"scales"`
	Thresholds Thresholds `yaml:"thresholds" json:"thresholds"`
}

// DefaultConfig is the shipped model:
//
//	feature      weight  full severity at
//	blastRadius  20      20 transitive dependents
//	teams         5      5 owning teams (first team free)
//	changeSize   15      5,000 lines (log scale) or 100 files; unknown counts half
//	migration    15      a database migration in the release
//	services      5      10 services (first free)
//	staleness    10      90 days since the last successful release (never: full)
//	failureRate  15      30 % of releases needing remediation; under 3 releases counts half
//	rollbacks     5      3 rollbacks
//	incidents     5      3 incidents linked in the last 30 days
//	peakHours     5      deploying inside the environment's peak hours; unknown counts half
//
// Classes: low < 30 ≤ medium < 60 ≤ high. Unknown inputs count at half severity on purpose:
// missing data must not make a change look safe.
func DefaultConfig() Config {
	return Config{
		Weights: Weights{BlastRadius: 20, Teams: 5, ChangeSize: 15, Migration: 15, Services: 5, Staleness: 10,
			FailureRate: 15, Rollbacks: 5, Incidents: 5, PeakHours: 5},
		Scales: Scales{Dependents: 20, Teams: 5, Lines: 5000, Files: 100, Services: 10, StaleDays: 90, FailureRate: 0.30,
			Rollbacks: 3, Incidents: 3, MinReleases: 3, UnknownWeight: 0.5},
		Thresholds: Thresholds{Medium: 30, High: 60},
	}
}

// LoadConfig reads a YAML risk model over the defaults and checks it.
func LoadConfig(data []byte) (Config, error) {
	c := DefaultConfig()
	if err := yaml.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("risk config: %w", err)
	}
	return c, c.Validate()
}

// Validate checks weights are non-negative, scales positive and thresholds ordered.
func (c Config) Validate() error {
	w := c.Weights
	for _, f := range []struct {
		name string
		v    float64
	}{{FeatureBlastRadius, w.BlastRadius}, {FeatureTeams, w.Teams}, {FeatureChangeSize, w.ChangeSize}, {FeatureMigration, w.Migration},
		{FeatureServices, w.Services}, {FeatureStaleness, w.Staleness}, {FeatureFailureRate, w.FailureRate},
		{FeatureRollbacks, w.Rollbacks}, {FeatureIncidents, w.Incidents}, {FeaturePeakHours, w.PeakHours}} {
		if f.v < 0 {
			return fmt.Errorf("risk config: weights.%s: must not be negative, got %g", f.name, f.v)
		}
	}
	s := c.Scales
	if s.Dependents < 1 || s.Teams < 2 || s.Lines < 1 || s.Files < 1 || s.Services < 2 || s.StaleDays < 1 || s.FailureRate <= 0 ||
		s.Rollbacks < 1 || s.Incidents < 1 || s.UnknownWeight < 0 || s.UnknownWeight > 1 {
		return fmt.Errorf("risk config: scales: every scale must be positive (teams and services at least 2, unknownWeight 0–1), got %+v", s)
	}
	if c.Thresholds.Medium <= 0 || c.Thresholds.High <= c.Thresholds.Medium || c.Thresholds.High > 100 {
		return fmt.Errorf("risk config: thresholds: want 0 < medium < high ≤ 100, got medium %g, high %g", c.Thresholds.Medium, c.Thresholds.High)
	}
	return nil
}
