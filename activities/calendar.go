package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/calendar"
)

// CheckFreezeInput asks whether a wave may deploy to an environment at At.
type CheckFreezeInput struct {
	ReleaseID   string   `json:"releaseId"`
	Environment string   `json:"environment"`
	Region      string   `json:"region,omitempty"`
	Services    []string `json:"services"`
	// Exceptions the release holds (granted through its grant-exception update).
	Exceptions []calendar.Exception `json:"exceptions,omitempty"`
	At         time.Time            `json:"at"`
}

// CheckFreezeResult says whether the wave may start now, and if not, until when it waits.
type CheckFreezeResult struct {
	// Allowed is true when no freeze blocks and the environment's window (if any) is open.
	Allowed bool `json:"allowed"`
	// Freeze is the freeze in force at At, if any.
	Freeze *calendar.Hit `json:"freeze,omitempty"`
	// Window is the window open at At or opening next; nil when the environment has none.
	Window *calendar.Opening `json:"window,omitempty"`
	// NextAllowed is the first instant ≥ At when the wave may start (= At when Allowed); zero
	// when nothing within a year allows it.
	NextAllowed time.Time `json:"nextAllowed,omitzero"`
	// Message is what the release shows while it waits, e.g.
	// `waiting for window prod-eu: opens 2026-12-01 22:00 Europe/Berlin`.
	Message string `json:"message"`
}

// CheckFreeze reads the calendar and answers for one environment of a wave. The workflow calls
// it before approval and again before every wave, then sleeps durably until NextAllowed.
func (a *Activities) CheckFreeze(ctx context.Context, in CheckFreezeInput) (CheckFreezeResult, error) {
	s, err := a.schedule(in.At)
	if err != nil {
		return CheckFreezeResult{}, err
	}
	env := calendar.Env{Name: in.Environment, Region: in.Region}
	target := calendar.Target{Release: in.ReleaseID, Environment: in.Environment, Services: in.Services, Exceptions: in.Exceptions}
	var res CheckFreezeResult
	if hit, frozen := s.Frozen(in.At, target); frozen {
		res.Freeze = &hit
	}
	if o, ok := s.NextWindow(in.At, env); ok {
		res.Window = &o
	}
	next, _, ok := s.NextAllowed(in.At, env, target)
	if ok {
		res.NextAllowed = next
	}
	res.Allowed = ok && !next.After(in.At)
	switch {
	case res.Allowed:
		res.Message = fmt.Sprintf("%s may deploy now", in.Environment)
	case res.Freeze != nil:
		res.Message = fmt.Sprintf("%s is frozen: %s", in.Environment, res.Freeze)
	case res.Window != nil:
		res.Message = "waiting for window " + res.Window.String()
	default:
		res.Message = fmt.Sprintf("%s: no allowed time within a year", in.Environment)
	}
	a.logger().InfoContext(ctx, "freeze check", "release", in.ReleaseID, "environment", in.Environment, "allowed", res.Allowed, "message", res.Message)
	return res, nil
}

// NextWindowInput asks for the next window of an environment.
type NextWindowInput struct {
	Environment string    `json:"environment"`
	Region      string    `json:"region,omitempty"`
	At          time.Time `json:"at"`
}

// NextWindowResult is the opening, or Configured false when the environment has no window.
type NextWindowResult struct {
	Configured bool             `json:"configured"`
	Opening    calendar.Opening `json:"opening"`
}

// NextWindow returns the environment's window open at At or opening next.
func (a *Activities) NextWindow(_ context.Context, in NextWindowInput) (NextWindowResult, error) {
	s, err := a.schedule(in.At)
	if err != nil {
		return NextWindowResult{}, err
	}
	o, ok := s.NextWindow(in.At, calendar.Env{Name: in.Environment, Region: in.Region})
	return NextWindowResult{Configured: ok, Opening: o}, nil
}
