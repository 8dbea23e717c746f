package rollout

import (
	"maps"
	"slices"
)

// State models a target as the steps see it: the version on each instance of each track, the
// canary's traffic weight and the active colour. Tests use it to check plans and rollbacks; a
// fake deployer can use it to stay faithful to the same semantics.
type State struct {
	// Tracks maps a track or colour to the version of each instance; absent means no instance.
	Tracks map[string][]string `json:"tracks"`
	Weight int                 `json:"weight"`
	Colour string              `json:"colour,omitempty"`
}

// Initial returns the state a Snapshot describes: replicas instances of prev.Version on the
// stable track, or on the active colour when blueGreen is true.
func Initial(prev Snapshot, blueGreen bool) State {
	st := State{Tracks: map[string][]string{}, Weight: prev.Weight}
	track := TrackStable
	if blueGreen {
		track = activeColour(prev)
		st.Colour = track
	}
	if prev.Replicas > 0 {
		st.Tracks[track] = slices.Repeat([]string{prev.Version}, prev.Replicas)
	}
	return st
}

// Apply returns the state after step; st is not modified. Bake and Analyse change nothing.
func (st State) Apply(step Step) State {
	out := st.Clone()
	switch step.Kind {
	case DeployBatch:
		inst := out.Tracks[step.Track]
		for len(inst) < step.To {
			inst = append(inst, "")
		}
		for i := step.From; i < step.To; i++ {
			inst[i] = step.Version
		}
		out.Tracks[step.Track] = inst
	case Scale:
		if step.Replicas == 0 {
			delete(out.Tracks, step.Track)
		} else {
			out.Tracks[step.Track] = slices.Repeat([]string{step.Version}, step.Replicas)
		}
	case SetWeight:
		out.Weight = step.Weight
	case SwitchColour:
		out.Colour = step.Colour
	}
	return out
}

// ApplyAll applies steps in order.
func (st State) ApplyAll(steps []Step) State {
	for _, s := range steps {
		st = st.Apply(s)
	}
	return st
}

// Clone returns a deep copy.
func (st State) Clone() State {
	out := st
	out.Tracks = make(map[string][]string, len(st.Tracks))
	for k, v := range st.Tracks {
		out.Tracks[k] = slices.Clone(v)
	}
	return out
}

// Equal reports whether two states are the same.
func (st State) Equal(o State) bool {
	return st.Weight == o.Weight && st.Colour == o.Colour &&
		maps.EqualFunc(st.Tracks, o.Tracks, func(a, b []string) bool { return slices.Equal(a, b) })
}
