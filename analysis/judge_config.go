package analysis

import (
	"fmt"
	"math"
)

// Defaults, from Kayenta's NetflixACAJudge and the field notes (see doc.go).
const (
	// DefaultConfidence is the two-sided level of the shift interval.
	DefaultConfidence = 0.98
	// DefaultTolerance is the fraction of |shift| the interval must clear.
	DefaultTolerance = 0.25
	// DefaultEffectLimit is the allowed mean ratio: 1 means any change counts.
	DefaultEffectLimit = 1.0
	// DefaultPassScore and DefaultMarginalScore are Kayenta's usual bands.
	DefaultPassScore     = 95.0
	DefaultMarginalScore = 75.0
	// DefaultOutlierIQRFactor is Kayenta's IQR outlier factor.
	DefaultOutlierIQRFactor = 3.0
	// DefaultMinSamples is the point count under which Kayenta's users call a
	// result low confidence; below it the judge asks to extend the bake.
	DefaultMinSamples = 50
	// DefaultMaxMissingFraction is the share of NaN points a side may have
	// before its series counts as broken rather than merely gappy.
	DefaultMaxMissingFraction = 0.5
	// noDataFailFraction: at least this share of NoData metrics scores 0.
	noDataFailFraction = 0.5
)

// Config tunes [Judge]. Start from [DefaultConfig]: zero values of
// Confidence, PassScore, MarginalScore, MinSamples and MaxMissingFraction
// take the defaults, but OutlierIQRFactor is taken as given, so 0 disables
// outlier removal.
type Config struct {
	// Groups weights metric groups (Kayenta's classifier group weights). Empty
	// means every metric weighs the same; otherwise every metric's group
	// needs a positive weight. Weights are normalised over the groups that
	// have metrics.
	Groups map[string]float64
	// PassScore and MarginalScore are the score bands (0–100).
	PassScore, MarginalScore float64
	// Confidence is the two-sided level of the shift interval, in (0, 1).
	Confidence float64
	// OutlierIQRFactor removes points outside [Q1 − f·IQR, Q3 + f·IQR] from
	// each side before judging; 0 keeps every point.
	OutlierIQRFactor float64
	// MinSamples is the minimum number of usable points on each side.
	MinSamples int
	// MaxMissingFraction is the largest tolerated share of NaN points a side.
	MaxMissingFraction float64
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		PassScore:          DefaultPassScore,
		MarginalScore:      DefaultMarginalScore,
		Confidence:         DefaultConfidence,
		OutlierIQRFactor:   DefaultOutlierIQRFactor,
		MinSamples:         DefaultMinSamples,
		MaxMissingFraction: DefaultMaxMissingFraction,
	}
}

// withDefaults fills zero fields and validates the result.
func (c Config) withDefaults() (Config, error) {
	if c.PassScore == 0 {
		c.PassScore = DefaultPassScore
	}
	if c.MarginalScore == 0 {
		c.MarginalScore = DefaultMarginalScore
	}
	if c.Confidence == 0 {
		c.Confidence = DefaultConfidence
	}
	if c.MinSamples == 0 {
		c.MinSamples = DefaultMinSamples
	}
	if c.MaxMissingFraction == 0 {
		c.MaxMissingFraction = DefaultMaxMissingFraction
	}
	switch {
	case !(c.Confidence > 0 && c.Confidence < 1):
		return c, fmt.Errorf("analysis: config confidence %v: %w", c.Confidence, ErrConfidence)
	case !(c.MarginalScore >= 0 && c.PassScore <= 100 && c.MarginalScore <= c.PassScore):
		return c, fmt.Errorf("analysis: config scores: need 0 ≤ marginal %v ≤ pass %v ≤ 100", c.MarginalScore, c.PassScore)
	case !(c.OutlierIQRFactor >= 0) || math.IsInf(c.OutlierIQRFactor, 0):
		return c, fmt.Errorf("analysis: config outlier IQR factor %v must be finite and ≥ 0", c.OutlierIQRFactor)
	case c.MinSamples < 0:
		return c, fmt.Errorf("analysis: config min samples %d must be ≥ 0", c.MinSamples)
	case !(c.MaxMissingFraction > 0 && c.MaxMissingFraction <= 1):
		return c, fmt.Errorf("analysis: config max missing fraction %v must lie in (0, 1]", c.MaxMissingFraction)
	}
	for g, w := range c.Groups {
		if !(w > 0) || math.IsInf(w, 0) {
			return c, fmt.Errorf("analysis: config group %q weight %v must be finite and > 0", g, w)
		}
	}
	return c, nil
}

// withDefaults fills zero fields of a metric and validates it.
func (m Metric) withDefaults(cfg Config) (Metric, error) {
	if m.Tolerance == 0 {
		m.Tolerance = DefaultTolerance
	}
	if m.EffectLimit == 0 {
		m.EffectLimit = DefaultEffectLimit
	}
	if m.MinSamples <= 0 {
		m.MinSamples = cfg.MinSamples
	}
	switch {
	case m.Name == "":
		return m, fmt.Errorf("analysis: metric without a name")
	case !(m.Tolerance >= 0) || math.IsInf(m.Tolerance, 0):
		return m, fmt.Errorf("analysis: metric %q tolerance %v must be finite and ≥ 0", m.Name, m.Tolerance)
	case !(m.EffectLimit >= 1) || math.IsInf(m.EffectLimit, 0):
		return m, fmt.Errorf("analysis: metric %q effect limit %v must be finite and ≥ 1", m.Name, m.EffectLimit)
	case m.Direction < Either || m.Direction > Decrease:
		return m, fmt.Errorf("analysis: metric %q has unknown direction %d", m.Name, m.Direction)
	}
	if len(cfg.Groups) > 0 {
		if _, ok := cfg.Groups[m.Group]; !ok {
			return m, fmt.Errorf("analysis: metric %q: group %q has no weight in the config", m.Name, m.Group)
		}
	}
	return m, nil
}
