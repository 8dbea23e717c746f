package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKnowledgeBase(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer s.Close()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	issue, err := s.AddKnowledge(ctx, KnowledgeEntry{Kind: KnowledgeIssue, ReleaseID: "r1", Service: "cart", Title: "slow cart", Workaround: "retry", CreatedBy: "bob", CreatedAt: at})
	require.NoError(t, err)
	rev, err := s.AddKnowledge(ctx, KnowledgeEntry{Kind: KnowledgeReview, ReleaseID: "r1", Title: "review", Body: "# r1", CreatedBy: "system", CreatedAt: at})
	require.NoError(t, err)
	again, err := s.AddKnowledge(ctx, KnowledgeEntry{Kind: KnowledgeReview, ReleaseID: "r1", Title: "review", Body: "# r1", CreatedBy: "system", CreatedAt: at})
	require.NoError(t, err)
	require.Equal(t, rev, again, "a retried review filing finds the first")

	open, err := s.ListKnowledge(ctx, KnowledgeFilter{Kind: KnowledgeIssue, Service: "cart", Open: true})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, "retry", open[0].Workaround)
	require.Equal(t, at, open[0].CreatedAt)

	require.NoError(t, s.ResolveKnowledge(ctx, issue, "fixed in 2.0.1", at.Add(time.Hour)))
	open, err = s.ListKnowledge(ctx, KnowledgeFilter{Kind: KnowledgeIssue, Open: true})
	require.NoError(t, err)
	require.Empty(t, open)
	all, err := s.ListKnowledge(ctx, KnowledgeFilter{ReleaseID: "r1"})
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.True(t, all[0].Resolved())
	require.ErrorIs(t, s.ResolveKnowledge(ctx, 999, "x", at), ErrNotFound)
	_, err = s.AddKnowledge(ctx, KnowledgeEntry{Kind: KnowledgeIssue})
	require.Error(t, err)
}

func TestReleaseSteps(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer s.Close()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	require.NoError(t, s.RecordStep(ctx, StepRecord{Key: "b", ReleaseID: "r1", Step: "verify", Output: "ok", FinishedAt: at.Add(time.Minute)}))
	require.NoError(t, s.RecordStep(ctx, StepRecord{Key: "a", ReleaseID: "r1", Step: "deploy", Output: "done", FinishedAt: at}))
	require.NoError(t, s.RecordStep(ctx, StepRecord{Key: "c", ReleaseID: "r2", Step: "deploy", FinishedAt: at}))
	steps, err := s.ReleaseSteps(ctx, "r1")
	require.NoError(t, err)
	require.Len(t, steps, 2)
	require.Equal(t, []string{"deploy", "verify"}, []string{steps[0].Step, steps[1].Step})
}
