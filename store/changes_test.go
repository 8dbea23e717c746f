package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openChanges(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestChangeRecordLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openChanges(t)
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	rec := ChangeRecord{ReleaseID: "pay-1", Summary: "Release pay-1", RiskClass: "pending", Implementation: "waves",
		Services: []string{"ledger", "api"}, Status: "Open", CreatedAt: at}

	key, err := s.CreateChange(ctx, rec)
	require.NoError(t, err)
	assert.Equal(t, "CHG-1", key)
	again, err := s.CreateChange(ctx, rec)
	require.NoError(t, err)
	assert.Equal(t, key, again, "a retried create finds the release's record")
	other, err := s.CreateChange(ctx, ChangeRecord{ReleaseID: "pay-2", Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	assert.Equal(t, "CHG-2", other)

	found, err := s.FindChange(ctx, "pay-1")
	require.NoError(t, err)
	assert.Equal(t, key, found)
	found, err = s.FindChange(ctx, "absent")
	require.NoError(t, err)
	assert.Empty(t, found)

	rec.RiskClass, rec.RiskExplanation, rec.Backout, rec.TestPlan = "high", "migrations", "roll back", "smoke"
	require.NoError(t, s.UpdateChange(ctx, key, rec, at.Add(time.Minute)))

	require.NoError(t, s.SetChangeStatus(ctx, key, "Awaiting approval", at.Add(2*time.Minute)))
	require.NoError(t, s.SetChangeStatus(ctx, key, "Awaiting approval", at.Add(3*time.Minute)), "a retry is a no-op")
	require.NoError(t, s.SetChangeStatus(ctx, key, "Implementing", at.Add(4*time.Minute)))
	status, err := s.ChangeStatus(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, "Implementing", status)

	require.NoError(t, s.AddChangeComment(ctx, key, "pay-1/comment-1", "approved by ann", at.Add(5*time.Minute)))
	require.NoError(t, s.AddChangeComment(ctx, key, "pay-1/comment-1", "approved by ann", at.Add(6*time.Minute)), "a retry is a no-op")
	require.NoError(t, s.AddChangeComment(ctx, key, "", "unmarked", at.Add(7*time.Minute)))
	require.NoError(t, s.AddChangeComment(ctx, key, "", "unmarked", at.Add(8*time.Minute)))
	require.NoError(t, s.AddChangeComment(ctx, other, "pay-1/comment-1", "same marker, other record", at))

	for _, ref := range []string{key, "pay-1"} {
		got, err := s.GetChange(ctx, ref)
		require.NoError(t, err, ref)
		assert.Equal(t, key, got.Key)
		assert.Equal(t, "high", got.RiskClass)
		assert.Equal(t, "migrations", got.RiskExplanation)
		assert.Equal(t, "roll back", got.Backout)
		assert.Equal(t, "smoke", got.TestPlan)
		assert.Equal(t, []string{"ledger", "api"}, got.Services)
		assert.Equal(t, "Implementing", got.Status)
		assert.Equal(t, at, got.CreatedAt)
		assert.Equal(t, at.Add(8*time.Minute), got.UpdatedAt, "comments move updated_at")
		assert.Equal(t, []ChangeTransition{
			{From: "Open", To: "Awaiting approval", At: at.Add(2 * time.Minute)},
			{From: "Awaiting approval", To: "Implementing", At: at.Add(4 * time.Minute)},
		}, got.Transitions)
		assert.Equal(t, []ChangeComment{
			{Marker: "pay-1/comment-1", Body: "approved by ann", At: at.Add(5 * time.Minute)},
			{Body: "unmarked", At: at.Add(7 * time.Minute)},
			{Body: "unmarked", At: at.Add(8 * time.Minute)},
		}, got.Comments)
	}

	list, err := s.ListChanges(ctx, 0)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"CHG-2", "CHG-1"}, []string{list[0].Key, list[1].Key}, "newest first")
	assert.Equal(t, []string{}, list[0].Services)
	list, err = s.ListChanges(ctx, 1)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestChangeRecordErrors(t *testing.T) {
	ctx := context.Background()
	s := openChanges(t)
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"create without release", func() error {
			_, err := s.CreateChange(ctx, ChangeRecord{Status: "Open", CreatedAt: at})
			return err
		}, "release ID, status and creation time are required"},
		{"create without status", func() error {
			_, err := s.CreateChange(ctx, ChangeRecord{ReleaseID: "r", CreatedAt: at})
			return err
		}, "release ID, status and creation time are required"},
		{"update unknown", func() error { return s.UpdateChange(ctx, "CHG-9", ChangeRecord{}, at) }, `change record "CHG-9": not found`},
		{"status of unknown", func() error { _, err := s.ChangeStatus(ctx, "CHG-9"); return err }, `change record "CHG-9": not found`},
		{"set status of unknown", func() error { return s.SetChangeStatus(ctx, "CHG-9", "Closed", at) }, `change record "CHG-9": not found`},
		{"set empty status", func() error { return s.SetChangeStatus(ctx, "CHG-9", "", at) }, "status is required"},
		{"comment on unknown", func() error { return s.AddChangeComment(ctx, "CHG-9", "m", "b", at) }, `change record "CHG-9": not found`},
		{"get unknown", func() error { _, err := s.GetChange(ctx, "nope"); return err }, `change record "nope": not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := s.GetChange(ctx, "CHG-9")
	require.ErrorIs(t, err, ErrNotFound)
}

// A release named like another record's key must not shadow that key.
func TestGetChangePrefersKey(t *testing.T) {
	ctx := context.Background()
	s := openChanges(t)
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	first, err := s.CreateChange(ctx, ChangeRecord{ReleaseID: "CHG-2", Summary: "odd name", Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	second, err := s.CreateChange(ctx, ChangeRecord{ReleaseID: "pay-1", Summary: "second", Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	require.Equal(t, "CHG-1", first)
	require.Equal(t, "CHG-2", second)
	got, err := s.GetChange(ctx, "CHG-2")
	require.NoError(t, err)
	assert.Equal(t, "second", got.Summary)
}

// Reopening a store keeps its records and numbering: the schema is created only when missing.
func TestChangeRecordsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	s, err := OpenSQLite(path)
	require.NoError(t, err)
	_, err = s.CreateChange(ctx, ChangeRecord{ReleaseID: "a", Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = OpenSQLite(path)
	require.NoError(t, err)
	defer s.Close()
	key, err := s.CreateChange(ctx, ChangeRecord{ReleaseID: "b", Status: "Open", CreatedAt: at})
	require.NoError(t, err)
	assert.Equal(t, "CHG-2", key)
}
