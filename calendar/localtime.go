package calendar

import (
	"fmt"
	"time"
	// Zone data is embedded so that answers never depend on the host's /usr/share/zoneinfo.
	_ "time/tzdata"
)

// LocalTime is a wall-clock date and time without a zone, written "2026-12-20T00:00"; the
// freeze or window it belongs to names the zone.
type LocalTime struct{ t time.Time } // t holds the wall clock in UTC: a "floating" time

// localLayout is how local times are written in the calendar file.
const localLayout = "2006-01-02T15:04"

// ParseLocalTime reads "2026-12-20T00:00" (seconds optional).
func ParseLocalTime(s string) (LocalTime, error) {
	for _, layout := range []string{localLayout, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return LocalTime{t}, nil
		}
	}
	return LocalTime{}, fmt.Errorf("invalid local time %q: want YYYY-MM-DDTHH:MM without an offset (the zone is timeZone)", s)
}

// String writes the local time the way the calendar file does.
func (l LocalTime) String() string { return l.t.Format(localLayout) }

// IsZero reports whether the time is unset.
func (l LocalTime) IsZero() bool { return l.t.IsZero() }

// MarshalText implements encoding.TextMarshaler (YAML and JSON use it).
func (l LocalTime) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *LocalTime) UnmarshalText(b []byte) error {
	v, err := ParseLocalTime(string(b))
	*l = v
	return err
}

// In resolves the wall-clock time in loc to an instant, following RFC 5545 §3.3.5:
//   - in a spring-forward gap (02:30 on a day that jumps from 02:00 to 03:00) the time is read
//     with the offset in force before the gap, so it becomes 03:30: a window or freeze that
//     starts in the gap still starts, shifted by the gap's length, never skipped;
//   - in a fall-back overlap (01:30 happens twice) the first of the two instants is chosen.
//
// Go's time.Date leaves both choices unspecified, so they are made explicitly here.
func (l LocalTime) In(loc *time.Location) time.Time {
	return resolve(l.t, loc)
}

// resolve turns a floating wall-clock time (held in UTC) into an instant in loc.
func resolve(wall time.Time, loc *time.Location) time.Time {
	// Offsets a day either side bracket any single transition near wall.
	_, before := wall.Add(-26 * time.Hour).In(loc).Zone()
	_, after := wall.Add(26 * time.Hour).In(loc).Zone()
	first := wall.Add(-time.Duration(before) * time.Second)
	second := wall.Add(-time.Duration(after) * time.Second)
	if second.Before(first) {
		first, second = second, first
	}
	for _, c := range []time.Time{first, second} {
		if sameWall(c.In(loc), wall) {
			return c
		}
	}
	// In a gap: read with the offset before the transition.
	return wall.Add(-time.Duration(before) * time.Second)
}

func sameWall(t, wall time.Time) bool {
	y, m, d := t.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() &&
		t.Second() == wall.Second() && t.Nanosecond() == wall.Nanosecond()
}

// floating returns the wall clock of instant t in loc as a floating time.
func floating(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}
