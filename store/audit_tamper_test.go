package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/audit"
)

// attacker opens the store file directly and drops the append-only triggers, as someone with
// write access to the file could.
func attacker(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	for _, trg := range []string{"audit_entries_no_update", "audit_entries_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
		_, err := db.Exec(`DROP TRIGGER ` + trg)
		require.NoError(t, err)
	}
	return db
}

func filledAudit(t *testing.T, n, interval int) (*AuditSQLite, string) {
	s, path := openAudit(t, interval)
	var wg = make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.AppendAudit(context.Background(), auditDraft(fmt.Sprintf("rel-%d", i%4), i))
			wg <- err
		}()
	}
	for range n {
		require.NoError(t, <-wg)
	}
	return s, path
}

func TestAuditTriggersRefuseEdits(t *testing.T) {
	s, _ := filledAudit(t, 3, 10)
	_, err := s.db.Exec(`UPDATE audit_entries SET reason = 'x' WHERE seq = 1`)
	require.ErrorContains(t, err, "append-only")
	_, err = s.db.Exec(`DELETE FROM audit_entries WHERE seq = 1`)
	require.ErrorContains(t, err, "append-only")
}

var tamperColumns = []struct {
	name string
	text bool
}{
	{"seq", false}, {"time", false}, {"release_id", true}, {"workflow_id", true}, {"event_seq", false},
	{"actor", true}, {"kind", true}, {"reason", true}, {"payload_digest", true}, {"prev_hash", true}, {"hash", true},
}

// TestAuditTamperStoredBytes changes one byte of one column of one stored row, 1,000 times
// with a fixed seed, and requires Verify over what the store reads back to name that entry.
// A change the database refuses (a seq or idempotency key that collides) is drawn again: the
// attacker cannot make it either.
func TestAuditTamperStoredBytes(t *testing.T) {
	const n = 120
	s, path := filledAudit(t, n, 25)
	db := attacker(t, path)
	r := rand.New(rand.NewPCG(1, 5))
	ctx := context.Background()
	for round := 0; round < 1000; {
		seq := int64(1 + r.IntN(n))
		col := tamperColumns[r.IntN(len(tamperColumns))]
		var orig any
		require.NoError(t, db.QueryRow(`SELECT `+col.name+` FROM audit_entries WHERE seq = ?`, seq).Scan(&orig))
		changed := flipByte(r, orig, col.text)
		if _, err := db.Exec(`UPDATE audit_entries SET `+col.name+` = ? WHERE seq = ?`, changed, seq); err != nil {
			continue // a collision the database refuses
		}
		where := seq
		if col.name == "seq" {
			where = changed.(int64)
		}
		entries, err := s.AuditEntries(ctx, -1<<62, 0)
		require.NoError(t, err)
		cps, err := s.AuditCheckpoints(ctx)
		require.NoError(t, err)
		rep := audit.Verify(entries, cps, auditPub())
		require.False(t, rep.OK(), "round %d: change of %s of seq %d undetected", round, col.name, seq)
		assert.Equal(t, seq, rep.Problems[0].Seq, "round %d: change of %s of seq %d: %v", round, col.name, seq, rep.Problems[0])
		_, err = db.Exec(`UPDATE audit_entries SET `+col.name+` = ? WHERE seq = ?`, orig, where)
		require.NoError(t, err)
		round++
	}
	entries, cps := readAll(t, s)
	require.True(t, audit.Verify(entries, cps, auditPub()).OK(), "restored log verifies")
}

func flipByte(r *rand.Rand, v any, text bool) any {
	x := byte(1 + r.IntN(255))
	if !text {
		return v.(int64) ^ int64(uint64(x)<<(8*r.IntN(8)))
	}
	b := []byte(v.(string))
	if len(b) == 0 {
		return string([]byte{x})
	}
	k := r.IntN(len(b))
	b[k] ^= x
	return string(b)
}

func TestAuditTamperStoredStructure(t *testing.T) {
	tests := []struct {
		name  string
		sql   []string
		forge func(t *testing.T, s *AuditSQLite, db *sql.DB)
		kind  audit.ProblemKind
		first int64
	}{
		{"delete entry 40", []string{`DELETE FROM audit_entries WHERE seq = 40`}, nil, audit.Removed, 40},
		{"swap 10 and 11", []string{
			`UPDATE audit_entries SET seq = -10 WHERE seq = 10`,
			`UPDATE audit_entries SET seq = 10 WHERE seq = 11`,
			`UPDATE audit_entries SET seq = 11 WHERE seq = -10`}, nil, audit.Altered, 10},
		{"insert a linked entry after 30 and renumber", []string{
			`UPDATE audit_entries SET seq = seq + 1000 WHERE seq > 30`,
			`UPDATE audit_entries SET seq = seq - 999 WHERE seq > 1000`}, insertForged(30),
			audit.Inserted, 31},
		{"insert an unlinked row after 30", []string{
			`UPDATE audit_entries SET seq = seq + 1000 WHERE seq > 30`,
			`UPDATE audit_entries SET seq = seq - 999 WHERE seq > 1000`,
			`INSERT INTO audit_entries SELECT 31, time, release_id, workflow_id, 9999, 'mallory', kind, 'inserted', payload_digest, hash, hash FROM audit_entries WHERE seq = 30`},
			nil, audit.Altered, 31},
		{"truncate below the last checkpoint", []string{`DELETE FROM audit_entries WHERE seq > 90`}, nil, audit.Truncated, 91},
		{"truncate and drop checkpoints", []string{`DELETE FROM audit_entries WHERE seq > 80`, `DELETE FROM audit_checkpoints WHERE seq > 50`},
			nil, audit.CheckpointProblem, 75},
		{"delete a middle checkpoint", []string{`DELETE FROM audit_checkpoints WHERE seq = 50`}, nil, audit.CheckpointProblem, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := filledAudit(t, 120, 25)
			db := attacker(t, path)
			for _, q := range tt.sql {
				_, err := db.Exec(q)
				require.NoError(t, err, q)
			}
			if tt.forge != nil {
				tt.forge(t, s, db)
			}
			entries, cps := readAll(t, s)
			rep := audit.Verify(entries, cps, auditPub())
			require.False(t, rep.OK(), "undetected")
			assert.Equal(t, tt.kind, rep.Problems[0].Kind, "%v", rep.Problems)
			assert.Equal(t, tt.first, rep.Problems[0].Seq, "%v", rep.Problems)
		})
	}
}

// insertForged writes a self-consistent entry linked to entry after, as an attacker without the
// key but with the code would.
func insertForged(after int64) func(t *testing.T, s *AuditSQLite, db *sql.DB) {
	return func(t *testing.T, s *AuditSQLite, db *sql.DB) {
		prev, err := s.AuditEntries(context.Background(), after, after)
		require.NoError(t, err)
		require.Len(t, prev, 1)
		d := auditDraft("rel-0", 9999)
		d.Actor, d.Reason = "mallory", "looks legitimate"
		e := audit.Next(&prev[0], d)
		_, err = db.Exec(`INSERT INTO audit_entries (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Time.UnixNano(),
			e.ReleaseID, e.WorkflowID, e.EventSeq, e.Actor, e.Kind, e.Reason, e.PayloadDigest, e.PrevHash, e.Hash)
		require.NoError(t, err)
	}
}

// BenchmarkAuditAppendParallel appends from 64 concurrent callers, as a busy worker's
// activities do; each append is fsynced before it returns (group commit).
func BenchmarkAuditAppendParallel(b *testing.B) {
	s, _ := openAudit(b, audit.DefaultCheckpointInterval)
	var next int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(atomic.AddInt64(&next, 1))
			if _, err := s.AppendAudit(context.Background(), auditDraft("bench", i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkAuditAppendSequential is one caller appending one entry at a time: one fsync each.
func BenchmarkAuditAppendSequential(b *testing.B) {
	s, _ := openAudit(b, audit.DefaultCheckpointInterval)
	i := 0
	for b.Loop() {
		i++
		if _, err := s.AppendAudit(context.Background(), auditDraft("bench", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "entries/s")
}
