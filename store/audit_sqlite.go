package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/audit"
)

// AuditOptions tune the SQLite audit store.
type AuditOptions struct {
	// Interval is how many entries may follow a checkpoint before the next is signed
	// (default audit.DefaultCheckpointInterval).
	Interval int
	// MaxBatch bounds how many concurrent appends share one transaction (default 256).
	MaxBatch int
	// Now stamps forced checkpoints; default time.Now.
	Now func() time.Time
}

// AuditSQLite is the audit trail in the SQLite store file.
//
// Durability: its connections run with synchronous=FULL, so a transaction is fsynced before
// Append returns (the release store's NORMAL would survive a process crash but not a power
// cut). An fsync costs milliseconds, so appends are group-committed: one writer goroutine takes
// every append waiting at that moment into one transaction and answers each caller only after
// the commit. A lone caller pays one fsync per append; concurrent callers share it.
type AuditSQLite struct {
	db       *sql.DB
	key      ed25519.PrivateKey
	interval int
	maxBatch int
	now      func() time.Time
	reqs     chan *auditReq
	quit     chan struct{}
	stopped  chan struct{}
	once     sync.Once
}

var _ AuditStore = (*AuditSQLite)(nil)

// ErrAuditClosed is returned by appends after Close.
var ErrAuditClosed = errors.New("audit store closed")

const auditSchema = `
CREATE TABLE IF NOT EXISTS audit_entries (
	seq            INTEGER PRIMARY KEY,
	time           INTEGER NOT NULL,
	release_id     TEXT NOT NULL,
	workflow_id    TEXT NOT NULL,
	event_seq      INTEGER NOT NULL,
	actor          TEXT NOT NULL,
	kind           TEXT NOT NULL,
	reason         TEXT NOT NULL,
	payload_digest TEXT NOT NULL,
	prev_hash      TEXT NOT NULL,
	hash           TEXT NOT NULL,
	UNIQUE (workflow_id, event_seq)
);
CREATE INDEX IF NOT EXISTS audit_entries_release ON audit_entries(release_id, seq);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
	seq        INTEGER PRIMARY KEY,
	hash       TEXT NOT NULL,
	prev_seq   INTEGER NOT NULL,
	interval_n INTEGER NOT NULL,
	time       INTEGER NOT NULL,
	key_id     TEXT NOT NULL,
	signature  TEXT NOT NULL
);
-- Append-only by construction: a mistaken UPDATE or DELETE fails loudly. Someone with the file
-- can drop these; the hash chain and the signed checkpoints are what detect that.
CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
	BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
	BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
	BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
	BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
`

// OpenAuditSQLite opens the audit trail in the store file at path (creating its tables). key
// may be nil for a read-only store: appends then fail with ErrNoAuditKey.
func OpenAuditSQLite(path string, key ed25519.PrivateKey, opt AuditOptions) (*AuditSQLite, error) {
	if opt.Interval == 0 {
		opt.Interval = audit.DefaultCheckpointInterval
	}
	if opt.Interval < 1 || opt.Interval > audit.MaxCheckpointInterval {
		return nil, fmt.Errorf("audit store %s: checkpoint interval %d: want 1–%d", path, opt.Interval, audit.MaxCheckpointInterval)
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open audit store %s: %w", path, err)
	}
	// One connection: the writer goroutine and readers take turns, as SQLite wants anyway.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(auditSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate audit store %s: %w", path, err)
	}
	s := &AuditSQLite{db: db, key: key, interval: opt.Interval, maxBatch: opt.MaxBatch, now: opt.Now,
		reqs: make(chan *auditReq, opt.MaxBatch), quit: make(chan struct{}), stopped: make(chan struct{})}
	go s.writer()
	return s, nil
}

// auditReq is one append (or forced checkpoint) waiting for the writer.
type auditReq struct {
	draft      audit.Draft
	checkpoint bool
	done       chan auditResp
}

type auditResp struct {
	res AppendResult
	cp  *audit.Checkpoint
	err error
}

// AppendAudit implements AuditStore.
func (s *AuditSQLite) AppendAudit(ctx context.Context, d audit.Draft) (AppendResult, error) {
	if err := checkDraft(d); err != nil {
		return AppendResult{}, err
	}
	if s.key == nil {
		return AppendResult{}, ErrNoAuditKey
	}
	r, err := s.submit(ctx, &auditReq{draft: d})
	return r.res, err
}

// SignAuditCheckpoint implements AuditStore.
func (s *AuditSQLite) SignAuditCheckpoint(ctx context.Context) (audit.Checkpoint, bool, error) {
	if s.key == nil {
		return audit.Checkpoint{}, false, ErrNoAuditKey
	}
	r, err := s.submit(ctx, &auditReq{checkpoint: true})
	if err != nil || r.cp == nil {
		return audit.Checkpoint{}, false, err
	}
	return *r.cp, true, nil
}

// submit hands a request to the writer and waits for its commit. A caller whose context ends
// first gets the context's error; the append may still commit, which a retry then finds.
func (s *AuditSQLite) submit(ctx context.Context, req *auditReq) (auditResp, error) {
	req.done = make(chan auditResp, 1)
	select {
	case s.reqs <- req:
	case <-s.quit:
		return auditResp{}, ErrAuditClosed
	case <-ctx.Done():
		return auditResp{}, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r, r.err
	case <-s.stopped:
		return auditResp{}, ErrAuditClosed
	case <-ctx.Done():
		return auditResp{}, ctx.Err()
	}
}

// DraftError is an append refused because the draft lacks a required field; retrying the same
// draft cannot succeed.
type DraftError struct{ msg string }

// Error implements error.
func (e *DraftError) Error() string { return e.msg }

func checkDraft(d audit.Draft) error {
	var msg string
	switch {
	case d.WorkflowID == "":
		msg = "audit entry: workflowId is required (it is half of the idempotency key)"
	case d.ReleaseID == "":
		msg = fmt.Sprintf("audit entry %s/%d: releaseId is required", d.WorkflowID, d.EventSeq)
	case d.Kind == "":
		msg = fmt.Sprintf("audit entry %s/%d: kind is required", d.WorkflowID, d.EventSeq)
	case d.Actor == "":
		msg = fmt.Sprintf("audit entry %s/%d: actor is required (use \"system\" for Tollgate itself)", d.WorkflowID, d.EventSeq)
	case d.Time.IsZero():
		msg = fmt.Sprintf("audit entry %s/%d: time is required", d.WorkflowID, d.EventSeq)
	default:
		return nil
	}
	return &DraftError{msg}
}

// writer is the single goroutine that writes: it drains every waiting request into one batch.
func (s *AuditSQLite) writer() {
	defer close(s.stopped)
	for {
		var batch []*auditReq
		select {
		case r := <-s.reqs:
			batch = append(batch, r)
		case <-s.quit:
			return
		}
	drain:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commit(batch)
	}
}

// Close implements AuditStore: it stops the writer after the batch in flight.
func (s *AuditSQLite) Close() error {
	s.once.Do(func() { close(s.quit) })
	<-s.stopped
	return s.db.Close()
}
