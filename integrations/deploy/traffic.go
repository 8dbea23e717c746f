package deploy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Traffic is the second half of a deployer: the operations of progressive strategies. Each
// operation sets an absolute state and carries an idempotency key, so a retry after a crash or
// a rollback run twice changes nothing. Progress is called while an operation runs so that the
// caller can heartbeat.
type Traffic interface {
	// Scale makes a track run a version: Replicas instances of it, or, when To > From, instances
	// From..To-1 (a rolling batch). Replicas 0 without a range retires the track.
	Scale(ctx context.Context, op ScaleOp, progress func()) (Result, error)
	// SetWeight sends Weight percent of the target's requests to its canary track.
	SetWeight(ctx context.Context, op WeightOp, progress func()) (Result, error)
	// SwitchColour sends every request of the target to one colour.
	SwitchColour(ctx context.Context, op ColourOp, progress func()) (Result, error)
	// Observe reports the target's current state, to snapshot it before a release touches it.
	Observe(ctx context.Context, t Target) (TargetState, error)
}

// Target names one service in one environment and how to reach it.
type Target struct {
	// Key is the operation's idempotency key: release/environment/service/step.
	Key         string
	Service     string
	Environment string
	// Command is the shell command of Script; other deployers ignore it.
	Command string
	// Env holds the runbook variables (RELEASE_ID, SERVICE, VERSION, ... and spec vars).
	Env     map[string]string
	Timeout time.Duration
}

// ScaleOp is a Scale operation.
type ScaleOp struct {
	Target
	Track    string
	Version  string
	Replicas int
	// Batch numbers a rolling batch (1-based); From and To bound its instances.
	Batch, From, To int
}

// WeightOp is a SetWeight operation.
type WeightOp struct {
	Target
	Weight int
}

// ColourOp is a SwitchColour operation.
type ColourOp struct {
	Target
	Colour string
}

// TargetState is what Observe reports.
type TargetState struct {
	Version  string `json:"version"`
	Replicas int    `json:"replicas"`
	Weight   int    `json:"weight"`
	Colour   string `json:"colour,omitempty"`
}

// PermanentError is a refusal that a retry cannot change: bad request, unknown target,
// conflicting state. Activities turn it into a non-retryable error.
type PermanentError struct {
	Op      string
	Status  int
	Message string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("%s: refused (status %d): %s", e.Op, e.Status, e.Message)
}

// RetryableError is a transient failure: unavailable, throttled, timed out. RetryAfter is the
// server's Retry-After, 0 when it gave none.
type RetryableError struct {
	Op         string
	Status     int
	RetryAfter time.Duration
	Message    string
}

func (e *RetryableError) Error() string {
	s := fmt.Sprintf("%s: temporarily failed (status %d): %s", e.Op, e.Status, e.Message)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// parseState reads key=value lines (version, replicas, weight, colour), the output of a
// script's observe command; other lines are ignored.
func parseState(out string) (TargetState, error) {
	var st TargetState
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		var err error
		switch strings.ToLower(k) {
		case "version":
			st.Version = v
		case "colour", "color":
			st.Colour = v
		case "replicas":
			st.Replicas, err = strconv.Atoi(v)
		case "weight":
			st.Weight, err = strconv.Atoi(v)
		}
		if err != nil {
			return st, fmt.Errorf("observe: %s=%q is not a whole number", k, v)
		}
	}
	return st, nil
}
