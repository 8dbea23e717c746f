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

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

// searchCalls counts the calls to path the fake served.
func searchCalls(f *Fake, call string) int {
	n := 0
	for _, c := range f.Calls() {
		if c == call {
			n++
		}
	}
	return n
}

func flavourSearch(cloud bool) string {
	if cloud {
		return "GET /rest/api/3/search/jql"
	}
	return "GET /rest/api/2/search"
}

// A crash right after the create: the retry's FindChange must reach the issue on either
// flavour's search, Cloud's old endpoint being gone.
func TestFindChangeAfterACrashOnBothFlavours(t *testing.T) {
	for _, cloud := range []bool{false, true} {
		t.Run(fmt.Sprintf("cloud=%v", cloud), func(t *testing.T) {
			c, f, teardown := setup(t, Config{Cloud: cloud})
			defer teardown()
			ctx := context.Background()
			f.Faults.Push(faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
			_, err := c.CreateChange(ctx, testChange())
			require.Error(t, err, "the answer is lost")
			key, err := c.FindChange(ctx, "r1")
			require.NoError(t, err)
			assert.Equal(t, "CHG-1", key)
			assert.Len(t, f.Issues(), 1)
			assert.Equal(t, 1, searchCalls(f, flavourSearch(cloud)))
			assert.Zero(t, searchCalls(f, flavourSearch(!cloud)), "the other flavour's search is not asked")
		})
	}
}

// FindChanges lists every issue Tollgate created with the release's marker, oldest first, on
// both flavours; another release's change request, the release's incidents (same label) and an
// issue someone else labelled are not in it.
func TestFindChangesListsDuplicatesOldestFirst(t *testing.T) {
	for _, cloud := range []bool{false, true} {
		t.Run(fmt.Sprintf("cloud=%v", cloud), func(t *testing.T) {
			c, f, teardown := setup(t, Config{Cloud: cloud})
			defer teardown()
			ctx := context.Background()
			start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			mine := func(key, typ, label string, created time.Time) FakeIssue {
				return FakeIssue{Key: key, Project: "CHG", Type: typ, Labels: []string{label}, Created: created, Creator: testUser}
			}
			f.AddIssue(mine("CHG-7", "Change", Marker("r1"), start.Add(time.Minute)))
			f.AddIssue(mine("CHG-3", "Change", Marker("r1"), start))
			f.AddIssue(mine("CHG-4", "Change", Marker("r2"), start))
			f.AddIssue(mine("INC-1", "Incident", Marker("r1"), start))
			// Someone labelled their own change with the release's marker: not Tollgate's.
			f.AddIssue(FakeIssue{Key: "CHG-5", Project: "CHG", Type: "Change", Labels: []string{Marker("r1")}, Created: start, Creator: "mallory"})
			keys, err := c.FindChanges(ctx, "r1")
			require.NoError(t, err)
			assert.Equal(t, []string{"CHG-3", "CHG-7"}, keys)
			none, err := c.FindChanges(ctx, "r9")
			require.NoError(t, err)
			assert.Empty(t, none)
		})
	}
}

// The fake answers as each flavour does on the other's search endpoints.
func TestFakeSearchEndpointsByFlavour(t *testing.T) {
	tests := []struct {
		cloud  bool
		method string
		path   string
		status int
	}{
		{true, http.MethodGet, "rest/api/2/search?jql=labels+%3D+%22a%22", http.StatusGone},
		{true, http.MethodPost, "rest/api/2/search", http.StatusGone},
		{true, http.MethodGet, "rest/api/3/search?jql=labels+%3D+%22a%22", http.StatusGone},
		{true, http.MethodPost, "rest/api/3/search", http.StatusGone},
		{true, http.MethodGet, "rest/api/3/search/jql?jql=labels+%3D+%22a%22", http.StatusOK},
		{false, http.MethodGet, "rest/api/3/search/jql?jql=labels+%3D+%22a%22", http.StatusNotFound},
		{false, http.MethodGet, "rest/api/3/search?jql=labels+%3D+%22a%22", http.StatusNotFound},
		{false, http.MethodGet, "rest/api/2/search?jql=labels+%3D+%22a%22", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("cloud=%v %s %s", tt.cloud, tt.method, tt.path), func(t *testing.T) {
			c, _, teardown := setup(t, Config{Cloud: tt.cloud})
			defer teardown()
			req, err := c.api.NewRequest(tt.method, tt.path, nil)
			require.NoError(t, err)
			resp, err := c.api.Do(req, nil)
			require.NotNil(t, resp)
			assert.Equal(t, tt.status, resp.StatusCode)
			if tt.status == http.StatusGone {
				require.Error(t, err)
				err = wrap("search", resp, err)
				assert.Contains(t, err.Error(), "HTTP 410: The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.",
					"Atlassian's errorMessages body")
			}
		})
	}
}

// A worker configured for Data Center against a Cloud site fails for good, saying why.
func TestFindChangeOnTheWrongFlavourIsRefused(t *testing.T) {
	c, f, teardown := setup(t, Config{})
	defer teardown()
	f.SetCloud(true)
	_, err := c.FindChange(context.Background(), "r1")
	require.Error(t, err)
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls)
	assert.Contains(t, err.Error(), "HTTP 410")
	assert.Contains(t, err.Error(), "/rest/api/3/search/jql")
}

func TestFakeIndexLagHidesNewIssuesFromSearchesOnly(t *testing.T) {
	for _, cloud := range []bool{false, true} {
		t.Run(fmt.Sprintf("cloud=%v", cloud), func(t *testing.T) {
			c, f, teardown := setup(t, Config{Cloud: cloud})
			defer teardown()
			ctx := context.Background()
			f.SetIndexLag(2)
			key, err := c.CreateChange(ctx, testChange())
			require.NoError(t, err)
			status, err := c.Status(ctx, key)
			require.NoError(t, err)
			assert.Equal(t, "Open", status, "read by key at once")
			for i := range 2 {
				found, err := c.FindChange(ctx, "r1")
				require.NoError(t, err)
				assert.Empty(t, found, "search %d", i+1)
			}
			found, err := c.FindChange(ctx, "r1")
			require.NoError(t, err)
			assert.Equal(t, key, found, "the third search sees it")
		})
	}
}

// With Jira answering 20 issues a page, the search follows the pages to the limit.
func TestSearchIncidentsFollowsPages(t *testing.T) {
	tests := []struct {
		name      string
		inWindow  int
		older     int
		want      int
		truncated bool
		pages     int
	}{
		{"fewer than the limit", 75, 0, 75, false, 4},
		{"exactly the limit", IncidentLimit, 0, IncidentLimit, false, 5},
		{"the limit, then older ones", IncidentLimit, 30, IncidentLimit, false, 6},
		{"more than the limit", IncidentLimit + 30, 0, IncidentLimit, true, 6},
	}
	for _, cloud := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("cloud=%v %s", cloud, tt.name), func(t *testing.T) {
				c, f := incidentSetup(t, Config{Cloud: cloud})
				f.SetPageSize(20)
				since := clock.Add(-24 * time.Hour)
				for i := range tt.inWindow {
					f.AddIssue(FakeIssue{Key: fmt.Sprintf("INC-%d", i), Type: "Incident", Labels: []string{"tollgate-r1"}, Created: clock.Add(-time.Duration(i) * time.Minute)})
				}
				for i := range tt.older { // inside the query's skew margin, outside the exact bound
					f.AddIssue(FakeIssue{Key: fmt.Sprintf("OLD-%d", i), Type: "Incident", Labels: []string{"tollgate-r1"}, Created: since.Add(-time.Duration(i+1) * time.Second)})
				}
				got, err := c.SearchIncidents(context.Background(), IncidentQuery{Label: "tollgate-r1", Since: since})
				assert.Equal(t, tt.truncated, errors.Is(err, ErrTruncated), "%v", err)
				if !tt.truncated {
					require.NoError(t, err)
				}
				require.Len(t, got, tt.want)
				assert.Equal(t, "INC-0", got[0].Key, "newest first")
				assert.Equal(t, fmt.Sprintf("INC-%d", tt.want-1), got[tt.want-1].Key, "no page skipped or read twice")
				assert.Equal(t, tt.pages, searchCalls(f, flavourSearch(cloud)))
			})
		}
	}
}
