package store

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/audit"
)

func auditKey0() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte("tollgate-store-audit-test-seed32"))
}

func auditPub() ed25519.PublicKey { return auditKey0().Public().(ed25519.PublicKey) }

var auditT0 = time.Date(2026, 11, 3, 22, 15, 0, 0, time.UTC)

func auditDraft(wf string, i int) audit.Draft {
	return audit.Draft{
		Time: auditT0.Add(time.Duration(i) * time.Millisecond), ReleaseID: wf, WorkflowID: wf, EventSeq: int64(i),
		Actor: "bob", Kind: audit.KindGate, Reason: fmt.Sprintf("gate %d passed", i), PayloadDigest: fmt.Sprintf("sha256:%064x", i),
	}
}

func openAudit(t testing.TB, interval int) (*AuditSQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tollgate.db")
	s, err := OpenAuditSQLite(path, auditKey0(), AuditOptions{Interval: interval})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

func readAll(t testing.TB, s AuditStore) ([]audit.Entry, []audit.Checkpoint) {
	t.Helper()
	entries, err := s.AuditEntries(context.Background(), 1, 0)
	require.NoError(t, err)
	cps, err := s.AuditCheckpoints(context.Background())
	require.NoError(t, err)
	return entries, cps
}

func TestAuditAppendIsIdempotent(t *testing.T) {
	s, _ := openAudit(t, 10)
	ctx := context.Background()
	first, err := s.AppendAudit(ctx, auditDraft("rel-1", 1))
	require.NoError(t, err)
	assert.False(t, first.Existing)
	again, err := s.AppendAudit(ctx, auditDraft("rel-1", 1))
	require.NoError(t, err)
	assert.True(t, again.Existing)
	assert.Equal(t, first.Entry, again.Entry)

	changed := auditDraft("rel-1", 1)
	changed.Reason = "something else"
	_, err = s.AppendAudit(ctx, changed)
	require.ErrorIs(t, err, ErrAuditConflict)

	entries, _ := readAll(t, s)
	assert.Len(t, entries, 1)
}

// TestAuditConcurrentRetries appends every event from several goroutines at once, as
// retried activities on several workers would: each event is written exactly once.
func TestAuditConcurrentRetries(t *testing.T) {
	s, _ := openAudit(t, 7)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 50 {
				_, err := s.AppendAudit(context.Background(), auditDraft("rel-2", i))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	entries, cps := readAll(t, s)
	assert.Len(t, entries, 50)
	rep := audit.Verify(entries, cps, auditPub())
	require.True(t, rep.OK(), "%v", rep.Problems)
	assert.Len(t, cps, 50/7)
}

func TestAuditCheckpointsAndReopen(t *testing.T) {
	s, path := openAudit(t, 10)
	ctx := context.Background()
	for i := range 35 {
		_, err := s.AppendAudit(ctx, auditDraft("rel-3", i))
		require.NoError(t, err)
	}
	_, cps := readAll(t, s)
	require.Len(t, cps, 3)
	assert.EqualValues(t, []int64{10, 20, 30}, []int64{cps[0].Seq, cps[1].Seq, cps[2].Seq})

	c, ok, err := s.SignAuditCheckpoint(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.EqualValues(t, 35, c.Seq)
	_, ok, err = s.SignAuditCheckpoint(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "a checkpoint at the head exists already")
	require.NoError(t, s.Close())

	s2, err := OpenAuditSQLite(path, auditKey0(), AuditOptions{Interval: 10})
	require.NoError(t, err)
	defer s2.Close()
	for i := 35; i < 47; i++ {
		_, err := s2.AppendAudit(ctx, auditDraft("rel-3", i))
		require.NoError(t, err)
	}
	entries, cps := readAll(t, s2)
	rep := audit.Verify(entries, cps, auditPub())
	require.True(t, rep.OK(), "%v", rep.Problems)
	assert.EqualValues(t, 45, rep.Head.Seq)
}

func TestAuditReadOnlyRefusesAppends(t *testing.T) {
	_, path := openAudit(t, 10)
	ro, err := OpenAuditSQLite(path, nil, AuditOptions{})
	require.NoError(t, err)
	defer ro.Close()
	_, err = ro.AppendAudit(context.Background(), auditDraft("rel-4", 1))
	require.ErrorIs(t, err, ErrNoAuditKey)
}

func TestAuditDraftValidation(t *testing.T) {
	s, _ := openAudit(t, 10)
	d := auditDraft("rel-5", 1)
	d.WorkflowID = ""
	_, err := s.AppendAudit(context.Background(), d)
	require.ErrorContains(t, err, "workflowId is required")
}

func TestReleaseProof(t *testing.T) {
	s, _ := openAudit(t, 5)
	ctx := context.Background()
	for i := range 12 {
		wf := []string{"rel-a", "rel-b"}[i%2]
		if i >= 10 {
			wf = "rel-b"
		}
		_, err := s.AppendAudit(ctx, auditDraft(wf, i))
		require.NoError(t, err)
	}
	p, err := ReleaseProof(ctx, s, "rel-a")
	require.NoError(t, err)
	assert.Len(t, p.Entries, 5, "rel-a has seq 1,3,5,7,9 covered by the checkpoint at 10")
	require.NoError(t, audit.VerifyProof(p, auditPub()))

	p.Entries[1].Reason = "edited"
	require.ErrorContains(t, audit.VerifyProof(p, auditPub()), "was altered")

	p, err = ReleaseProof(ctx, s, "rel-b")
	require.NoError(t, err)
	require.ErrorIs(t, audit.VerifyProof(p, auditPub()), audit.ErrNotCovered, "seq 12 is not signed yet")
}
