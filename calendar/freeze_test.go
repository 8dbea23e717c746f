package calendar

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func lt(t testing.TB, s string) LocalTime {
	t.Helper()
	v, err := ParseLocalTime(s)
	require.NoError(t, err)
	return v
}

func TestFrozen(t *testing.T) {
	type check struct {
		at     string
		frozen bool
	}
	tests := []struct {
		name   string
		freeze Freeze
		checks []check
	}{
		{"New York year-end freeze, one-off", Freeze{TimeZone: "America/New_York", Start: lt(t, "2026-12-20T00:00"), End: lt(t, "2027-01-04T09:00")},
			[]check{{"2026-12-19T23:59:59-05:00", false}, {"2026-12-20T00:00:00-05:00", true}, {"2026-12-31T23:59:59-05:00", true},
				{"2027-01-01T00:00:00-05:00", true}, {"2027-01-04T08:59:59-05:00", true}, {"2027-01-04T09:00:00-05:00", false}}},
		{"Berlin weekend freeze across fall-back keeps Monday 10:00", Freeze{TimeZone: "Europe/Berlin", Start: lt(t, "2026-01-02T18:00"),
			RRule: "FREQ=WEEKLY;BYDAY=FR", Duration: Duration(64 * time.Hour)},
			[]check{{"2026-10-23T17:59:00+02:00", false}, {"2026-10-23T18:00:00+02:00", true}, {"2026-10-25T02:30:00+01:00", true},
				{"2026-10-26T09:59:00+01:00", true}, {"2026-10-26T10:00:00+01:00", false}}},
		{"Berlin weekend freeze across spring-forward keeps Monday 10:00", Freeze{TimeZone: "Europe/Berlin", Start: lt(t, "2026-01-02T18:00"),
			RRule: "FREQ=WEEKLY;BYDAY=FR", Duration: Duration(64 * time.Hour)},
			[]check{{"2026-03-30T09:59:00+02:00", true}, {"2026-03-30T10:00:00+02:00", false}}},
		{"New York daily 02:30 freeze still starts on spring-forward day", Freeze{TimeZone: "America/New_York", Start: lt(t, "2026-01-01T02:30"),
			RRule: "FREQ=DAILY", Duration: Duration(time.Hour)},
			[]check{{"2026-03-07T02:30:00-05:00", true}, {"2026-03-08T03:29:00-04:00", false}, {"2026-03-08T03:30:00-04:00", true},
				{"2026-03-08T04:29:00-04:00", true}, {"2026-03-08T04:30:00-04:00", false}}},
		{"New York daily 01:30 freeze on fall-back starts at the first 01:30", Freeze{TimeZone: "America/New_York", Start: lt(t, "2026-01-01T01:30"),
			RRule: "FREQ=DAILY", Duration: Duration(45 * time.Minute)},
			[]check{{"2026-11-01T01:30:00-04:00", true}, {"2026-11-01T02:14:00-05:00", true}, {"2026-11-01T02:15:00-05:00", false}}},
		{"Sydney Sunday 02:30 for 1h on fall-back lasts to the wall-clock 03:30", Freeze{TimeZone: "Australia/Sydney", Start: lt(t, "2026-01-04T02:30"),
			RRule: "FREQ=WEEKLY;BYDAY=SU", Duration: Duration(time.Hour)},
			[]check{{"2026-04-05T02:29:00+11:00", false}, {"2026-04-05T02:30:00+11:00", true}, {"2026-04-05T03:00:00+10:00", true},
				{"2026-04-05T03:30:00+10:00", false}}},
		{"Kolkata nightly freeze across midnight", Freeze{TimeZone: "Asia/Kolkata", Start: lt(t, "2026-01-01T23:30"), RRule: "FREQ=DAILY", Duration: Duration(time.Hour)},
			[]check{{"2026-06-01T23:29:00+05:30", false}, {"2026-06-02T00:15:00+05:30", true}, {"2026-06-02T00:30:00+05:30", false}}},
		{"Chatham yearly Christmas freeze", Freeze{TimeZone: "Pacific/Chatham", Start: lt(t, "2026-12-24T00:00"),
			RRule: "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", Duration: Duration(48 * time.Hour)},
			[]check{{"2026-12-23T23:59:00+13:45", false}, {"2026-12-24T00:00:00+13:45", true}, {"2027-12-25T23:59:00+13:45", true}, {"2027-12-26T00:00:00+13:45", false}}},
		{"Chatham daily 03:00 falls in the spring-forward gap", Freeze{TimeZone: "Pacific/Chatham", Start: lt(t, "2026-01-01T03:00"),
			RRule: "FREQ=DAILY", Duration: Duration(30 * time.Minute)},
			[]check{{"2026-09-27T03:59:00+13:45", false}, {"2026-09-27T04:00:00+13:45", true}, {"2026-09-27T04:29:00+13:45", true}}},
		{"UTC new year's eve freeze into the new year", Freeze{TimeZone: "UTC", Start: lt(t, "2026-12-31T22:00"),
			RRule: "FREQ=YEARLY", Duration: Duration(4 * time.Hour)},
			[]check{{"2026-12-31T21:59:59Z", false}, {"2027-01-01T01:59:59Z", true}, {"2027-01-01T02:00:00Z", false}, {"2027-12-31T23:00:00Z", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.freeze
			f.ID, f.Reason = "f", "test"
			cal := &Calendar{Freezes: []Freeze{f}}
			first := at(t, tt.checks[0].at)
			// A one-week horizon: later checks exercise expansion outside it.
			s, err := Compile(cal, first, first.AddDate(0, 0, 7))
			require.NoError(t, err)
			for _, c := range tt.checks {
				hit, frozen := s.Frozen(at(t, c.at), Target{Environment: "prod"})
				assert.Equal(t, c.frozen, frozen, "at %s", c.at)
				if frozen {
					assert.Equal(t, "f", hit.Freeze.ID)
					assert.False(t, at(t, c.at).Before(hit.From))
					assert.True(t, at(t, c.at).Before(hit.Until))
				}
			}
		})
	}
}

func TestFrozenScopeAndExceptions(t *testing.T) {
	now := at(t, "2026-12-21T12:00:00Z")
	cal := &Calendar{
		Freezes: []Freeze{
			{ID: "ledger-migration", Reason: "ledger schema migration", TimeZone: "UTC", Start: lt(t, "2026-12-21T00:00"), End: lt(t, "2026-12-22T00:00"),
				Scope: Scope{Services: []string{"ledger"}, Environments: []string{"prod-eu"}}},
			{ID: "us-holiday", Reason: "US holiday", TimeZone: "America/New_York", Start: lt(t, "2026-12-21T00:00"), End: lt(t, "2026-12-22T00:00"),
				Scope: Scope{Environments: []string{"prod-us"}}},
		},
		Exceptions: []Exception{{Freeze: "us-holiday", Release: "hotfix-1", GrantedBy: "alice", Justification: "payment outage", Expires: now.Add(time.Hour)}},
	}
	s, err := Compile(cal, now, now.AddDate(0, 0, 1))
	require.NoError(t, err)
	tests := []struct {
		name   string
		target Target
		want   string // freeze ID or "" for not frozen
	}{
		{"service in scope", Target{Environment: "prod-eu", Services: []string{"api", "ledger"}}, "ledger-migration"},
		{"service out of scope", Target{Environment: "prod-eu", Services: []string{"api"}}, ""},
		{"environment out of scope", Target{Environment: "staging", Services: []string{"ledger"}}, ""},
		{"unknown services count as in scope", Target{Environment: "prod-eu"}, "ledger-migration"},
		{"environment freeze", Target{Release: "r1", Environment: "prod-us", Services: []string{"api"}}, "us-holiday"},
		{"calendar exception for the release", Target{Release: "hotfix-1", Environment: "prod-us", Services: []string{"api"}}, ""},
		{"release-held exception", Target{Release: "r2", Environment: "prod-eu", Services: []string{"ledger"},
			Exceptions: []Exception{{Freeze: "ledger-migration", Release: "r2", GrantedBy: "alice", Justification: "x", Expires: now.Add(time.Minute)}}}, ""},
		{"expired exception", Target{Release: "r2", Environment: "prod-eu", Services: []string{"ledger"},
			Exceptions: []Exception{{Freeze: "ledger-migration", Release: "r2", GrantedBy: "alice", Justification: "x", Expires: now}}}, "ledger-migration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hit, frozen := s.Frozen(now, tt.target)
			assert.Equal(t, tt.want != "", frozen)
			assert.Equal(t, tt.want, hit.Freeze.ID)
		})
	}
	hit, _ := s.Frozen(now, Target{Environment: "prod-us"})
	assert.Equal(t, `freeze "us-holiday" (US holiday) until 2026-12-22 00:00 America/New_York`, hit.String())
}

func TestGrantException(t *testing.T) {
	now := at(t, "2026-12-21T12:00:00Z")
	cal := &Calendar{Freezes: []Freeze{{ID: "holiday", Reason: "r", TimeZone: "UTC", Start: lt(t, "2026-12-20T00:00"), End: lt(t, "2027-01-02T00:00")}}}
	ok := Exception{Freeze: "holiday", Release: "r1", GrantedBy: "alice", Justification: "security fix", Expires: now.Add(4 * time.Hour)}
	require.NoError(t, cal.Grant(ok, []string{"exec"}, now))
	tests := []struct {
		name  string
		edit  func(*Exception)
		roles []string
		want  string
	}{
		{"not an exec", func(*Exception) {}, []string{"team-lead"}, `alice cannot grant an exception to freeze "holiday": only a person with the "exec" role can`},
		{"no justification", func(e *Exception) { e.Justification = " " }, []string{"exec"}, "a justification is required"},
		{"expired", func(e *Exception) { e.Expires = now }, []string{"exec"}, "is not in the future"},
		{"too long", func(e *Exception) { e.Expires = now.Add(8 * 24 * time.Hour) }, []string{"exec"}, "more than"},
		{"unknown freeze", func(e *Exception) { e.Freeze = "nope" }, []string{"exec"}, `no freeze "nope"`},
	}
	for _, tt := range tests {
		ex := ok
		tt.edit(&ex)
		require.ErrorContains(t, cal.Grant(ex, tt.roles, now), tt.want, tt.name)
	}
}

var zones = []string{"America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "UTC"}

// TestAnswersIndependentOfLocal: the answer for an instant is the same whatever time.Local is.
func TestAnswersIndependentOfLocal(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	cal := sampleCalendar(t, 30)
	rapid.Check(t, func(rt *rapid.T) {
		now := time.Unix(rapid.Int64Range(1767225600, 1830297600).Draw(rt, "unix"), 0) // 2026–2027
		type answer struct {
			frozen       bool
			id           string
			from, until  int64
			opens, close int64
		}
		var answers []answer
		for _, z := range zones {
			loc, err := time.LoadLocation(z)
			require.NoError(rt, err)
			time.Local = loc
			local := now.In(time.Local) // the caller's instant may carry any location
			s, err := Compile(cal, local.AddDate(0, 0, -1), local.AddDate(0, 0, 1))
			require.NoError(rt, err)
			hit, frozen := s.Frozen(local, Target{Environment: "prod-eu", Services: []string{"ledger"}})
			o, _ := s.NextWindow(local, Env{Name: "prod-eu", Region: "eu-west"})
			answers = append(answers, answer{frozen, hit.Freeze.ID, hit.From.UnixNano(), hit.Until.UnixNano(), o.Opens.UnixNano(), o.Closes.UnixNano()})
		}
		for i := 1; i < len(answers); i++ {
			if answers[i] != answers[0] {
				rt.Fatalf("with time.Local=%s: %+v; with %s: %+v", zones[i], answers[i], zones[0], answers[0])
			}
		}
	})
}

// sampleCalendar has n recurring freezes over every test zone and one window per zone.
func sampleCalendar(t testing.TB, n int) *Calendar {
	cal := &Calendar{}
	rules := []string{"FREQ=WEEKLY;BYDAY=FR", "FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"}
	for i := range n {
		cal.Freezes = append(cal.Freezes, Freeze{ID: fmt.Sprintf("f%d", i), Reason: "sample", TimeZone: zones[i%len(zones)],
			Start: lt(t, fmt.Sprintf("2026-01-0%dT%02d:%02d", 1+i%7, i%24, (i*15)%60)), RRule: rules[i%len(rules)],
			Duration: Duration(time.Duration(1+i%5) * 37 * time.Minute)})
	}
	for i, z := range zones {
		cal.Windows = append(cal.Windows, Window{Name: fmt.Sprintf("w%d", i), Environments: []string{"prod-eu"}, TimeZone: z,
			Days: []string{"Mon", "Thu"}, Start: fmt.Sprintf("%02d:30", 20+i%4), End: "02:00"})
	}
	return cal
}

// BenchmarkFrozen1000 checks one instant against 1,000 recurring freezes in scope, none of
// which is in force: the worst case, every freeze consulted.
func BenchmarkFrozen1000(b *testing.B) {
	cal := sampleCalendar(b, 1000)
	now := at(b, "2026-07-15T12:00:00Z")
	for i := range cal.Freezes {
		cal.Freezes[i].Scope = Scope{Environments: []string{"prod-eu"}}
		cal.Freezes[i].Start = lt(b, "2026-01-01T00:00")
		cal.Freezes[i].Duration = Duration(time.Minute)
	}
	s, err := Compile(cal, now.AddDate(0, 0, -7), now.AddDate(0, 3, 0))
	require.NoError(b, err)
	target := Target{Release: "r", Environment: "prod-eu", Services: []string{"ledger"}}
	for b.Loop() {
		if _, frozen := s.Frozen(now, target); frozen {
			b.Fatal("frozen")
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	doc := `
freezes:
  - id: year-end
    reason: year-end freeze
    timeZone: Europe/Berlin
    start: 2026-12-20T00:00
    end: 2027-01-04T00:00
    scope: {environments: [prod-eu]}
  - id: fridays
    reason: no Friday deploys
    timeZone: America/New_York
    start: 2026-01-02T15:00
    rrule: FREQ=WEEKLY;BYDAY=FR
    duration: 64h
exceptions:
  - freeze: year-end
    release: hotfix-7
    grantedBy: alice
    justification: card payments failing
    expires: 2026-12-22T00:00:00Z
windows:
  - name: prod-eu
    environments: [prod-eu]
    timeZone: Europe/Berlin
    days: [Mon, Tue, Wed, Thu]
    start: "22:00"
    end: "02:00"
`
	cal, err := Parse([]byte(doc))
	require.NoError(t, err)
	require.Len(t, cal.Freezes, 2)
	assert.Equal(t, "2026-12-20T00:00", cal.Freezes[0].Start.String())
	assert.Equal(t, Duration(64*time.Hour), cal.Freezes[1].Duration)
	assert.True(t, cal.Exceptions[0].Expires.Equal(at(t, "2026-12-22T00:00:00Z")))
	out, err := cal.Marshal()
	require.NoError(t, err)
	again, err := Parse(out)
	require.NoError(t, err)
	assert.Equal(t, cal, again)
	assert.NotContains(t, string(out), "end: \"\"", "a recurring freeze writes no end")

	_, err = Parse([]byte("freezes:\n  - id: x\n    reason: r\n    timeZone: UTC\n    start: 2026-01-01T00:00\n    rrule: FREQ=SOMETIMES\n    duration: 1h\n"))
	require.ErrorContains(t, err, `freeze "x": rrule "FREQ=SOMETIMES"`)
	_, err = Parse([]byte("freezes:\n  - id: x\n    reason: r\n    timeZone: UTC\n    start: 2026-01-01 00:00\n    end: 2026-01-02T00:00\n"))
	require.ErrorContains(t, err, "invalid local time")
}
