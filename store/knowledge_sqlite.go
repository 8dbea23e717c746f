package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	_ Knowledge  = (*SQLite)(nil)
	_ StepLister = (*SQLite)(nil)
)

// knowledgeSchema is created on first use, so stores opened by older builds gain it.
const knowledgeSchema = `
CREATE TABLE IF NOT EXISTS knowledge (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	release_id  TEXT NOT NULL DEFAULT '',
	service     TEXT NOT NULL DEFAULT '',
	title       TEXT NOT NULL,
	body        TEXT NOT NULL,
	html        TEXT NOT NULL DEFAULT '',
	workaround  TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER NOT NULL DEFAULT 0,
	resolution  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS knowledge_release ON knowledge(release_id);
CREATE UNIQUE INDEX IF NOT EXISTS knowledge_one_per_release ON knowledge(release_id, kind) WHERE kind IN ('review', 'handoff');
`

func (s *SQLite) ensureKnowledge(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, knowledgeSchema); err != nil {
		return fmt.Errorf("knowledge base: migrate: %w", err)
	}
	return nil
}

// AddKnowledge implements Knowledge.
func (s *SQLite) AddKnowledge(ctx context.Context, e KnowledgeEntry) (int64, error) {
	if e.Kind == "" || e.Title == "" {
		return 0, errors.New("knowledge entry: kind and title are required")
	}
	if err := s.ensureKnowledge(ctx); err != nil {
		return 0, err
	}
	if e.Kind == KnowledgeReview || e.Kind == KnowledgeHandoff {
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT id FROM knowledge WHERE kind = ? AND release_id = ?`, e.Kind, e.ReleaseID).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if e.Kind == KnowledgeAPI {
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT id FROM knowledge WHERE kind = ? AND service = ? AND title = ?`, e.Kind, e.Service, e.Title).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO knowledge (kind, release_id, service, title, body, html, workaround, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Kind, e.ReleaseID, e.Service, e.Title, e.Body, e.HTML, e.Workaround, e.CreatedBy, e.CreatedAt.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("knowledge entry %q: %w", e.Title, err)
	}
	return res.LastInsertId()
}

// ListKnowledge implements Knowledge.
func (s *SQLite) ListKnowledge(ctx context.Context, f KnowledgeFilter) ([]KnowledgeEntry, error) {
	if err := s.ensureKnowledge(ctx); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	for col, v := range map[string]string{"kind": f.Kind, "release_id": f.ReleaseID, "service": f.Service} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	if f.Open {
		where = append(where, "resolved_at = 0")
	}
	q := `SELECT id, kind, release_id, service, title, body, html, workaround, created_by, created_at, resolved_at, resolution FROM knowledge`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []KnowledgeEntry{}
	for rows.Next() {
		var e KnowledgeEntry
		var created, resolved int64
		if err := rows.Scan(&e.ID, &e.Kind, &e.ReleaseID, &e.Service, &e.Title, &e.Body, &e.HTML, &e.Workaround, &e.CreatedBy, &created, &resolved, &e.Resolution); err != nil {
			return nil, err
		}
		e.CreatedAt = time.Unix(0, created).UTC()
		if resolved != 0 {
			e.ResolvedAt = time.Unix(0, resolved).UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ResolveKnowledge implements Knowledge.
func (s *SQLite) ResolveKnowledge(ctx context.Context, id int64, resolution string, at time.Time) error {
	if err := s.ensureKnowledge(ctx); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE knowledge SET resolved_at = ?, resolution = ? WHERE id = ?`, at.UnixNano(), resolution, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("knowledge entry %d: %w", id, ErrNotFound)
	}
	return nil
}

// ReleaseSteps implements StepLister: the release's completed steps in completion order.
func (s *SQLite) ReleaseSteps(ctx context.Context, releaseID string) ([]StepRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, release_id, step, output, exit_code, duration_ms, finished_at
		FROM steps WHERE release_id = ? ORDER BY finished_at, key`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StepRecord
	for rows.Next() {
		var r StepRecord
		var finished int64
		if err := rows.Scan(&r.Key, &r.ReleaseID, &r.Step, &r.Output, &r.ExitCode, &r.DurationMS, &finished); err != nil {
			return nil, err
		}
		r.FinishedAt = time.Unix(0, finished).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
