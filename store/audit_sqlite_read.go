package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/audit"
)

// AuditEntries implements AuditStore.
func (s *AuditSQLite) AuditEntries(ctx context.Context, from, to int64) ([]audit.Entry, error) {
	if to <= 0 {
		to = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries WHERE seq >= ? AND seq <= ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read audit entries %d–%d: %w", from, to, err)
	}
	return scanEntries(rows)
}

// AuditReleaseEntries implements AuditStore.
func (s *AuditSQLite) AuditReleaseEntries(ctx context.Context, releaseID string) ([]audit.Entry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries WHERE release_id = ? ORDER BY seq`, releaseID)
	if err != nil {
		return nil, fmt.Errorf("read audit entries of release %q: %w", releaseID, err)
	}
	return scanEntries(rows)
}

// AuditCheckpoints implements AuditStore.
func (s *AuditSQLite) AuditCheckpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, hash, prev_seq, interval_n, time, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	var out []audit.Checkpoint
	for rows.Next() {
		var c audit.Checkpoint
		var at int64
		if err := rows.Scan(&c.Seq, &c.Hash, &c.PrevSeq, &c.Interval, &at, &c.KeyID, &c.Signature); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		c.Time = time.Unix(0, at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanEntries(rows *sql.Rows) ([]audit.Entry, error) {
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("read audit entries: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEntry(row scanner) (audit.Entry, error) {
	var e audit.Entry
	var at int64
	err := row.Scan(&e.Seq, &at, &e.ReleaseID, &e.WorkflowID, &e.EventSeq, &e.Actor, &e.Kind, &e.Reason, &e.PayloadDigest, &e.PrevHash, &e.Hash)
	e.Time = time.Unix(0, at).UTC()
	return e, err
}
