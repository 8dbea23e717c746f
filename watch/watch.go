// Package watch decides whether a key health indicator watched after a production wave has
// breached, with a confirmation that resists noise: a breach counts only after N consecutive
// breaching evaluations or a significant Mann-Whitney shift of the recent samples against the
// pre-release baseline, so a single noisy sample never pages anyone.
//
// The package is pure: the caller samples, this package judges.
package watch

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tollgate-dev/tollgate/analysis"
)

// Schedule returns the offsets from the start of the watch at which indicators are sampled:
// every denseEvery during the first dense period, then every sparseEvery until total.
func Schedule(total, dense, denseEvery, sparseEvery time.Duration) []time.Duration {
	var out []time.Duration
	if denseEvery <= 0 || sparseEvery <= 0 {
		return nil
	}
	at := time.Duration(0)
	for {
		step := sparseEvery
		if at < dense {
			step = denseEvery
		}
		at += step
		if at > total {
			return out
		}
		out = append(out, at)
	}
}

// Rule is how one indicator is judged.
type Rule struct {
	// LowerIsWorse flips the direction: by default a higher value is worse.
	LowerIsWorse bool
	// MaxRelative is the tolerated worsening of the baseline median (0.2 = 20 %); MaxAbsolute,
	// when non-zero, is a hard limit.
	MaxRelative, MaxAbsolute float64
	// Consecutive breaching evaluations confirm; so does a shift over the last Window samples
	// with a one-sided Mann-Whitney p below Alpha.
	Consecutive int
	Window      int
	Alpha       float64
}

// Evaluation is the judgement of one sample.
type Evaluation struct {
	Value     float64 `json:"value"`
	Limit     float64 `json:"limit"`
	Breach    bool    `json:"breach"`
	Confirmed bool    `json:"confirmed"`
	// Streak is the number of consecutive breaching evaluations so far.
	Streak int `json:"streak"`
	// P is the Mann-Whitney p-value of the recent window when it was computed, else 1.
	P      float64 `json:"p"`
	Reason string  `json:"reason,omitempty"`
}

// State is one indicator's memory between evaluations; it is plain data so an activity can
// carry it in its heartbeat and resume after a retry.
type State struct {
	Baseline []float64 `json:"baseline"`
	Recent   []float64 `json:"recent"`
	Streak   int       `json:"streak"`
	// Samples and Missing count evaluations with data and without.
	Samples int `json:"samples"`
	Missing int `json:"missing"`
}

// Limit is the value beyond which a sample breaches.
func (r Rule) Limit(baseline []float64) float64 {
	limit := math.NaN()
	if len(baseline) > 0 && r.MaxRelative > 0 {
		m := median(baseline)
		if r.LowerIsWorse {
			limit = m * (1 - r.MaxRelative)
		} else {
			limit = m * (1 + r.MaxRelative)
		}
	}
	if r.MaxAbsolute != 0 && (math.IsNaN(limit) || r.worse(limit, r.MaxAbsolute)) {
		limit = r.MaxAbsolute // the stricter of the two
	}
	return limit
}

// Breaches reports whether v is beyond limit in the rule's direction.
func (r Rule) Breaches(v, limit float64) bool { return !math.IsNaN(limit) && r.worse(v, limit) }

func (r Rule) worse(v, limit float64) bool {
	if r.LowerIsWorse {
		return v < limit
	}
	return v > limit
}

// Observe judges one sample and updates s. A NaN sample (no data) is counted as missing and
// neither breaches nor resets the streak.
func (r Rule) Observe(s *State, v float64) Evaluation {
	if math.IsNaN(v) {
		s.Missing++
		return Evaluation{Value: v, Limit: r.Limit(s.Baseline), Streak: s.Streak, P: 1, Reason: "no data"}
	}
	s.Samples++
	s.Recent = append(s.Recent, v)
	if w := max(r.Window, 1); len(s.Recent) > w {
		s.Recent = s.Recent[len(s.Recent)-w:]
	}
	ev := Evaluation{Value: v, Limit: r.Limit(s.Baseline), P: 1}
	ev.Breach = !math.IsNaN(ev.Limit) && r.worse(v, ev.Limit)
	if ev.Breach {
		s.Streak++
	} else {
		s.Streak = 0
	}
	ev.Streak = s.Streak
	if ev.Breach && s.Streak >= max(r.Consecutive, 1) {
		ev.Confirmed = true
		ev.Reason = fmt.Sprintf("%d consecutive evaluations beyond %.4g (last %.4g)", s.Streak, ev.Limit, v)
		return ev
	}
	// A shift needs a full window and a breach now: the test confirms a sustained move, and
	// the current sample must agree that things are bad.
	if ev.Breach && r.Window > 1 && len(s.Recent) >= r.Window && len(s.Baseline) >= 2 {
		alt := analysis.Greater
		if r.LowerIsWorse {
			alt = analysis.Less
		}
		res, err := analysis.MannWhitney(s.Recent, s.Baseline, analysis.MannWhitneyOptions{Alternative: alt})
		if err == nil {
			ev.P = res.P
			if res.P < r.Alpha {
				ev.Confirmed = true
				ev.Reason = fmt.Sprintf("the last %d samples shifted from the baseline (Mann-Whitney p=%.2g < %g)", len(s.Recent), res.P, r.Alpha)
			}
		}
	}
	if ev.Breach && !ev.Confirmed {
		ev.Reason = fmt.Sprintf("%.4g beyond %.4g, not confirmed (%d of %d)", v, ev.Limit, s.Streak, max(r.Consecutive, 1))
	}
	return ev
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
