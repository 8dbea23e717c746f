package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/review"
	"github.com/tollgate-dev/tollgate/store"
)

var incidentClock = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// withJira gives a the real Jira client against a fake sharing one fixed clock with it.
func withJira(t *testing.T, a *Activities) *jira.Fake {
	t.Helper()
	fake := jira.NewFake("u", "jira-act-token", "Open", jira.FakeChangeWorkflow...)
	t.Cleanup(fake.Close)
	fake.Now = func() time.Time { return incidentClock }
	c, err := jira.New(jira.Options{BaseURL: fake.URL(), User: "u", Token: "jira-act-token", Now: fake.Now,
		Config: jira.Config{Project: "CHG", Transitions: jira.FakeSteps()}})
	require.NoError(t, err)
	a.Jira = JiraConfig{Tracker: c}
	return fake
}

func incident(key, label string, created time.Time) jira.FakeIssue {
	return jira.FakeIssue{Key: key, Project: "INC", Type: "Incident", Summary: key + " summary", Status: "Open", Labels: []string{label}, Created: created}
}

func riskSpec() release.Spec {
	return release.Spec{Metadata: release.Metadata{ID: "r1", Owner: "erin"},
		Services: []release.Service{{Name: "ledger", Owner: "payments"}, {Name: "api", Owner: "payments", DependsOn: []string{"ledger"}}}}
}

func TestAssessRiskCountsServiceIncidents(t *testing.T) {
	a := governanceActivities(t)
	fake := withJira(t, a)
	for _, is := range []jira.FakeIssue{
		incident("INC-1", "tollgate-service-ledger", incidentClock.Add(-2*time.Hour)),
		incident("INC-2", "tollgate-service-ledger", incidentClock.AddDate(0, 0, -29)),
		incident("INC-3", "tollgate-service-ledger", incidentClock.AddDate(0, 0, -31)), // outside the 30 days
		incident("INC-4", "tollgate-service-api", incidentClock.Add(-time.Hour)),
	} {
		fake.AddIssue(is)
	}
	res, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: riskSpec(), PlannedAt: incidentClock})
	require.NoError(t, err)
	assert.Contains(t, res.Explanation, "ledger: 2 incidents in the last 30 days", "the worst service, two of its three incidents in the window")
	inc := contribution(t, res.Explanation, "incidents")
	assert.NotContains(t, inc, "unknown")
}

// Jira answers 20 issues a page: the count follows the pages instead of stopping at the first.
func TestAssessRiskCountsIncidentsAcrossPages(t *testing.T) {
	a := governanceActivities(t)
	fake := withJira(t, a)
	fake.SetPageSize(20)
	for i := range 45 {
		fake.AddIssue(incident(fmt.Sprintf("INC-%d", i), "tollgate-service-ledger", incidentClock.Add(-time.Duration(i+1)*time.Hour)))
	}
	res, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: riskSpec(), PlannedAt: incidentClock})
	require.NoError(t, err)
	assert.Contains(t, res.Explanation, "ledger: 45 incidents in the last 30 days")
}

func TestAssessRiskIncidentSearchFailures(t *testing.T) {
	t.Run("permanent: risk goes on, incidents unknown", func(t *testing.T) {
		a := governanceActivities(t)
		fake := withJira(t, a)
		fake.Faults.Push(faults.Fault{Status: http.StatusBadRequest})
		res, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: riskSpec(), PlannedAt: incidentClock})
		require.NoError(t, err, "a refused search does not fail the assessment")
		// The services are searched in parallel: the fault meets whichever asks first.
		assert.Regexp(t, `(ledger|api): unknown \(jira search failed: jira incident search for label tollgate-service-(ledger|api): HTTP 400`,
			contribution(t, res.Explanation, "incidents"))
		assert.NotContains(t, res.Explanation, "jira-act-token")
	})
	t.Run("transient: the activity retries", func(t *testing.T) {
		a := governanceActivities(t)
		fake := withJira(t, a)
		fake.Faults.Push(faults.Fault{Status: http.StatusServiceUnavailable})
		_, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: riskSpec(), PlannedAt: incidentClock})
		require.Error(t, err)
		var ae *temporal.ApplicationError
		assert.False(t, errors.As(err, &ae) && ae.NonRetryable(), "retryable: %v", err)
	})
}

func TestRetryIncidentSearch(t *testing.T) {
	unavailable := &jira.Error{Op: "incident search", Status: http.StatusServiceUnavailable, Err: errors.New("down")}
	tests := []struct {
		name    string
		err     error
		attempt int32
		want    bool
	}{
		{"transient, first attempt", unavailable, 1, true},
		{"transient, last attempt goes on without incidents", unavailable, incidentSearchAttempts, false},
		{"rate limited", &jira.Error{Status: http.StatusTooManyRequests}, 2, true},
		{"refused", &jira.Error{Status: http.StatusBadRequest}, 1, false},
		{"truncated", jira.ErrTruncated, 1, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, retryIncidentSearch(tt.err, tt.attempt), tt.name)
	}
}

func reviewActivities(t *testing.T) (*Activities, *jira.Fake, store.Knowledge) {
	t.Helper()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	a := &Activities{Store: st}
	return a, withJira(t, a), st
}

func filedReview(t *testing.T, kb store.Knowledge, releaseID string) string {
	t.Helper()
	entries, err := kb.ListKnowledge(context.Background(), store.KnowledgeFilter{Kind: store.KnowledgeReview, ReleaseID: releaseID})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	return entries[0].Body
}

func TestFileReviewFindsTheReleasesIncidentsInJira(t *testing.T) {
	a, fake, kb := reviewActivities(t)
	ctx := context.Background()
	_, err := a.JiraChangeRequest(ctx, JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err, "the change request carries the same label and must not count")
	started := incidentClock.Add(-26 * time.Hour)
	fake.AddIssue(incident("INC-1", "tollgate-r1", started.Add(-time.Hour))) // before the deployment
	late := incident("INC-2", "tollgate-r1", started.Add(3*time.Hour))
	late.Priority, late.Resolved = "High", started.Add(5*time.Hour)
	fake.AddIssue(late)
	fake.AddIssue(incident("INC-3", "tollgate-r1", started.Add(4*time.Hour)))

	_, err = a.FileReview(ctx, FileReviewInput{Review: review.Input{ReleaseID: "r1", Title: "Shop", ReviewedAt: incidentClock,
		DeployStarted: started, DeployFinished: started.Add(time.Hour)}})
	require.NoError(t, err)
	body := filedReview(t, kb, "r1")
	assert.Contains(t, body, "From Jira, label tollgate-r1:\n- INC-2 (High) INC-2 summary, opened 2026-11-30T10:00:00Z, resolved 2026-11-30T12:00:00Z\n- INC-3 INC-3 summary")
	assert.NotContains(t, body, "INC-1")
	assert.NotContains(t, body, "CHG-1")
	assert.Contains(t, body, "| Change failure | yes (2 incident(s) linked: INC-2, INC-3) |", "an escaped incident is a change failure")
}

func TestFileReviewWithoutDeploymentLooksBackADay(t *testing.T) {
	a, fake, kb := reviewActivities(t)
	fake.AddIssue(incident("INC-1", "tollgate-r2", incidentClock.Add(-25*time.Hour)))
	fake.AddIssue(incident("INC-2", "tollgate-r2", incidentClock.Add(-23*time.Hour)))
	_, err := a.FileReview(context.Background(), FileReviewInput{Review: review.Input{ReleaseID: "r2", ReviewedAt: incidentClock}})
	require.NoError(t, err)
	body := filedReview(t, kb, "r2")
	assert.Contains(t, body, "INC-2")
	assert.NotContains(t, body, "INC-1")
}

func TestFileReviewRecordsAFailedIncidentSearch(t *testing.T) {
	a, fake, kb := reviewActivities(t)
	fake.Faults.Push(faults.Fault{Status: http.StatusForbidden})
	_, err := a.FileReview(context.Background(), FileReviewInput{Review: review.Input{ReleaseID: "r3", ReviewedAt: incidentClock}})
	require.NoError(t, err, "the review is filed regardless")
	body := filedReview(t, kb, "r3")
	assert.Contains(t, body, "From Jira, label tollgate-r3: incident search failed: jira incident search for label tollgate-r3: HTTP 403")
	assert.Contains(t, body, "| Change failure | no (incidents unknown: the incident search failed) |")
	assert.NotContains(t, body, "jira-act-token")
}

func TestFileReviewKeepsTheWorkflowsIncidentSource(t *testing.T) {
	a, fake, kb := reviewActivities(t)
	_, err := a.FileReview(context.Background(), FileReviewInput{Review: review.Input{ReleaseID: "r4", ReviewedAt: incidentClock, IncidentSource: "pagerduty"}})
	require.NoError(t, err)
	assert.Contains(t, filedReview(t, kb, "r4"), "No incident linked to the release in pagerduty.")
	assert.Empty(t, fake.Calls(), "Jira is not asked when the input names its source")
}

// contribution is the explanation's line for feature.
func contribution(t *testing.T, explanation, feature string) string {
	t.Helper()
	for line := range strings.Lines(explanation) {
		if strings.HasPrefix(strings.TrimSpace(line), feature+" ") {
			return line
		}
	}
	t.Fatalf("no %s line in\n%s", feature, explanation)
	return ""
}
