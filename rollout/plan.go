// Package rollout turns a service's strategy into the ordered steps the rollout workflow
// interprets, and the steps that undo any prefix of them. It is pure: no clock, no I/O.
//
// Every step sets an absolute state (instances 0–3 of "stable" run 2.0.0; the canary gets 25 %
// of requests) rather than a change relative to the current one, so a step retried after a
// crash, or a rollback run twice, changes nothing the second time.
package rollout

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/release"
)

// Kind is what a step does.
type Kind string

// Step kinds. DeployBatch, Scale, SetWeight and SwitchColour are traffic operations
// (integrations/deploy.Traffic); Bake is a timer; Analyse runs activities.RunAnalysis.
const (
	// DeployBatch: instances From..To-1 of Track run Version.
	DeployBatch Kind = "deploy-batch"
	// Scale: Track runs Replicas instances of Version; 0 replicas retires the track.
	Scale Kind = "scale"
	// SetWeight: the canary track receives Weight percent of requests.
	SetWeight Kind = "set-weight"
	// SwitchColour: every request goes to Colour.
	SwitchColour Kind = "switch-colour"
	// Bake: wait Bake before the next step.
	Bake Kind = "bake"
	// Analyse: judge the template Analysis over the preceding bake.
	Analyse Kind = "analyse"
)

// Tracks and colours.
const (
	TrackStable = "stable"
	TrackCanary = "canary"
	Blue        = "blue"
	Green       = "green"
)

// Step is one instruction of a plan.
type Step struct {
	Kind Kind `json:"kind"`
	// Name describes the step for people and is unique within a plan: it is the stable part of
	// the step's idempotency key.
	Name     string        `json:"name"`
	Track    string        `json:"track,omitempty"`
	Version  string        `json:"version,omitempty"`
	Replicas int           `json:"replicas,omitempty"`
	Batch    int           `json:"batch,omitempty"` // 1-based number of a DeployBatch
	From     int           `json:"from,omitempty"`
	To       int           `json:"to,omitempty"`
	Weight   int           `json:"weight,omitempty"`
	Colour   string        `json:"colour,omitempty"`
	Bake     time.Duration `json:"bake,omitempty"`
	Analysis string        `json:"analysis,omitempty"`
}

// Snapshot is a target's state before the release touched it: what a rollback restores.
type Snapshot struct {
	// Version runs on every stable instance (rolling, canary) or on the active colour.
	Version string `json:"version"`
	// Replicas is how many instances ran it; a rollback restores a retired colour to this many.
	Replicas int `json:"replicas"`
	// Weight is the canary's share of requests (usually 0).
	Weight int `json:"weight"`
	// Colour is the active colour of a blue-green service; empty means blue.
	Colour string `json:"colour,omitempty"`
}

// Plan returns the steps that move one service in one environment from prev to version next.
// A nil strategy is a single DeployBatch of one instance: the foundation's runbook deploy.
func Plan(s *release.Strategy, prev Snapshot, next string) ([]Step, error) {
	switch {
	case s == nil:
		return []Step{{Kind: DeployBatch, Name: "deploy", Track: TrackStable, Version: next, Batch: 1, From: 0, To: 1}}, nil
	case s.Rolling != nil:
		return planRolling(s.Rolling, next)
	case s.Canary != nil:
		return planCanary(s.Canary, next), nil
	case s.BlueGreen != nil:
		return planBlueGreen(s.BlueGreen, prev, next), nil
	}
	return nil, fmt.Errorf("strategy: none of rolling, canary or blueGreen is set")
}

// BatchSize is a rolling strategy's effective batch: batchSize capped by maxUnavailable.
func BatchSize(r *release.Rolling) (int, error) {
	size, err := r.BatchSize.Resolve(r.Replicas)
	if err != nil {
		return 0, fmt.Errorf("rolling batchSize: %w", err)
	}
	if r.MaxUnavailable != "" {
		mu, err := r.MaxUnavailable.Resolve(r.Replicas)
		if err != nil {
			return 0, fmt.Errorf("rolling maxUnavailable: %w", err)
		}
		size = min(size, mu)
	}
	if size < 1 || r.Replicas < 1 {
		return 0, fmt.Errorf("rolling: batch of %d out of %d replicas changes nothing", size, r.Replicas)
	}
	return size, nil
}

func planRolling(r *release.Rolling, next string) ([]Step, error) {
	size, err := BatchSize(r)
	if err != nil {
		return nil, err
	}
	var steps []Step
	for b, from := 1, 0; from < r.Replicas; b, from = b+1, from+size {
		to := min(from+size, r.Replicas)
		steps = append(steps, Step{Kind: DeployBatch, Name: fmt.Sprintf("batch %d: instances %d-%d", b, from, to-1),
			Track: TrackStable, Version: next, Batch: b, From: from, To: to})
		steps = appendGate(steps, fmt.Sprintf("batch %d", b), r.Bake.D(), r.Analysis)
	}
	return steps, nil
}

func planCanary(c *release.Canary, next string) []Step {
	n := c.CanaryReplicas
	if n == 0 {
		n = release.DefaultCanaryReplicas
	}
	steps := []Step{{Kind: Scale, Name: "start canary", Track: TrackCanary, Version: next, Replicas: n}}
	for i, st := range c.Steps {
		label := fmt.Sprintf("step %d", i+1)
		steps = append(steps, Step{Kind: SetWeight, Name: fmt.Sprintf("%s: weight %d%%", label, st.Weight), Weight: st.Weight})
		steps = appendGate(steps, label, st.Bake.D(), st.Analysis)
	}
	// Promotion: the stable track takes the new version while the canary still serves its
	// share, then traffic returns to the (now new) stable track and the canary retires.
	return append(steps,
		Step{Kind: DeployBatch, Name: "promote: stable", Track: TrackStable, Version: next, Batch: 1, From: 0, To: c.Replicas},
		Step{Kind: SetWeight, Name: "promote: weight 0%", Weight: 0},
		Step{Kind: Scale, Name: "retire canary", Track: TrackCanary, Replicas: 0})
}

func planBlueGreen(b *release.BlueGreen, prev Snapshot, next string) []Step {
	old := activeColour(prev)
	idle := otherColour(old)
	steps := []Step{{Kind: Scale, Name: "start " + idle, Track: idle, Version: next, Replicas: b.Replicas}}
	steps = appendGate(steps, "preview", b.PreviewBake.D(), b.PreviewAnalysis)
	steps = append(steps, Step{Kind: SwitchColour, Name: "switch to " + idle, Colour: idle})
	steps = appendGate(steps, "keep "+old, b.KeepOld.D(), b.PostAnalysis)
	return append(steps, Step{Kind: Scale, Name: "retire " + old, Track: old, Replicas: 0})
}

// appendGate adds the bake and the analysis that follow a change, when set.
func appendGate(steps []Step, label string, bake time.Duration, analysis string) []Step {
	if bake > 0 {
		steps = append(steps, Step{Kind: Bake, Name: label + ": bake", Bake: bake})
	}
	if analysis != "" {
		steps = append(steps, Step{Kind: Analyse, Name: label + ": analyse " + analysis, Analysis: analysis, Bake: bake})
	}
	return steps
}

func activeColour(s Snapshot) string {
	if s.Colour == "" {
		return Blue
	}
	return s.Colour
}

func otherColour(c string) string {
	if c == Green {
		return Blue
	}
	return Green
}
