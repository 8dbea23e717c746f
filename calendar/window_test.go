package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// at parses an RFC 3339 instant with its offset, so expectations never go through resolve.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

var everyDay = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func TestNextWindow(t *testing.T) {
	tests := []struct {
		name          string
		zone          string
		days          []string
		start, end    string
		now           string
		opens, closes string
	}{
		{"Berlin Mon–Thu 22:00–02:00 from a Friday waits for Monday", "Europe/Berlin", []string{"Mon", "Tue", "Wed", "Thu"}, "22:00", "02:00",
			"2026-12-04T12:00:00+01:00", "2026-12-07T22:00:00+01:00", "2026-12-08T02:00:00+01:00"},
		{"Berlin window open across midnight", "Europe/Berlin", []string{"Mon", "Tue", "Wed", "Thu"}, "22:00", "02:00",
			"2026-12-01T00:30:00+01:00", "2026-11-30T22:00:00+01:00", "2026-12-01T02:00:00+01:00"},
		{"Berlin year end: Thursday 31 Dec closes in the new year", "Europe/Berlin", []string{"Thu"}, "22:00", "02:00",
			"2026-12-31T23:59:00+01:00", "2026-12-31T22:00:00+01:00", "2027-01-01T02:00:00+01:00"},
		{"Berlin spring-forward: 02:30 does not exist, opens 03:30 CEST", "Europe/Berlin", []string{"Sun"}, "02:30", "05:00",
			"2026-03-29T00:00:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-29T05:00:00+02:00"},
		{"Berlin fall-back: 02:30 happens twice, opens at the first", "Europe/Berlin", []string{"Sun"}, "02:30", "04:00",
			"2026-10-25T00:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T04:00:00+01:00"},
		{"New York spring-forward window 02:30–04:00 still opens", "America/New_York", everyDay, "02:30", "04:00",
			"2026-03-08T00:00:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-08T04:00:00-04:00"},
		{"New York gap swallowing the whole window keeps its length", "America/New_York", everyDay, "02:15", "02:45",
			"2026-03-08T00:00:00-05:00", "2026-03-08T03:15:00-04:00", "2026-03-08T03:45:00-04:00"},
		{"New York fall-back 01:00–01:45 opens in EDT", "America/New_York", everyDay, "01:00", "01:45",
			"2026-11-01T00:10:00-04:00", "2026-11-01T01:00:00-04:00", "2026-11-01T01:45:00-04:00"},
		{"New York midnight window 23:00–00:00", "America/New_York", everyDay, "23:00", "00:00",
			"2026-07-01T23:30:00-04:00", "2026-07-01T23:00:00-04:00", "2026-07-02T00:00:00-04:00"},
		{"Sydney spring-forward 02:15 opens 03:15 AEDT", "Australia/Sydney", []string{"Sun"}, "02:15", "04:00",
			"2026-10-03T12:00:00+10:00", "2026-10-04T03:15:00+11:00", "2026-10-04T04:00:00+11:00"},
		{"Sydney fall-back 02:30 opens in AEDT", "Australia/Sydney", []string{"Sun"}, "02:30", "06:00",
			"2026-04-04T12:00:00+11:00", "2026-04-05T02:30:00+11:00", "2026-04-05T06:00:00+10:00"},
		{"Sydney year end in summer time", "Australia/Sydney", everyDay, "23:00", "01:00",
			"2026-12-31T23:30:00+11:00", "2026-12-31T23:00:00+11:00", "2027-01-01T01:00:00+11:00"},
		{"Kolkata half-hour offset across midnight", "Asia/Kolkata", everyDay, "23:30", "00:30",
			"2026-06-01T10:00:00+05:30", "2026-06-01T23:30:00+05:30", "2026-06-02T00:30:00+05:30"},
		{"Kolkata year end", "Asia/Kolkata", []string{"Thu"}, "22:00", "02:00",
			"2026-12-31T21:00:00+05:30", "2026-12-31T22:00:00+05:30", "2027-01-01T02:00:00+05:30"},
		{"Chatham spring-forward: 03:00 is in the 02:45–03:45 gap", "Pacific/Chatham", []string{"Sun"}, "03:00", "05:00",
			"2026-09-26T12:00:00+12:45", "2026-09-27T04:00:00+13:45", "2026-09-27T05:00:00+13:45"},
		{"Chatham fall-back: 03:00 happens twice", "Pacific/Chatham", []string{"Sun"}, "03:00", "05:00",
			"2026-04-04T12:00:00+13:45", "2026-04-05T03:00:00+13:45", "2026-04-05T05:00:00+12:45"},
		{"UTC year end", "UTC", []string{"Thu"}, "22:00", "02:00",
			"2026-12-31T22:00:00Z", "2026-12-31T22:00:00Z", "2027-01-01T02:00:00Z"},
		{"UTC just after closing waits a week", "UTC", []string{"Thu"}, "22:00", "02:00",
			"2027-01-01T02:00:00Z", "2027-01-07T22:00:00Z", "2027-01-08T02:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := &Calendar{Windows: []Window{{Name: "w", Environments: []string{"prod"}, TimeZone: tt.zone, Days: tt.days, Start: tt.start, End: tt.end}}}
			s, err := Compile(cal, at(t, tt.now), at(t, tt.now).AddDate(0, 0, 14))
			require.NoError(t, err)
			o, ok := s.NextWindow(at(t, tt.now), Env{Name: "prod"})
			require.True(t, ok)
			assert.True(t, at(t, tt.opens).Equal(o.Opens), "opens: want %s, got %s", tt.opens, o.Opens.Format(time.RFC3339))
			assert.True(t, at(t, tt.closes).Equal(o.Closes), "closes: want %s, got %s", tt.closes, o.Closes.Format(time.RFC3339))
		})
	}
}

func TestNextWindowSelection(t *testing.T) {
	cal := &Calendar{Windows: []Window{
		{Name: "eu-late", Regions: []string{"eu-west"}, TimeZone: "Europe/Berlin", Days: everyDay, Start: "22:00", End: "23:00"},
		{Name: "prod-eu", Environments: []string{"prod-eu"}, TimeZone: "Europe/Berlin", Days: everyDay, Start: "20:00", End: "21:00"},
	}}
	now := at(t, "2026-12-01T12:00:00+01:00")
	s, err := Compile(cal, now, now.AddDate(0, 0, 1))
	require.NoError(t, err)

	o, ok := s.NextWindow(now, Env{Name: "prod-eu", Region: "eu-west"})
	require.True(t, ok)
	assert.Equal(t, "prod-eu", o.Window, "the earliest opening wins")
	assert.Equal(t, "prod-eu: opens 2026-12-01 20:00 Europe/Berlin", o.String())

	_, ok = s.NextWindow(now, Env{Name: "staging", Region: "us-east"})
	assert.False(t, ok, "no window configured: no restriction")
}

func TestWindowValidation(t *testing.T) {
	tests := []struct {
		w    Window
		want string
	}{
		{Window{Name: "w", TimeZone: "Mars/Olympus", Days: everyDay, Start: "22:00", End: "02:00"}, `timeZone "Mars/Olympus"`},
		{Window{Name: "w", TimeZone: "UTC", Days: []string{"Funday"}, Start: "22:00", End: "02:00"}, `day "Funday"`},
		{Window{Name: "w", TimeZone: "UTC", Days: everyDay, Start: "25:00", End: "02:00"}, `start: invalid time of day "25:00"`},
		{Window{Name: "w", TimeZone: "UTC", Start: "22:00", End: "02:00"}, "days: required"},
	}
	for _, tt := range tests {
		err := (&Calendar{Windows: []Window{tt.w}}).Validate()
		require.ErrorContains(t, err, tt.want)
	}
}

func TestInPeak(t *testing.T) {
	cal := &Calendar{Peak: []Window{{Name: "eu-business", Regions: []string{"eu-west"}, TimeZone: "Europe/Berlin",
		Days: []string{"Mon", "Tue", "Wed", "Thu", "Fri"}, Start: "09:00", End: "18:00"}}}
	s, err := Compile(cal, at(t, "2026-12-01T00:00:00Z"), at(t, "2026-12-08T00:00:00Z"))
	require.NoError(t, err)
	in, configured := s.InPeak(at(t, "2026-12-01T10:00:00+01:00"), Env{Name: "prod-eu", Region: "eu-west"})
	assert.True(t, in)
	assert.True(t, configured)
	in, _ = s.InPeak(at(t, "2026-12-01T18:00:00+01:00"), Env{Name: "prod-eu", Region: "eu-west"})
	assert.False(t, in)
	_, configured = s.InPeak(at(t, "2026-12-01T10:00:00+01:00"), Env{Name: "prod-us", Region: "us-east"})
	assert.False(t, configured)
}
