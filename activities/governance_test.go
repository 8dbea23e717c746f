package activities

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
	"github.com/tollgate-dev/tollgate/store"
)

const testCalendar = `
freezes:
  - id: year-end
    reason: year-end freeze
    timeZone: Europe/Berlin
    start: 2026-12-20T00:00
    end: 2027-01-04T00:00
    scope: {environments: [prod-eu]}
windows:
  - name: prod-eu
    environments: [prod-eu]
    timeZone: Europe/Berlin
    days: [Mon, Tue, Wed, Thu]
    start: "22:00"
    end: "02:00"
peak:
  - name: eu-business
    regions: [eu-west]
    timeZone: Europe/Berlin
    days: [Mon, Tue, Wed, Thu, Fri]
    start: "09:00"
    end: "18:00"
`

const testDirectory = `
people:
  - {id: alice, groups: [approvers, cab], roles: [team-lead]}
  - {id: bob, github: bob-gh, groups: [approvers]}
`

func governanceActivities(t *testing.T) *Activities {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	return &Activities{Governance: GovernanceConfig{
		CalendarPath:  write("calendar.yaml", testCalendar),
		DirectoryPath: write("people.yaml", testDirectory),
	}}
}

func TestCheckFreeze(t *testing.T) {
	a := governanceActivities(t)
	tests := []struct {
		name    string
		at      string
		allowed bool
		next    string
		message string
	}{
		{"inside the window", "2026-12-01T23:00:00+01:00", true, "2026-12-01T23:00:00+01:00", "prod-eu may deploy now"},
		{"waits for the window", "2026-12-01T12:00:00+01:00", false, "2026-12-01T22:00:00+01:00",
			"waiting for window prod-eu: opens 2026-12-01 22:00 Europe/Berlin"},
		{"frozen, then the first window after the freeze", "2026-12-21T23:00:00+01:00", false, "2027-01-04T22:00:00+01:00",
			`prod-eu is frozen: freeze "year-end" (year-end freeze) until 2027-01-04 00:00 Europe/Berlin`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tt.at)
			next, _ := time.Parse(time.RFC3339, tt.next)
			res, err := a.CheckFreeze(context.Background(), CheckFreezeInput{ReleaseID: "r1", Environment: "prod-eu", Region: "eu-west",
				Services: []string{"ledger"}, At: at})
			require.NoError(t, err)
			assert.Equal(t, tt.allowed, res.Allowed)
			assert.True(t, next.Equal(res.NextAllowed), "next allowed: want %s, got %s", next, res.NextAllowed)
			assert.Equal(t, tt.message, res.Message)
		})
	}
}

func TestAssessRisk(t *testing.T) {
	a := governanceActivities(t)
	spec := release.Spec{Metadata: release.Metadata{ID: "r1", Owner: "erin"},
		Services:     []release.Service{{Name: "ledger", Owner: "payments", Migration: true}, {Name: "api", Owner: "payments", DependsOn: []string{"ledger"}}},
		Environments: []release.Environment{{Name: "prod-eu", Region: "eu-west", TimeZone: "Europe/Berlin"}}}
	at, _ := time.Parse(time.RFC3339, "2026-12-01T10:00:00+01:00")
	res, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: spec, PlannedAt: at})
	require.NoError(t, err)
	assert.Contains(t, res.Explanation, "unknown (no SCM data)")
	assert.Contains(t, res.Explanation, "inside peak hours")
	assert.Contains(t, res.Explanation, "database migration present")
	assert.Len(t, res.Directory.People, 2)
	assert.Equal(t, res.Assessment.Class != risk.Low, res.Policy.Quorum >= 2)

	spec.Emergency = true
	res, err = a.AssessRisk(context.Background(), AssessRiskInput{Spec: spec, PlannedAt: at, Size: &risk.ChangeSize{Files: 2, Lines: 10}})
	require.NoError(t, err)
	assert.Equal(t, risk.Emergency, res.Assessment.Class)
	assert.True(t, res.Policy.Flagged)
}

func TestAssessRiskBadConfigIsPermanent(t *testing.T) {
	a := governanceActivities(t)
	require.NoError(t, os.WriteFile(a.Governance.CalendarPath, []byte("freezes: [{id: x}]"), 0o600))
	_, err := a.AssessRisk(context.Background(), AssessRiskInput{Spec: release.Spec{}, PlannedAt: time.Now()})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, ErrGovernanceConfig, appErr.Type())
	assert.True(t, appErr.NonRetryable())
}

func TestAppendAuditIdempotent(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	s, err := store.OpenAuditSQLite(filepath.Join(t.TempDir(), "tollgate.db"), key, store.AuditOptions{Interval: 2})
	require.NoError(t, err)
	defer s.Close()
	a := &Activities{Audit: s}
	in := AppendAuditInput{WorkflowID: "r1", EventSeq: 1, ReleaseID: "r1", Time: time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC),
		Actor: "alice", Kind: audit.KindApproval, Reason: "looks good", Payload: map[string]any{"class": "high"}}
	first, err := a.AppendAudit(context.Background(), in)
	require.NoError(t, err)
	again, err := a.AppendAudit(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, first.Seq, again.Seq)
	assert.True(t, again.Existing)

	in.Reason = "changed"
	_, err = a.AppendAudit(context.Background(), in)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, ErrAuditRefused, appErr.Type())

	sealed, err := a.SealAudit(context.Background(), SealAuditInput{ReleaseID: "r1"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, sealed.Seq)
}
