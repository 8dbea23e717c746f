package activities

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/store"
)

// localChanges is a LocalChanges over a real SQLite store whose clock moves a minute a call.
func localChanges(t *testing.T) (LocalChanges, *store.SQLite, time.Time) {
	t.Helper()
	s, err := store.OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	now := start
	return LocalChanges{Store: s, Now: func() time.Time { now = now.Add(time.Minute); return now }}, s, start
}

func TestLocalStatus(t *testing.T) {
	tests := []struct {
		phase, want string
		ok          bool
	}{
		{"approval", "Awaiting approval", true},
		{"deploying", "Implementing", true},
		{"rolled-back", "Rolled back", true},
		{"closed", "Closed", true},
		{"closed/completed", "Closed (completed)", true},
		{"closed/rolled-back", "Closed (rolled-back)", true},
		{"closed/", "Closed", true},
		{"review", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.phase, func(t *testing.T) {
			got, ok := LocalStatus(tt.phase)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLocalChangesFollowTheRelease(t *testing.T) {
	l, s, start := localChanges(t)
	ctx := context.Background()
	cr := jira.ChangeRequest{ReleaseID: "pay-1", Summary: "Release pay-1", Description: "ledger 2.0", RiskClass: "pending",
		Implementation: "staging then prod", Backout: "tollgate rollback pay-1", Test: "smoke", Services: []string{"ledger"}}

	key, err := l.CreateChange(ctx, cr)
	require.NoError(t, err)
	again, err := l.CreateChange(ctx, cr)
	require.NoError(t, err)
	assert.Equal(t, key, again, "one record per release")
	found, err := l.FindChange(ctx, "pay-1")
	require.NoError(t, err)
	assert.Equal(t, key, found)
	all, err := l.FindChanges(ctx, "pay-1")
	require.NoError(t, err)
	assert.Equal(t, []string{key}, all)
	none, err := l.FindChanges(ctx, "pay-2")
	require.NoError(t, err)
	assert.Empty(t, none)
	status, err := l.Status(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, LocalStatusOpen, status)

	cr.RiskClass, cr.RiskExplanation = "high", "schema migration"
	require.NoError(t, l.UpdateChange(ctx, key, cr))
	for _, phase := range []string{"approval", "deploying", "deploying", "rolled-back", "closed/rolled-back"} {
		moved, err := l.Transition(ctx, key, phase)
		require.NoError(t, err, phase)
		assert.True(t, moved, phase)
	}
	moved, err := l.Transition(ctx, key, "review")
	require.NoError(t, err)
	assert.False(t, moved, "a phase without a status moves nothing")
	require.NoError(t, l.Comment(ctx, key, "pay-1/comment-1", "Approved by ann."))
	require.NoError(t, l.Comment(ctx, key, "pay-1/comment-1", "Approved by ann."), "a retry adds nothing")
	require.NoError(t, l.Comment(ctx, key, "pay-1/comment-2", "Rolled back: gate error-rate failed."))

	rec, err := s.GetChange(ctx, "pay-1")
	require.NoError(t, err)
	assert.Equal(t, "Release pay-1", rec.Summary)
	assert.Equal(t, "ledger 2.0", rec.Description)
	assert.Equal(t, "high", rec.RiskClass)
	assert.Equal(t, "schema migration", rec.RiskExplanation)
	assert.Equal(t, "staging then prod", rec.Implementation)
	assert.Equal(t, "tollgate rollback pay-1", rec.Backout)
	assert.Equal(t, "smoke", rec.TestPlan)
	assert.Equal(t, []string{"ledger"}, rec.Services)
	assert.Equal(t, "Closed (rolled-back)", rec.Status)
	assert.Equal(t, start.Add(time.Minute), rec.CreatedAt)
	var path []string
	for _, tr := range rec.Transitions {
		path = append(path, tr.From+" → "+tr.To)
	}
	assert.Equal(t, []string{"Open → Awaiting approval", "Awaiting approval → Implementing",
		"Implementing → Rolled back", "Rolled back → Closed (rolled-back)"}, path, "the repeated deploying phase is no transition")
	require.Len(t, rec.Comments, 2)
	assert.Equal(t, "Approved by ann.", rec.Comments[0].Body)
	assert.Equal(t, "Rolled back: gate error-rate failed.", rec.Comments[1].Body)
}

func TestLocalChangesErrorsClassify(t *testing.T) {
	l, _, _ := localChanges(t)
	ctx := context.Background()
	_, terr := l.Transition(ctx, "CHG-9", "approval")
	_, serr := l.SearchIncidents(ctx, jira.IncidentQuery{Label: "tollgate-pay-1"})
	_, cerr := l.CreateChange(ctx, jira.ChangeRequest{Summary: "no release"})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown key", terr, `change record "CHG-9": not found`},
		{"comment on unknown key", l.Comment(ctx, "CHG-9", "m", "b"), `change record "CHG-9": not found`},
		{"update unknown key", l.UpdateChange(ctx, "CHG-9", jira.ChangeRequest{}), `change record "CHG-9": not found`},
		{"no incident source", serr, "incidents are not tracked in the local change store"},
		{"no release", cerr, "release ID, status and creation time are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, tt.err, tt.want)
			cls, _ := jira.Classify(tt.err)
			assert.Equal(t, jira.Permanent, cls, "retrying cannot help")
		})
	}
	assert.ErrorIs(t, serr, ErrLocalNoIncidents)
}

// The Jira activities work unchanged over the local tracker, and a permanent local error stops
// Temporal's retries as Jira's 404 would.
func TestJiraActivitiesOverLocalChanges(t *testing.T) {
	l, s, _ := localChanges(t)
	a := &Activities{Jira: JiraConfig{Local: l}}
	assert.Equal(t, Integrations{LocalChanges: true}, a.integrations(), "intake records the local change records")
	ctx := context.Background()
	res, err := a.JiraChangeRequest(ctx, JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err)
	assert.Equal(t, "CHG-1", res.Key)
	require.NoError(t, a.JiraTransition(ctx, JiraTransitionInput{Key: res.Key, Phase: "approval"}))
	require.NoError(t, a.JiraComment(ctx, JiraCommentInput{Key: res.Key, Marker: "r1/comment-1", Body: "Gate readiness: passed."}))
	rec, err := s.GetChange(ctx, res.Key)
	require.NoError(t, err)
	assert.Equal(t, LocalStatusAwaitingApproval, rec.Status)
	require.Len(t, rec.Comments, 1)

	err = a.JiraTransition(ctx, JiraTransitionInput{Key: "CHG-404", Phase: "approval"})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "got %v", err)
	assert.True(t, appErr.NonRetryable())
	assert.Equal(t, ErrJiraRefused, appErr.Type())
}

func TestJiraWinsOverTheLocalChangeRecords(t *testing.T) {
	l, s, _ := localChanges(t)
	fake := jira.NewFake("tollgate", "tok", "Open", jira.FakeChangeWorkflow...)
	t.Cleanup(fake.Close)
	jc, err := jira.New(jira.Options{BaseURL: fake.URL(), User: "tollgate", Token: "tok", Config: jira.Config{Project: "CHG"}})
	require.NoError(t, err)
	a := &Activities{Jira: JiraConfig{Tracker: jc, Local: l}}
	assert.Equal(t, Integrations{Jira: true}, a.integrations())
	_, err = a.JiraChangeRequest(context.Background(), JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1", Summary: "Release r1"}})
	require.NoError(t, err)
	assert.Len(t, fake.Issues(), 1, "the change request is a Jira issue")
	list, err := s.ListChanges(context.Background(), 10)
	require.NoError(t, err)
	assert.Empty(t, list, "and nothing in the local store")

	_, err = (&Activities{}).JiraChangeRequest(context.Background(), JiraChangeRequestInput{Change: jira.ChangeRequest{ReleaseID: "r1"}})
	assert.ErrorContains(t, err, "nor the local change records")
}
