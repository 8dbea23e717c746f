// Package calendar knows when changes may not happen (freezes, one-off or recurring by RFC 5545
// RRULE, scoped, each in its IANA time zone, with exceptions granted by an executive) and when
// they may (deployment windows per environment or region in local time). It is pure: callers
// pass the instant; answers never depend on the host's time zone.
package calendar

import (
	"fmt"
	"slices"
	"time"

	"github.com/teambition/rrule-go"
	"gopkg.in/yaml.v3"
)

// Calendar is the calendar file: an editable YAML document.
type Calendar struct {
	Freezes    []Freeze    `yaml:"freezes,omitempty" json:"freezes"`
	Exceptions []Exception `yaml:"exceptions,omitempty" json:"exceptions"`
	Windows    []Window    `yaml:"windows,omitempty" json:"windows"`
	// Peak are the environments' peak hours, same shape as windows; risk scores deploying
	// inside them.
	Peak []Window `yaml:"peak,omitempty" json:"peak,omitempty"`
}

// Freeze is a period during which changes in its scope do not deploy.
type Freeze struct {
	// ID names the freeze in messages, exceptions and `tollgate freeze remove`.
	ID     string `yaml:"id" json:"id"`
	Reason string `yaml:"reason" json:"reason"`
	// TimeZone is the IANA zone Start, End and the recurrence are read in.
	TimeZone string    `yaml:"timeZone" json:"timeZone"`
	Start    LocalTime `yaml:"start" json:"start"`
	// End closes a one-off freeze. A recurring freeze has Duration instead.
	End LocalTime `yaml:"end,omitempty" json:"end,omitzero"`
	// RRule makes the freeze recurring (RFC 5545, e.g. "FREQ=WEEKLY;BYDAY=FR"); Start is the first
	// occurrence (DTSTART). The rule runs on wall-clock time, so "every Friday 18:00" stays 18:00
	// across DST changes; UNTIL is read as wall-clock time in TimeZone too.
	RRule string `yaml:"rrule,omitempty" json:"rrule,omitempty"`
	// Duration is how long each occurrence lasts, in wall-clock time ("64h": Friday 18:00 to
	// Monday 10:00 whatever DST does in between).
	Duration Duration `yaml:"duration,omitempty" json:"duration,omitempty"`
	Scope    Scope    `yaml:"scope,omitempty" json:"scope"`
}

// Scope says what a freeze covers. Empty lists mean everything: an empty scope is the whole
// organization. Services and environments both set means those services in those environments.
type Scope struct {
	Services     []string `yaml:"services,omitempty" json:"services,omitempty"`
	Environments []string `yaml:"environments,omitempty" json:"environments,omitempty"`
}

// Exception lets one release (or every release, when Release is empty) deploy during a freeze.
type Exception struct {
	Freeze  string `yaml:"freeze" json:"freeze"`
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
	// GrantedBy must hold the exec role when granted (see Grant).
	GrantedBy     string    `yaml:"grantedBy" json:"grantedBy"`
	Justification string    `yaml:"justification" json:"justification"`
	Expires       time.Time `yaml:"expires" json:"expires"`
}

// Window is a recurring weekly period in which deployments to its environments may start.
type Window struct {
	Name string `yaml:"name" json:"name"`
	// Environments and Regions select where the window applies; either may be empty.
	Environments []string `yaml:"environments,omitempty" json:"environments,omitempty"`
	Regions      []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	TimeZone     string   `yaml:"timeZone" json:"timeZone"`
	// Days are the days the window opens on: Mon, Tue, Wed, Thu, Fri, Sat, Sun.
	Days []string `yaml:"days" json:"days"`
	// Start and End are local "HH:MM"; an End not after Start closes the next day (22:00–02:00).
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end" json:"end"`
}

// Duration is a time.Duration written "64h" or "90m".
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q: want e.g. \"64h\" or \"90m\"", b)
	}
	*d = Duration(v)
	return nil
}

// Parse reads a calendar file and validates it.
func Parse(data []byte) (*Calendar, error) {
	var c Calendar
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Marshal writes the calendar as YAML.
func (c *Calendar) Marshal() ([]byte, error) { return yaml.Marshal(c) }

// Validate checks every freeze and window, naming the first wrong field.
func (c *Calendar) Validate() error {
	var ids []string
	for i, f := range c.Freezes {
		p := fmt.Sprintf("freezes[%d]", i)
		switch {
		case f.ID == "":
			return fmt.Errorf("calendar: %s.id: required", p)
		case slices.Contains(ids, f.ID):
			return fmt.Errorf("calendar: %s.id: duplicate freeze %q", p, f.ID)
		case f.Reason == "":
			return fmt.Errorf("calendar: freeze %q: reason: required: say why changes stop", f.ID)
		case f.Start.IsZero():
			return fmt.Errorf("calendar: freeze %q: start: required", f.ID)
		}
		ids = append(ids, f.ID)
		if _, err := time.LoadLocation(f.TimeZone); err != nil || f.TimeZone == "" {
			return fmt.Errorf("calendar: freeze %q: timeZone %q: want an IANA zone such as Europe/Berlin", f.ID, f.TimeZone)
		}
		if f.RRule == "" {
			if !f.End.t.After(f.Start.t) {
				return fmt.Errorf("calendar: freeze %q: end %s must be after start %s", f.ID, f.End, f.Start)
			}
			continue
		}
		if f.Duration <= 0 {
			return fmt.Errorf("calendar: freeze %q: duration: required for a recurring freeze, e.g. \"64h\"", f.ID)
		}
		if _, err := f.rule(); err != nil {
			return fmt.Errorf("calendar: freeze %q: rrule %q: %v", f.ID, f.RRule, err)
		}
	}
	for i, ex := range c.Exceptions {
		if !slices.Contains(ids, ex.Freeze) {
			return fmt.Errorf("calendar: exceptions[%d].freeze: no freeze %q", i, ex.Freeze)
		}
	}
	for i := range c.Windows {
		if _, err := c.Windows[i].compile(); err != nil {
			return fmt.Errorf("calendar: windows[%d]: %w", i, err)
		}
	}
	for i := range c.Peak {
		if _, err := c.Peak[i].compile(); err != nil {
			return fmt.Errorf("calendar: peak[%d]: %w", i, err)
		}
	}
	return nil
}

// rule builds the recurrence on floating (wall-clock) time.
func (f Freeze) rule() (*rrule.RRule, error) {
	opt, err := rrule.StrToROptionInLocation(f.RRule, time.UTC)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = f.Start.t
	return rrule.NewRRule(*opt)
}

// covers reports whether the scope includes a service in an environment.
func (s Scope) covers(service, env string) bool {
	return (len(s.Services) == 0 || slices.Contains(s.Services, service)) &&
		(len(s.Environments) == 0 || slices.Contains(s.Environments, env))
}

func (s Scope) coversEnv(env string) bool {
	return len(s.Environments) == 0 || slices.Contains(s.Environments, env)
}
