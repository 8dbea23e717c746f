package activities

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/archive"
	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// TestArchiveReleaseVerifiesWithoutTheStore archives a release with steps, a review, a known
// issue and sealed audit entries, then verifies the bundle from its bytes and the public key
// alone, after the store is closed and deleted.
func TestArchiveReleaseVerifiesWithoutTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	db := filepath.Join(dir, "tollgate.db")
	st, err := store.OpenSQLite(db)
	require.NoError(t, err)
	au, err := store.OpenAuditSQLite(db, key, store.AuditOptions{})
	require.NoError(t, err)
	spec := release.Spec{Metadata: release.Metadata{ID: "r1", Title: "t", Owner: "alice"}}
	require.NoError(t, st.SaveRelease(ctx, store.ReleaseRecord{ID: "r1", Title: "t", Owner: "alice", Initiator: "erin", Spec: spec, SpecDigest: "sha256:x", StartedAt: at}))
	require.NoError(t, st.RecordStep(ctx, store.StepRecord{Key: StepKey("r1", "staging", "cart", "deploy"), ReleaseID: "r1", Step: "deploy", Output: "deployed cart\n", FinishedAt: at}))
	_, err = st.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeReview, ReleaseID: "r1", Title: "review", Body: "# review\n", HTML: "<h1>review</h1>", CreatedBy: "system", CreatedAt: at})
	require.NoError(t, err)
	_, err = st.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeIssue, ReleaseID: "r1", Title: "slow cart", CreatedBy: "bob", CreatedAt: at})
	require.NoError(t, err)
	for i := int64(1); i <= 3; i++ {
		_, err := au.AppendAudit(ctx, audit.Draft{Time: at, ReleaseID: "r1", WorkflowID: "r1", EventSeq: i, Actor: "system", Kind: audit.KindPhase})
		require.NoError(t, err)
	}
	_, _, err = au.SignAuditCheckpoint(ctx)
	require.NoError(t, err)

	ev := &MemEvidenceStore{}
	evDigest, err := ev.PutEvidence(ctx, []byte(`{"ci":{"all_passed":true}}`))
	require.NoError(t, err)
	a := &Activities{Store: st, Audit: au, EvidenceStore: ev, Archive: ArchiveConfig{Dir: filepath.Join(dir, "archive"), Key: key, Retention: 2160 * time.Hour}}
	status := map[string]any{"releaseId": "r1", "timeline": []map[string]any{{"kind": "started"}}, "approval": map[string]any{"required": 2},
		"readiness": map[string]any{"gates": []map[string]any{{"phase": "readiness", "evidenceDigest": evDigest}}}}
	res, err := a.ArchiveRelease(ctx, ArchiveReleaseInput{ReleaseID: "r1", ClosedAt: at, Status: status})
	require.NoError(t, err)
	require.Equal(t, audit.KeyID(key.Public().(ed25519.PublicKey)), res.KeyID)
	data, err := os.ReadFile(res.Path)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	require.NoError(t, au.Close())
	require.NoError(t, os.Remove(db))

	rep, err := archive.Verify(bytes.NewReader(data), key.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	require.Equal(t, "verified", rep.Proof)
	names := map[string]bool{}
	for _, f := range manifestNames(t, data) {
		names[f] = true
	}
	for _, want := range []string{"spec.json", "status.json", "timeline.json", "approvals.json", "steps/001-staging_cart_deploy.log",
		"steps/index.json", "evidence/readiness.json", "gates/readiness.json", "review/report.md", "review/report.html", "known-issues.json", archive.ProofName} {
		require.True(t, names[want], "bundle lacks %s: %v", want, names)
	}
	require.Equal(t, len(names), res.Files)
}

func manifestNames(t *testing.T, data []byte) []string {
	rep, err := archive.Verify(bytes.NewReader(data), nil)
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	m, err := archive.ReadManifest(bytes.NewReader(data))
	require.NoError(t, err)
	var out []string
	for _, f := range m.Files {
		out = append(out, f.Name)
	}
	return out
}

func TestArchiveReleaseRefusesWithoutKey(t *testing.T) {
	a := &Activities{Archive: ArchiveConfig{Dir: t.TempDir()}}
	_, err := a.ArchiveRelease(context.Background(), ArchiveReleaseInput{ReleaseID: "r1"})
	require.ErrorContains(t, err, "no archive directory or signing key")
}

func TestPruneArchivesRemovesOnlyExpiredBundles(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for name, age := range map[string]time.Duration{"old.tar.gz": 100 * 24 * time.Hour, "new.tar.gz": time.Hour, "keep.txt": 1000 * time.Hour} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
		require.NoError(t, os.Chtimes(p, now.Add(-age), now.Add(-age)))
	}
	a := &Activities{Archive: ArchiveConfig{Dir: dir, Retention: 2160 * time.Hour}}
	res, err := a.PruneArchives(context.Background(), PruneArchivesInput{Now: now})
	require.NoError(t, err)
	require.Equal(t, []string{"old.tar.gz"}, res.Deleted)
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, left, 2)
}
