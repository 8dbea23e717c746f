package rollout

import "fmt"

// Progress is how far a plan got for one target: what the workflow records as it goes.
type Progress struct {
	// Steps is the plan, as Plan returned it.
	Steps []Step `json:"steps"`
	// Started counts the steps begun, including one that failed or was interrupted and may have
	// taken partial effect.
	Started int `json:"started"`
	// Previous is the target's state before the first step.
	Previous Snapshot `json:"previous"`
}

// RollbackPlan returns the steps that bring a target from any state reachable by running
// Steps[:Started] (the last one possibly half done) back to Previous: the same versions on the
// same instances and the same traffic split. The steps are absolute, so running the plan twice,
// or resuming it after a crash, ends in the same state.
//
// The order keeps users on working instances: first give a retired old colour its instances
// back, then move traffic back, then put the previous version back on touched batches, and
// only then stop the tracks the release started. Tracks the release starts (canary, the idle
// colour) are assumed empty before it; Previous does not describe them.
func RollbackPlan(p Progress) ([]Step, error) {
	if p.Started < 0 || p.Started > len(p.Steps) {
		return nil, fmt.Errorf("rollback plan: %d steps started out of %d", p.Started, len(p.Steps))
	}
	touched := p.Steps[:p.Started]
	prev := p.Previous
	var restore, traffic, revert, retire []Step
	weight, colour := false, false
	started := map[string]bool{}
	for _, s := range touched {
		switch {
		case s.Kind == Scale && s.Replicas > 0:
			started[s.Track] = true
		case s.Kind == SetWeight:
			weight = true
		case s.Kind == SwitchColour:
			colour = true
		}
	}
	for _, s := range touched {
		if s.Kind == Scale && s.Replicas == 0 && !started[s.Track] {
			// A track the release did not start was running the previous version: bring it back.
			n := prev.Replicas
			if n == 0 {
				n = replicasOfStarted(touched)
			}
			restore = append(restore, Step{Kind: Scale, Name: "rollback: restore " + s.Track, Track: s.Track, Version: prev.Version, Replicas: n})
		}
	}
	if colour {
		c := activeColour(prev)
		traffic = append(traffic, Step{Kind: SwitchColour, Name: "rollback: switch to " + c, Colour: c})
	}
	if weight {
		traffic = append(traffic, Step{Kind: SetWeight, Name: fmt.Sprintf("rollback: weight %d%%", prev.Weight), Weight: prev.Weight})
	}
	for i := len(touched) - 1; i >= 0; i-- {
		if s := touched[i]; s.Kind == DeployBatch {
			revert = append(revert, Step{Kind: DeployBatch, Name: "rollback: " + s.Name, Track: s.Track,
				Version: prev.Version, Batch: s.Batch, From: s.From, To: s.To})
		}
	}
	for _, s := range touched {
		if s.Kind == Scale && s.Replicas > 0 && !contains(retire, s.Track) {
			retire = append(retire, Step{Kind: Scale, Name: "rollback: retire " + s.Track, Track: s.Track, Replicas: 0})
		}
	}
	out := append(append(append(restore, traffic...), revert...), retire...)
	return out, nil
}

func replicasOfStarted(steps []Step) int {
	for _, s := range steps {
		if s.Kind == Scale && s.Replicas > 0 {
			return s.Replicas
		}
	}
	return 1
}

func contains(steps []Step, track string) bool {
	for _, s := range steps {
		if s.Track == track {
			return true
		}
	}
	return false
}
