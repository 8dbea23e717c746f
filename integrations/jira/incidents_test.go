package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var clock = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

// incidentSetup is setup with the client and the fake on one fixed clock.
func incidentSetup(t *testing.T, cfg Config) (*Client, *Fake) {
	t.Helper()
	f := NewFake(testUser, testToken, "Open", FakeChangeWorkflow...)
	t.Cleanup(f.Close)
	f.SetCloud(cfg.Cloud)
	f.Now = func() time.Time { return clock }
	cfg.Project = "CHG"
	c, err := New(Options{BaseURL: f.URL(), User: testUser, Token: testToken, Config: cfg, Now: f.Now})
	require.NoError(t, err)
	return c, f
}

func TestSearchIncidentsBothFlavours(t *testing.T) {
	since := clock.Add(-90 * time.Minute)
	for _, cloud := range []bool{false, true} {
		t.Run(fmt.Sprintf("cloud=%v", cloud), func(t *testing.T) {
			c, f := incidentSetup(t, Config{Cloud: cloud})
			_, err := c.CreateChange(context.Background(), testChange()) // a Change with the same marker label
			require.NoError(t, err)
			f.AddIssue(FakeIssue{Key: "INC-1", Project: "INC", Type: "Incident", Summary: "checkout 500s", Status: "Resolved",
				Labels: []string{"tollgate-r1"}, Created: clock.Add(-time.Hour), Resolved: clock.Add(-30 * time.Minute), Priority: "High"})
			f.AddIssue(FakeIssue{Key: "INC-2", Project: "INC", Type: "Incident", Summary: "slow cart", Status: "Open",
				Labels: []string{"tollgate-r1"}, Created: clock.Add(-10 * time.Minute)})
			// Inside the query's rounded-up bound, a second outside the exact one: filtered out.
			f.AddIssue(FakeIssue{Key: "INC-3", Project: "INC", Type: "Incident", Labels: []string{"tollgate-r1"}, Created: since.Add(-time.Second)})
			f.AddIssue(FakeIssue{Key: "INC-4", Project: "INC", Type: "Incident", Labels: []string{"tollgate-r2"}, Created: clock})
			f.AddIssue(FakeIssue{Key: "BUG-5", Project: "INC", Type: "Bug", Labels: []string{"tollgate-r1"}, Created: clock})

			got, err := c.SearchIncidents(context.Background(), IncidentQuery{Label: Marker("r1"), Since: since})
			require.NoError(t, err)
			assert.Equal(t, []Issue{
				{Key: "INC-2", Summary: "slow cart", Status: "Open", Labels: []string{"tollgate-r1"}, Created: clock.Add(-10 * time.Minute)},
				{Key: "INC-1", Summary: "checkout 500s", Status: "Resolved", Labels: []string{"tollgate-r1"},
					Created: clock.Add(-time.Hour), Resolved: clock.Add(-30 * time.Minute), Priority: "High"},
			}, utc(got), "newest first; the change request, other labels and types and the older incident left out")
			want := "GET /rest/api/2/search"
			if cloud {
				want = "GET /rest/api/3/search/jql"
			}
			assert.Contains(t, f.Calls(), want)
		})
	}
}

func TestSearchIncidentsIgnoresTheCallersTimeZone(t *testing.T) {
	c, f := incidentSetup(t, Config{IncidentType: "Outage"})
	f.AddIssue(FakeIssue{Key: "OUT-1", Type: "Outage", Labels: []string{"tollgate-service-cart"}, Created: clock.Add(-3 * time.Hour)})
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("UTC+14", 14*3600), time.FixedZone("UTC-11", -11*3600)} {
		since := clock.Add(-4 * time.Hour).In(zone)
		got, err := c.SearchIncidents(context.Background(), IncidentQuery{Label: ServiceLabel("cart"), Since: since})
		require.NoError(t, err, zone)
		require.Len(t, got, 1, zone)
		assert.Equal(t, "OUT-1", got[0].Key)
		got, err = c.SearchIncidents(context.Background(), IncidentQuery{Label: ServiceLabel("cart"), Since: clock.Add(-2 * time.Hour).In(zone)})
		require.NoError(t, err, zone)
		assert.Empty(t, got, zone)
	}
}

func TestIncidentJQLIsRelativeAndRoundedUp(t *testing.T) {
	tests := []struct {
		age  time.Duration
		want string
	}{
		{90 * time.Minute, `created >= -95m`},
		{89*time.Minute + time.Second, `created >= -95m`},
		{30 * 24 * time.Hour, `created >= -43205m`},
		{-time.Minute, `created >= -5m`}, // a bound in the future still asks for the skew margin
	}
	for _, tt := range tests {
		jql := incidentJQL("Incident", "tollgate-r1", tt.age)
		assert.Equal(t, `issuetype = "Incident" AND labels = "tollgate-r1" AND `+tt.want+` ORDER BY created DESC`, jql, tt.age)
		_, _, err := parseJQL(jql, "u")
		assert.NoError(t, err, "the fake understands what the client sends")
	}
}

func TestSearchIncidentsTruncated(t *testing.T) {
	for _, cloud := range []bool{false, true} {
		c, f := incidentSetup(t, Config{Cloud: cloud})
		for i := range IncidentLimit + 1 {
			f.AddIssue(FakeIssue{Key: fmt.Sprintf("INC-%d", i), Type: "Incident", Labels: []string{"tollgate-r1"}, Created: clock.Add(-time.Duration(i) * time.Minute)})
		}
		got, err := c.SearchIncidents(context.Background(), IncidentQuery{Label: "tollgate-r1", Since: clock.Add(-24 * time.Hour)})
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrTruncated), err)
		assert.Len(t, got, IncidentLimit, "the newest are returned with the error")
		assert.Equal(t, "INC-0", got[0].Key)
		cls, _ := Classify(err)
		assert.Equal(t, Permanent, cls, "asking again truncates again")

	}
}

func TestSearchIncidentsOlderAnswersProveTheListWhole(t *testing.T) {
	for _, cloud := range []bool{false, true} {
		c, f := incidentSetup(t, Config{Cloud: cloud})
		for i := range 150 { // one every 6 s: 131 inside the query's 13-minute bound
			f.AddIssue(FakeIssue{Key: fmt.Sprintf("INC-%d", i), Type: "Incident", Labels: []string{"tollgate-r1"}, Created: clock.Add(-time.Duration(i) * 6 * time.Second)})
		}
		// The 100 newest answered reach back before Since, so nothing in the window is missing.
		got, err := c.SearchIncidents(context.Background(), IncidentQuery{Label: "tollgate-r1", Since: clock.Add(-8 * time.Minute)})
		require.NoError(t, err, "cloud=%v", cloud)
		assert.Len(t, got, 81)
	}
}

func TestFakeJQLSubset(t *testing.T) {
	tests := []struct {
		jql string
		ok  bool
	}{
		{`labels = "a"`, true},
		{`project = "CHG" AND issuetype = "Change" AND labels = "tollgate-r1"`, true},
		{`issuetype = "In \"quotes\"" and created >= -10m order by created asc`, true},
		{`labels = "a" OR labels = "b"`, false},
		{`status = "Open"`, false},
		{`labels in ("a", "b")`, false},
		{`created >= "2026-03-01"`, false},
		{`labels = "a" ORDER BY key`, false},
		{``, false},
	}
	for _, tt := range tests {
		_, _, err := parseJQL(tt.jql, "u")
		assert.Equal(t, tt.ok, err == nil, "%s: %v", tt.jql, err)
	}
	c, _ := incidentSetup(t, Config{})
	req, err := c.api.NewRequest(http.MethodGet, "rest/api/2/search?jql=status+%3D+%22Open%22", nil)
	require.NoError(t, err)
	resp, err := c.api.Do(req, nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the fake refuses JQL it does not model")
}

// utc makes times comparable with assert.Equal whatever zone the JSON round trip left.
func utc(issues []Issue) []Issue {
	for i := range issues {
		issues[i].Created = issues[i].Created.UTC()
		if !issues[i].Resolved.IsZero() {
			issues[i].Resolved = issues[i].Resolved.UTC()
		}
	}
	return issues
}
