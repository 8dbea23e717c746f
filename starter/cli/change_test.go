package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/store"
)

// changeStore writes two change records, the first moved through approval with a comment.
func changeStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tollgate.db")
	s, err := store.OpenSQLite(path)
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	key, err := s.CreateChange(ctx, store.ChangeRecord{ReleaseID: "pay-1", Summary: "Release pay-1", RiskClass: "high",
		RiskExplanation: "schema migration", Implementation: "staging, then prod", Backout: "tollgate rollback pay-1\nrestore backup",
		TestPlan: "smoke", Services: []string{"ledger", "api"}, Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	require.NoError(t, s.SetChangeStatus(ctx, key, "Awaiting approval", at.Add(time.Minute)))
	require.NoError(t, s.AddChangeComment(ctx, key, "pay-1/comment-1", "Approved by ann.", at.Add(2*time.Minute)))
	_, err = s.CreateChange(ctx, store.ChangeRecord{ReleaseID: "pay-2", Summary: "Release pay-2", Status: "Open", CreatedAt: at.Add(time.Hour)})
	require.NoError(t, err)
	return path
}

func TestChangeShow(t *testing.T) {
	db := changeStore(t)
	for _, ref := range []string{"CHG-1", "pay-1"} {
		out, errOut, code := runCLI(t, "change", "show", ref, "--store", db)
		require.Equal(t, 0, code, errOut)
		for _, want := range []string{
			"CHG-1  Release pay-1",
			"release:   pay-1",
			"status:    Awaiting approval",
			"risk:      high — schema migration",
			"services:  ledger, api",
			"Implementation plan:\n  staging, then prod",
			"Backout plan:\n  tollgate rollback pay-1\n  restore backup",
			"Test plan:\n  smoke",
			"2026-03-04T10:01:00Z  Open → Awaiting approval",
			"2026-03-04T10:02:00Z\n    Approved by ann.",
		} {
			assert.Contains(t, out, want, ref)
		}
	}

	out, errOut, code := runCLI(t, "change", "show", "pay-2", "--store", db)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "risk:      -")
	assert.Contains(t, out, "Transitions:\n  none yet")
	assert.NotContains(t, out, "Backout plan:")

	out, errOut, code = runCLI(t, "change", "show", "pay-1", "--store", db, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var rec store.ChangeRecord
	require.NoError(t, json.Unmarshal([]byte(out), &rec))
	assert.Equal(t, "CHG-1", rec.Key)
	assert.Equal(t, []string{"ledger", "api"}, rec.Services)
	require.Len(t, rec.Transitions, 1)
	require.Len(t, rec.Comments, 1)
	assert.Equal(t, "pay-1/comment-1", rec.Comments[0].Marker)
}

func TestChangeList(t *testing.T) {
	db := changeStore(t)
	out, errOut, code := runCLI(t, "change", "list", "--store", db)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^KEY\s+RELEASE\s+STATUS\s+RISK\s+UPDATED\s+SUMMARY$`, lines[0])
	assert.Regexp(t, `^CHG-2\s+pay-2\s+Open\s+-\s+2026-03-04T11:00:00Z\s+Release pay-2$`, lines[1], "newest first")
	assert.Regexp(t, `^CHG-1\s+pay-1\s+Awaiting approval\s+high\s+2026-03-04T10:02:00Z\s+Release pay-1$`, lines[2])

	out, errOut, code = runCLI(t, "change", "list", "--store", db, "--limit", "1", "-o", "json")
	require.Equal(t, 0, code, errOut)
	var recs []store.ChangeRecord
	require.NoError(t, json.Unmarshal([]byte(out), &recs))
	require.Len(t, recs, 1)
	assert.Equal(t, "CHG-2", recs[0].Key)
}

func TestChangeCommandErrors(t *testing.T) {
	db := changeStore(t)
	empty := filepath.Join(t.TempDir(), "empty.db")
	s, err := store.OpenSQLite(empty)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	absent := filepath.Join(t.TempDir(), "absent.db")
	tests := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"unknown record", []string{"change", "show", "CHG-9", "--store", db}, 1, "", `change record "CHG-9": not found`},
		{"absent store", []string{"change", "list", "--store", absent}, 1, "", "change: store " + absent + " does not exist"},
		{"no records", []string{"change", "list", "--store", empty}, 0, "no change records\n", ""},
		{"no records, json", []string{"change", "list", "--store", empty, "-o", "json"}, 0, "[]\n", ""},
		{"show needs a reference", []string{"change", "show", "--store", db}, 1, "", "accepts 1 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, code, errOut)
			assert.Equal(t, tt.out, out)
			assert.Contains(t, errOut, tt.err)
		})
	}
	assert.NoFileExists(t, absent, "a read leaves no empty store behind")
}
