package risk

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Class is the risk class that decides the approval policy.
type Class string

// Risk classes. Emergency is declared by the release, never computed.
const (
	Low       Class = "low"
	Medium    Class = "medium"
	High      Class = "high"
	Emergency Class = "emergency"
)

// ChangeSize is what SCM reports between the previous release and this one.
type ChangeSize struct {
	Files int `json:"files"`
	Lines int `json:"lines"`
}

// History summarises one service's past releases, from Tollgate's own records.
type History struct {
	Service string `json:"service"`
	// LastSuccess is the last successful release; zero when the service never had one.
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	Releases    int       `json:"releases"`
	// Failures are releases that needed remediation (rollback, hotfix, incident): DORA's change
	// failure, not only failed tasks.
	Failures  int `json:"failures"`
	Rollbacks int `json:"rollbacks"`
	// Incidents linked to the service in the 30 days before Now.
	Incidents int `json:"incidents"`
	// IncidentsUnknown says why Incidents is not a count (the incident source failed); the
	// feature is then scored as unknown. Empty when Incidents is known.
	IncidentsUnknown string `json:"incidentsUnknown,omitempty"`
}

// Input is everything the score uses. Pointers are "unknown" when nil; an unknown input is
// scored at Scales.UnknownWeight and said so in the explanation, never taken as zero.
type Input struct {
	Graph   []Node   `json:"graph"`
	Changed []string `json:"changed"`
	// Size is nil when no SCM is configured.
	Size      *ChangeSize `json:"size,omitempty"`
	Migration bool        `json:"migration"`
	// History has one summary per changed service; a service without one has no history.
	History []History `json:"history"`
	// InPeakHours is nil when the environment has no peak hours configured.
	InPeakHours *bool     `json:"inPeakHours,omitempty"`
	Now         time.Time `json:"now"`
	Emergency   bool      `json:"emergency"`
}

// Contribution is one feature's share of the score.
type Contribution struct {
	Feature string `json:"feature"`
	// Value is the observed value in words: "7 dependents", "unknown (no SCM configured)".
	Value    string  `json:"value"`
	Severity float64 `json:"severity"` // 0–1
	Weight   float64 `json:"weight"`
	Points   float64 `json:"points"` // Severity × Weight
	Unknown  bool    `json:"unknown,omitempty"`
}

// Assessment is the result: score, class, contributions in a fixed order, and the blast.
type Assessment struct {
	Score         float64        `json:"score"`
	Class         Class          `json:"class"`
	Emergency     bool           `json:"emergency,omitempty"`
	Contributions []Contribution `json:"contributions"`
	Blast         Blast          `json:"blast"`
}

// Assess scores in. It is deterministic: the same input always gives the same assessment.
func Assess(cfg Config, in Input) Assessment {
	w, s := cfg.Weights, cfg.Scales
	blast := BlastRadius(in.Graph, in.Changed)
	a := Assessment{Blast: blast}
	add := func(feature string, weight, severity float64, unknown bool, format string, args ...any) {
		severity = math.Max(0, math.Min(1, severity))
		a.Contributions = append(a.Contributions, Contribution{Feature: feature, Value: fmt.Sprintf(format, args...),
			Severity: round2(severity), Weight: weight, Points: round2(severity * weight), Unknown: unknown})
	}
	add(FeatureBlastRadius, w.BlastRadius, ratio(len(blast.Dependents), s.Dependents), false, "%d transitive dependents%s", len(blast.Dependents), list(blast.Dependents))
	add(FeatureTeams, w.Teams, ratio(len(blast.Teams)-1, s.Teams-1), false, "%d owning teams%s", len(blast.Teams), list(blast.Teams))
	if in.Size == nil {
		add(FeatureChangeSize, w.ChangeSize, s.UnknownWeight, true, "unknown (no SCM data); counted at %.0f%%", s.UnknownWeight*100)
	} else {
		lines := math.Log1p(float64(in.Size.Lines)) / math.Log1p(float64(s.Lines))
		add(FeatureChangeSize, w.ChangeSize, math.Max(lines, ratio(in.Size.Files, s.Files)), false, "%d files, %d lines", in.Size.Files, in.Size.Lines)
	}
	if in.Migration {
		add(FeatureMigration, w.Migration, 1, false, "database migration present")
	} else {
		add(FeatureMigration, w.Migration, 0, false, "no migration")
	}
	add(FeatureServices, w.Services, ratio(len(in.Changed)-1, s.Services-1), false, "%d services", len(in.Changed))
	history(&a, cfg, in, add)
	switch {
	case in.InPeakHours == nil:
		add(FeaturePeakHours, w.PeakHours, s.UnknownWeight, true, "unknown (no peak hours configured); counted at %.0f%%", s.UnknownWeight*100)
	case *in.InPeakHours:
		add(FeaturePeakHours, w.PeakHours, 1, false, "inside peak hours")
	default:
		add(FeaturePeakHours, w.PeakHours, 0, false, "outside peak hours")
	}
	for _, c := range a.Contributions {
		a.Score += c.Points
	}
	a.Score = round2(math.Max(0, math.Min(100, a.Score)))
	a.Class = cfg.classify(a.Score)
	if in.Emergency {
		a.Class, a.Emergency = Emergency, true
	}
	return a
}

// history adds the features from past releases, taking the worst changed service for each.
func history(a *Assessment, cfg Config, in Input, add func(string, float64, float64, bool, string, ...any)) {
	w, s := cfg.Weights, cfg.Scales
	byService := make(map[string]History, len(in.History))
	for _, h := range in.History {
		byService[h.Service] = h
	}
	var stale, rate, rollbacks, incidents worst
	for _, name := range in.Changed {
		h, ok := byService[name]
		if !ok || h.LastSuccess.IsZero() {
			stale.take(1, name, "never released successfully", false)
		} else {
			days := in.Now.Sub(h.LastSuccess).Hours() / 24
			stale.take(days/float64(s.StaleDays), name, fmt.Sprintf("%.0f days since last success", days), false)
		}
		if h.Releases < s.MinReleases {
			rate.take(s.UnknownWeight, name, fmt.Sprintf("little history (%d releases); counted at %.0f%%", h.Releases, s.UnknownWeight*100), true)
		} else {
			r := float64(h.Failures) / float64(h.Releases)
			rate.take(r/s.FailureRate, name, fmt.Sprintf("change failure rate %.0f%% (%d of %d)", r*100, h.Failures, h.Releases), false)
		}
		rollbacks.take(ratio(h.Rollbacks, s.Rollbacks), name, fmt.Sprintf("%d rollbacks", h.Rollbacks), false)
		if h.IncidentsUnknown != "" {
			incidents.take(s.UnknownWeight, name, fmt.Sprintf("unknown (%s); counted at %.0f%%", h.IncidentsUnknown, s.UnknownWeight*100), true)
		} else {
			incidents.take(ratio(h.Incidents, s.Incidents), name, fmt.Sprintf("%d incidents in the last 30 days", h.Incidents), false)
		}
	}
	for _, f := range []struct {
		feature string
		weight  float64
		w       worst
	}{{FeatureStaleness, w.Staleness, stale}, {FeatureFailureRate, w.FailureRate, rate}, {FeatureRollbacks, w.Rollbacks, rollbacks}, {FeatureIncidents, w.Incidents, incidents}} {
		if f.w.service == "" {
			add(f.feature, f.weight, 0, false, "no services")
			continue
		}
		add(f.feature, f.weight, f.w.severity, f.w.unknown, "%s: %s", f.w.service, f.w.value)
	}
}

// worst keeps the most severe service for one feature; ties keep the first in release order.
type worst struct {
	severity       float64
	service, value string
	unknown        bool
}

func (w *worst) take(severity float64, service, value string, unknown bool) {
	if w.service == "" || severity > w.severity {
		*w = worst{severity, service, value, unknown}
	}
}

func (c Config) classify(score float64) Class {
	switch {
	case score >= c.Thresholds.High:
		return High
	case score >= c.Thresholds.Medium:
		return Medium
	}
	return Low
}

// Explain renders the assessment for people, one line per feature, largest share first.
func (a Assessment) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "risk %.0f/100: %s", a.Score, a.Class)
	if a.Emergency {
		b.WriteString(" (declared emergency: one approver, flagged, 24h review with escalation at 48h)")
	}
	b.WriteString("\n")
	for _, c := range byPoints(a.Contributions) {
		fmt.Fprintf(&b, "  %-12s %5.1f of %3.0f  %s\n", c.Feature, c.Points, c.Weight, c.Value)
	}
	return b.String()
}

func ratio(v, full int) float64 {
	if full <= 0 {
		return 0
	}
	return float64(v) / float64(full)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func list(names []string) string {
	if len(names) == 0 {
		return ""
	}
	if len(names) > 5 {
		return fmt.Sprintf(" (%s and %d more)", strings.Join(names[:5], ", "), len(names)-5)
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// byPoints orders contributions by points, largest first, keeping the fixed order for ties.
func byPoints(cs []Contribution) []Contribution {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Contribution) int { return cmp.Compare(b.Points, a.Points) })
	return out
}
