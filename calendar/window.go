package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Env identifies where a wave deploys, for window lookup.
type Env struct {
	Name   string
	Region string
}

// Opening is one opening of a deployment window.
type Opening struct {
	Window   string    `json:"window"`
	TimeZone string    `json:"timeZone"`
	Opens    time.Time `json:"opens"`
	Closes   time.Time `json:"closes"`
}

// String is what a waiting release shows: "prod-eu: opens 2026-12-01 22:00 Europe/Berlin".
func (o Opening) String() string {
	loc, _ := time.LoadLocation(o.TimeZone)
	return fmt.Sprintf("%s: opens %s %s", o.Window, o.Opens.In(loc).Format("2006-01-02 15:04"), o.TimeZone)
}

type compiledWindow struct {
	w          Window
	loc        *time.Location
	days       [7]bool // by time.Weekday
	start, end time.Duration
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func (w Window) compile() (compiledWindow, error) {
	cw := compiledWindow{w: w}
	var err error
	if w.Name == "" {
		return cw, errors.New("name: required")
	}
	if cw.loc, err = time.LoadLocation(w.TimeZone); err != nil || w.TimeZone == "" {
		return cw, fmt.Errorf("window %q: timeZone %q: want an IANA zone such as Europe/Berlin", w.Name, w.TimeZone)
	}
	if len(w.Days) == 0 {
		return cw, fmt.Errorf("window %q: days: required, e.g. [Mon, Tue, Wed, Thu]", w.Name)
	}
	for _, d := range w.Days {
		wd, ok := dayNames[strings.ToLower(d)]
		if !ok {
			return cw, fmt.Errorf("window %q: day %q: want Mon, Tue, Wed, Thu, Fri, Sat or Sun", w.Name, d)
		}
		cw.days[wd] = true
	}
	if cw.start, err = clock(w.Start); err != nil {
		return cw, fmt.Errorf("window %q: start: %w", w.Name, err)
	}
	if cw.end, err = clock(w.End); err != nil {
		return cw, fmt.Errorf("window %q: end: %w", w.Name, err)
	}
	return cw, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("invalid time of day %q: want HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func (cw *compiledWindow) applies(env Env) bool {
	w := cw.w
	if len(w.Environments) == 0 && len(w.Regions) == 0 {
		return false // a window for nowhere restricts nothing
	}
	return (len(w.Environments) == 0 || slices.Contains(w.Environments, env.Name)) &&
		(len(w.Regions) == 0 || slices.Contains(w.Regions, env.Region))
}

// next returns the opening that is open at now or opens first after it. Days are walked in
// local (floating) dates and each boundary is resolved in the zone, so DST only moves a
// boundary by the gap, never drops a day.
func (cw *compiledWindow) next(now time.Time) (Opening, bool) {
	local := floating(now, cw.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	for k := 0; k < 9; k++ {
		d := day.AddDate(0, 0, k)
		if !cw.days[d.Weekday()] {
			continue
		}
		closeDay := d
		if cw.end <= cw.start {
			closeDay = d.AddDate(0, 0, 1) // 22:00–02:00 closes the next day; 00:00–00:00 is 24h
		}
		wallOpen, wallClose := d.Add(cw.start), closeDay.Add(cw.end)
		opens := resolve(wallOpen, cw.loc)
		o := Opening{Window: cw.w.Name, TimeZone: cw.w.TimeZone, Opens: opens,
			Closes: endOf(opens, wallClose, wallClose.Sub(wallOpen), cw.loc)}
		if o.Closes.After(now) {
			return o, true
		}
	}
	return Opening{}, false
}

// NextWindow returns the window opening for env that is open at now (Opens ≤ now) or opens
// first after now. ok is false when no window is configured for env: it may deploy any time.
// With several windows for env, the earliest opening wins; ties go to the one declared first.
func (s *Schedule) NextWindow(now time.Time, env Env) (Opening, bool) {
	var best Opening
	found := false
	for i := range s.windows {
		cw := &s.windows[i]
		if !cw.applies(env) {
			continue
		}
		o, ok := cw.next(now)
		if !ok {
			continue
		}
		// A window already open counts as opening now.
		if !found || maxTime(o.Opens, now).Before(maxTime(best.Opens, now)) {
			best, found = o, true
		}
	}
	return best, found
}

// NextAllowed returns the first instant at or after now when env has an open window and no
// freeze blocks the target, with the window it falls in (zero when env has no windows). It
// gives up after a year of searching, returning ok false.
func (s *Schedule) NextAllowed(now time.Time, env Env, t Target) (at time.Time, o Opening, ok bool) {
	at = now
	limit := now.AddDate(1, 0, 0)
	for at.Before(limit) {
		var hasWindow bool
		o, hasWindow = s.NextWindow(at, env)
		if hasWindow && o.Opens.After(at) {
			at = o.Opens
		}
		hit, frozen := s.Frozen(at, t)
		if !frozen {
			return at, o, true
		}
		at = hit.Until
	}
	return time.Time{}, Opening{}, false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// InPeak reports whether now falls in one of env's peak hours; configured is false when env
// has none, so that risk can say "unknown" rather than "outside".
func (s *Schedule) InPeak(now time.Time, env Env) (in, configured bool) {
	for i := range s.peak {
		cw := &s.peak[i]
		if !cw.applies(env) {
			continue
		}
		configured = true
		if o, ok := cw.next(now); ok && !o.Opens.After(now) {
			return true, true
		}
	}
	return false, configured
}
