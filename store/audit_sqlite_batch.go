package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/audit"
)

// auditKey is the idempotency key of an append.
type auditKey struct {
	workflowID string
	eventSeq   int64
}

// batchTx is the state of one group commit.
type batchTx struct {
	tx     *sql.Tx
	head   *audit.Entry
	lastCP int64
}

// commit writes a batch in one transaction and answers every request after it commits.
func (s *AuditSQLite) commit(batch []*auditReq) {
	ctx := context.Background() // the callers' contexts must not abort each other's appends
	resps := make([]auditResp, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.done <- auditResp{err: err}
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("audit append: %w", err))
		return
	}
	defer tx.Rollback()
	b := &batchTx{tx: tx}
	if b.head, err = lastEntry(ctx, tx); err != nil {
		fail(err)
		return
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints`).Scan(&b.lastCP); err != nil {
		fail(fmt.Errorf("audit append: read last checkpoint: %w", err))
		return
	}
	inBatch := make(map[auditKey]int)
	for i, r := range batch {
		if r.checkpoint {
			resps[i].cp, err = s.checkpoint(ctx, b, true)
		} else {
			resps[i], err = s.appendOne(ctx, b, r.draft, inBatch, resps, i)
		}
		if err != nil && !errors.Is(err, ErrAuditConflict) {
			fail(err)
			return
		}
		resps[i].err = err
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("audit append: commit: %w", err))
		return
	}
	for i, r := range batch {
		r.done <- resps[i]
	}
}

// appendOne appends one draft inside the batch, or finds it written before.
func (s *AuditSQLite) appendOne(ctx context.Context, b *batchTx, d audit.Draft, inBatch map[auditKey]int, resps []auditResp, i int) (auditResp, error) {
	key := auditKey{d.WorkflowID, d.EventSeq}
	if j, ok := inBatch[key]; ok {
		return sameOrConflict(resps[j].res.Entry, d)
	}
	prior, found, err := entryByKey(ctx, b.tx, key)
	if err != nil {
		return auditResp{}, err
	}
	if found {
		return sameOrConflict(prior, d)
	}
	e := audit.Next(b.head, d)
	_, err = b.tx.ExecContext(ctx, `INSERT INTO audit_entries (seq, time, release_id, workflow_id, event_seq, actor, kind, reason, payload_digest, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Time.UnixNano(), e.ReleaseID, e.WorkflowID, e.EventSeq, e.Actor, e.Kind,
		e.Reason, e.PayloadDigest, e.PrevHash, e.Hash)
	if err != nil {
		return auditResp{}, fmt.Errorf("audit append %s/%d: %w", d.WorkflowID, d.EventSeq, err)
	}
	b.head = &e
	inBatch[key] = i
	res := auditResp{res: AppendResult{Entry: e}}
	if e.Seq-b.lastCP >= int64(s.interval) {
		if res.res.Checkpoint, err = s.checkpoint(ctx, b, false); err != nil {
			return auditResp{}, err
		}
	}
	return res, nil
}

// checkpoint signs the head. forced checkpoints use the clock; interval checkpoints use the
// entry's own time, so the same log always yields the same checkpoints.
func (s *AuditSQLite) checkpoint(ctx context.Context, b *batchTx, forced bool) (*audit.Checkpoint, error) {
	if b.head == nil || b.head.Seq == b.lastCP {
		return nil, nil
	}
	at := b.head.Time
	if forced {
		at = s.now()
	}
	c := audit.SignCheckpoint(s.key, *b.head, b.lastCP, s.interval, at)
	_, err := b.tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, prev_seq, interval_n, time, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Seq, c.Hash, c.PrevSeq, c.Interval, c.Time.UnixNano(), c.KeyID, c.Signature)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint at seq %d: %w", c.Seq, err)
	}
	b.lastCP = c.Seq
	return &c, nil
}

func sameOrConflict(prior audit.Entry, d audit.Draft) (auditResp, error) {
	if !prior.Draft.Same(d) {
		return auditResp{}, fmt.Errorf("audit entry %s/%d (seq %d, %s by %s): %w", d.WorkflowID, d.EventSeq, prior.Seq, prior.Kind, prior.Actor, ErrAuditConflict)
	}
	return auditResp{res: AppendResult{Entry: prior, Existing: true}}, nil
}

const auditColumns = `seq, time, release_id, workflow_id, event_seq, actor, kind, reason, payload_digest, prev_hash, hash`

func lastEntry(ctx context.Context, tx *sql.Tx) (*audit.Entry, error) {
	e, err := scanEntry(tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_entries ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit append: read head: %w", err)
	}
	return &e, nil
}

func entryByKey(ctx context.Context, tx *sql.Tx, k auditKey) (audit.Entry, bool, error) {
	e, err := scanEntry(tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_entries WHERE workflow_id = ? AND event_seq = ?`, k.workflowID, k.eventSeq))
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("audit append %s/%d: %w", k.workflowID, k.eventSeq, err)
	}
	return e, true, nil
}
