package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SQLite is the embedded store: one file, WAL mode, safe for one worker process and its CLI
// readers.
type SQLite struct {
	db *sql.DB
	// The step ledger is on every runbook step's path; prepared once, its statements skip
	// SQLite's parser on each call.
	getStep, putStep *sql.Stmt
}

var _ Store = (*SQLite)(nil)

// ErrSpecConflict means a release ID was recorded before with a different spec.
var ErrSpecConflict = errors.New("release recorded before with a different spec")

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS releases (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	owner       TEXT NOT NULL,
	initiator   TEXT NOT NULL,
	spec        TEXT NOT NULL,
	spec_digest TEXT NOT NULL,
	started_at  INTEGER NOT NULL,
	outcome     TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	closed_at   INTEGER NOT NULL DEFAULT 0,
	status      BLOB
);
CREATE TABLE IF NOT EXISTS steps (
	key         TEXT PRIMARY KEY,
	release_id  TEXT NOT NULL,
	step        TEXT NOT NULL,
	output      TEXT NOT NULL,
	exit_code   INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	finished_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS steps_release ON steps(release_id);
`

// OpenSQLite opens (creating when missing) the store file at path.
func OpenSQLite(path string) (*SQLite, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// One writer at a time is SQLite's model; a single connection avoids SQLITE_BUSY churn.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(sqliteSchema + deployedSchema + locksSchema + changesSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate store %s: %w", path, err)
	}
	s := &SQLite{db: db}
	if s.getStep, err = db.Prepare(`SELECT key, release_id, step, output, exit_code, duration_ms, finished_at FROM steps WHERE key = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare store %s: %w", path, err)
	}
	if s.putStep, err = db.Prepare(`INSERT INTO steps (key, release_id, step, output, exit_code, duration_ms, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare store %s: %w", path, err)
	}
	return s, nil
}

// SaveRelease implements Store.
func (s *SQLite) SaveRelease(ctx context.Context, r ReleaseRecord) error {
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return fmt.Errorf("encode spec of %q: %w", r.ID, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var digest string
	err = tx.QueryRowContext(ctx, `SELECT spec_digest FROM releases WHERE id = ?`, r.ID).Scan(&digest)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO releases (id, title, owner, initiator, spec, spec_digest, started_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Title, r.Owner, r.Initiator, string(spec), r.SpecDigest, r.StartedAt.UnixNano())
		if err != nil {
			return err
		}
	case err != nil:
		return err
	case digest != r.SpecDigest:
		return fmt.Errorf("release %q: %w (recorded %s, now %s)", r.ID, ErrSpecConflict, digest, r.SpecDigest)
	}
	return tx.Commit()
}

// GetRelease implements Store.
func (s *SQLite) GetRelease(ctx context.Context, id string) (ReleaseRecord, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, title, owner, initiator, spec, spec_digest, started_at, outcome, reason, closed_at, status
		FROM releases WHERE id = ?`, id)
	r, err := scanRelease(row)
	if errors.Is(err, sql.ErrNoRows) {
		return ReleaseRecord{}, fmt.Errorf("release %q: %w", id, ErrNotFound)
	}
	return r, err
}

// ListReleases implements Store, newest first.
func (s *SQLite) ListReleases(ctx context.Context, limit int) ([]ReleaseRecord, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, owner, initiator, spec, spec_digest, started_at, outcome, reason, closed_at, status
		FROM releases ORDER BY started_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReleaseRecord
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanRelease(row scanner) (ReleaseRecord, error) {
	var r ReleaseRecord
	var spec string
	var started, closed int64
	if err := row.Scan(&r.ID, &r.Title, &r.Owner, &r.Initiator, &spec, &r.SpecDigest, &started, &r.Outcome, &r.Reason, &closed, &r.Status); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(spec), &r.Spec); err != nil {
		return r, fmt.Errorf("decode spec of %q: %w", r.ID, err)
	}
	r.StartedAt = time.Unix(0, started).UTC()
	if closed != 0 {
		r.ClosedAt = time.Unix(0, closed).UTC()
	}
	return r, nil
}

// CloseRelease implements Store.
func (s *SQLite) CloseRelease(ctx context.Context, c Closing) error {
	res, err := s.db.ExecContext(ctx, `UPDATE releases SET outcome = ?, reason = ?, closed_at = ?, status = ? WHERE id = ?`,
		c.Outcome, c.Reason, c.ClosedAt.UnixNano(), c.Status, c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("release %q: %w", c.ID, ErrNotFound)
	}
	return nil
}

// CompletedStep implements Store.
func (s *SQLite) CompletedStep(ctx context.Context, key string) (StepRecord, bool, error) {
	var r StepRecord
	var finished int64
	err := s.getStep.QueryRowContext(ctx, key).Scan(&r.Key, &r.ReleaseID, &r.Step, &r.Output, &r.ExitCode, &r.DurationMS, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.FinishedAt = time.Unix(0, finished).UTC()
	return r, true, nil
}

// RecordStep implements Store.
func (s *SQLite) RecordStep(ctx context.Context, r StepRecord) error {
	_, err := s.putStep.ExecContext(ctx, r.Key, r.ReleaseID, r.Step, r.Output, r.ExitCode, r.DurationMS, r.FinishedAt.UnixNano())
	return err
}

// Close implements Store.
func (s *SQLite) Close() error { return s.db.Close() }
