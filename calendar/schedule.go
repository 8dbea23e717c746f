package calendar

import (
	"fmt"
	"sort"
	"time"
)

// Target is what a release is about to change, for a freeze check.
type Target struct {
	Release     string
	Environment string
	// Services deploying; empty means any service of the environment.
	Services []string
	// Exceptions held by the release (granted through the workflow); the calendar's own apply too.
	Exceptions []Exception
}

// Hit is a freeze in force: which freeze, and the occurrence that covers the instant.
type Hit struct {
	Freeze Freeze    `json:"freeze"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until"`
}

// String says what blocks and until when, in the freeze's own zone.
func (h Hit) String() string {
	loc, _ := time.LoadLocation(h.Freeze.TimeZone)
	return fmt.Sprintf("freeze %q (%s) until %s %s", h.Freeze.ID, h.Freeze.Reason, h.Until.In(loc).Format("2006-01-02 15:04"), h.Freeze.TimeZone)
}

// Schedule is a calendar with its recurring freezes expanded into sorted occurrences over a
// horizon, so a freeze check is a binary search per freeze instead of a walk of each RRULE from
// its DTSTART. Instants outside the horizon are still answered, by expanding on demand.
type Schedule struct {
	cal      *Calendar
	freezes  []compiledFreeze
	windows  []compiledWindow
	peak     []compiledWindow
	from, to time.Time
}

type compiledFreeze struct {
	f   Freeze
	loc *time.Location
	// occurrences sorted by start; ends are sorted too, since each lasts the same wall-clock time.
	starts, ends []time.Time
}

// Compile expands c over [from, to]. A validated calendar never fails to compile.
func Compile(c *Calendar, from, to time.Time) (*Schedule, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := &Schedule{cal: c, from: from, to: to}
	for _, f := range c.Freezes {
		loc, _ := time.LoadLocation(f.TimeZone)
		cf := compiledFreeze{f: f, loc: loc}
		cf.starts, cf.ends = occurrences(f, loc, from, to)
		s.freezes = append(s.freezes, cf)
	}
	for _, w := range c.Windows {
		cw, _ := w.compile()
		s.windows = append(s.windows, cw)
	}
	for _, w := range c.Peak {
		cw, _ := w.compile()
		s.peak = append(s.peak, cw)
	}
	return s, nil
}

// occurrences returns the intervals of f that may cover an instant in [from, to].
func occurrences(f Freeze, loc *time.Location, from, to time.Time) (starts, ends []time.Time) {
	if f.RRule == "" {
		return []time.Time{f.Start.In(loc)}, []time.Time{f.End.In(loc)}
	}
	rule, _ := f.rule()
	d := time.Duration(f.Duration)
	// Floating bounds, widened by a day for zone offsets and by the duration for occurrences
	// that started before from and still run.
	lo := floating(from, loc).Add(-d - 48*time.Hour)
	hi := floating(to, loc).Add(48 * time.Hour)
	for _, wall := range rule.Between(lo, hi, true) {
		start := resolve(wall, loc)
		starts = append(starts, start)
		ends = append(ends, endOf(start, wall.Add(d), d, loc))
	}
	return starts, ends
}

// Frozen returns the first freeze (in calendar order) in force at now for the target, unless
// an unexpired exception lifts it.
func (s *Schedule) Frozen(now time.Time, t Target) (Hit, bool) {
	for i := range s.freezes {
		cf := &s.freezes[i]
		if !cf.inScope(t) {
			continue
		}
		from, until, ok := cf.at(now, s.from, s.to)
		if !ok || s.excepted(cf.f.ID, now, t) {
			continue
		}
		return Hit{Freeze: cf.f, From: from, Until: until}, true
	}
	return Hit{}, false
}

func (cf *compiledFreeze) inScope(t Target) bool {
	if len(t.Services) == 0 {
		// Unknown services: a service-scoped freeze may concern them, so it counts.
		return cf.f.Scope.coversEnv(t.Environment)
	}
	for _, svc := range t.Services {
		if cf.f.Scope.covers(svc, t.Environment) {
			return true
		}
	}
	return false
}

// at finds the occurrence covering now, expanding on demand outside the compiled horizon.
func (cf *compiledFreeze) at(now, from, to time.Time) (time.Time, time.Time, bool) {
	starts, ends := cf.starts, cf.ends
	if cf.f.RRule != "" && (now.Before(from) || now.After(to)) {
		starts, ends = occurrences(cf.f, cf.loc, now, now)
	}
	// The occurrence with the latest start at or before now also has the latest end.
	k := sort.Search(len(starts), func(i int) bool { return starts[i].After(now) }) - 1
	if k < 0 || !now.Before(ends[k]) {
		return time.Time{}, time.Time{}, false
	}
	return starts[k], ends[k], true
}

func (s *Schedule) excepted(id string, now time.Time, t Target) bool {
	for _, list := range [][]Exception{s.cal.Exceptions, t.Exceptions} {
		for _, ex := range list {
			if ex.Freeze == id && (ex.Release == "" || ex.Release == t.Release) && now.Before(ex.Expires) {
				return true
			}
		}
	}
	return false
}

// endOf resolves a wall-clock end. An occurrence keeps its wall-clock end (Friday 18:00 +64h ends
// Monday 10:00 whatever DST did), except when a spring-forward gap would swallow it whole (02:30
// for 1h on the day 02:00 jumps to 03:00): then it lasts d of elapsed time from its start.
func endOf(start, wallEnd time.Time, d time.Duration, loc *time.Location) time.Time {
	end := resolve(wallEnd, loc)
	if !end.After(start) {
		return start.Add(d)
	}
	return end
}
