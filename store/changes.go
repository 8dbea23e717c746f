package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ChangeRecord is a release's change record kept in the store: the embedded ITSM default when
// no Jira is configured, holding what a Jira change request would.
type ChangeRecord struct {
	Key             string             `json:"key"`
	ReleaseID       string             `json:"releaseId"`
	Summary         string             `json:"summary"`
	Description     string             `json:"description,omitempty"`
	RiskClass       string             `json:"riskClass,omitempty"`
	RiskExplanation string             `json:"riskExplanation,omitempty"`
	Implementation  string             `json:"implementation,omitempty"`
	Backout         string             `json:"backout,omitempty"`
	TestPlan        string             `json:"testPlan,omitempty"`
	Services        []string           `json:"services"`
	Status          string             `json:"status"`
	CreatedAt       time.Time          `json:"createdAt"`
	UpdatedAt       time.Time          `json:"updatedAt"`
	Comments        []ChangeComment    `json:"comments,omitempty"`
	Transitions     []ChangeTransition `json:"transitions,omitempty"`
}

// ChangeComment is a comment on a change record; Marker makes a retried comment a no-op.
type ChangeComment struct {
	Marker string    `json:"marker,omitempty"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// ChangeTransition is a change record's move from one status to another.
type ChangeTransition struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
}

// ChangeRecords keeps change records. Every write is idempotent, since activities retry after
// lost answers: one record per release, one comment per marker, no transition to the status a
// record already has.
type ChangeRecords interface {
	// CreateChange records rec (ReleaseID, Status and CreatedAt required; Key, UpdatedAt,
	// comments and transitions ignored) and returns its new key "CHG-<n>", or the key the
	// release already has.
	CreateChange(ctx context.Context, rec ChangeRecord) (string, error)
	// UpdateChange writes the record's content (summary through services) again.
	UpdateChange(ctx context.Context, key string, rec ChangeRecord, at time.Time) error
	// FindChange returns the key of the release's record, or "" when there is none.
	FindChange(ctx context.Context, releaseID string) (string, error)
	// SetChangeStatus moves the record to status, recording the transition; setting the
	// current status changes nothing.
	SetChangeStatus(ctx context.Context, key, status string, at time.Time) error
	// ChangeStatus returns the record's current status.
	ChangeStatus(ctx context.Context, key string) (string, error)
	// AddChangeComment adds body once per non-empty marker; an empty marker adds it unchecked.
	AddChangeComment(ctx context.Context, key, marker, body string, at time.Time) error
	// GetChange returns the record, by key or release ID, with its comments and transitions
	// in the order they happened.
	GetChange(ctx context.Context, keyOrRelease string) (ChangeRecord, error)
	// ListChanges returns up to limit records (default 100), newest first, without comments
	// and transitions.
	ListChanges(ctx context.Context, limit int) ([]ChangeRecord, error)
}

var _ ChangeRecords = (*SQLite)(nil)

// ErrRequired is wrapped in the error for a change record write missing a required field;
// retrying the same write cannot succeed.
var ErrRequired = errors.New("required")

// changesSchema is created with the rest of the schema. seq numbers the keys; "from" and "to"
// are SQL keywords, hence from_status and to_status. Triggers keep the history in the same
// statement as the change it records: a status change adds its transition, a comment moves
// updated_at.
const changesSchema = `
CREATE TABLE IF NOT EXISTS change_records (
	key              TEXT PRIMARY KEY,
	seq              INTEGER NOT NULL UNIQUE,
	release_id       TEXT NOT NULL UNIQUE,
	summary          TEXT NOT NULL,
	description      TEXT NOT NULL,
	risk_class       TEXT NOT NULL,
	risk_explanation TEXT NOT NULL,
	implementation   TEXT NOT NULL,
	backout          TEXT NOT NULL,
	test_plan        TEXT NOT NULL,
	services         TEXT NOT NULL,
	status           TEXT NOT NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS change_comments (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	key        TEXT NOT NULL REFERENCES change_records(key),
	marker     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS change_comments_marker ON change_comments(key, marker) WHERE marker <> '';
CREATE TRIGGER IF NOT EXISTS change_comment_touch AFTER INSERT ON change_comments BEGIN
	UPDATE change_records SET updated_at = MAX(updated_at, NEW.created_at) WHERE key = NEW.key;
END;
CREATE TABLE IF NOT EXISTS change_transitions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	key         TEXT NOT NULL REFERENCES change_records(key),
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS change_transitions_key ON change_transitions(key);
CREATE TRIGGER IF NOT EXISTS change_transition AFTER UPDATE OF status ON change_records WHEN OLD.status <> NEW.status BEGIN
	INSERT INTO change_transitions (key, from_status, to_status, at) VALUES (NEW.key, OLD.status, NEW.status, NEW.updated_at);
END;
`

const changeColumns = `key, release_id, summary, description, risk_class, risk_explanation, implementation, backout,
	test_plan, services, status, created_at, updated_at`

// CreateChange implements ChangeRecords in one statement: the key is numbered and the release's
// uniqueness checked atomically, so two attempts for one release leave one record.
func (s *SQLite) CreateChange(ctx context.Context, rec ChangeRecord) (string, error) {
	if rec.ReleaseID == "" || rec.Status == "" || rec.CreatedAt.IsZero() {
		return "", fmt.Errorf("change record of %q: release ID, status and creation time are %w", rec.ReleaseID, ErrRequired)
	}
	at := rec.CreatedAt.UnixNano()
	// "WHERE true" resolves SQLite's parsing ambiguity between INSERT … SELECT and ON CONFLICT.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO change_records (key, seq, release_id, summary, description, risk_class,
		risk_explanation, implementation, backout, test_plan, services, status, created_at, updated_at)
		SELECT 'CHG-' || n, n, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM change_records)
		WHERE true ON CONFLICT(release_id) DO NOTHING`, rec.ReleaseID, rec.Summary, rec.Description, rec.RiskClass,
		rec.RiskExplanation, rec.Implementation, rec.Backout, rec.TestPlan, servicesJSON(rec.Services), rec.Status, at, at); err != nil {
		return "", fmt.Errorf("change record of %q: %w", rec.ReleaseID, err)
	}
	return s.FindChange(ctx, rec.ReleaseID)
}

// UpdateChange implements ChangeRecords.
func (s *SQLite) UpdateChange(ctx context.Context, key string, rec ChangeRecord, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE change_records SET summary = ?, description = ?, risk_class = ?, risk_explanation = ?,
		implementation = ?, backout = ?, test_plan = ?, services = ?, updated_at = ? WHERE key = ?`,
		rec.Summary, rec.Description, rec.RiskClass, rec.RiskExplanation, rec.Implementation, rec.Backout, rec.TestPlan,
		servicesJSON(rec.Services), at.UnixNano(), key)
	if err != nil {
		return fmt.Errorf("change record %q: update: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("change record %q: %w", key, ErrNotFound)
	}
	return nil
}

// FindChange implements ChangeRecords.
func (s *SQLite) FindChange(ctx context.Context, releaseID string) (string, error) {
	var key string // stays "" without a record
	err := s.db.QueryRowContext(ctx, `SELECT key FROM change_records WHERE release_id = ?`, releaseID).Scan(&key)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("change record of %q: %w", releaseID, err)
	}
	return key, nil
}

// SetChangeStatus implements ChangeRecords in one statement; the change_transition trigger
// records the move, so no transition is lost or recorded twice.
func (s *SQLite) SetChangeStatus(ctx context.Context, key, status string, at time.Time) error {
	if status == "" {
		return fmt.Errorf("change record %q: status is %w", key, ErrRequired)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE change_records SET status = ?, updated_at = ? WHERE key = ? AND status <> ?`,
		status, at.UnixNano(), key, status)
	if err != nil {
		return fmt.Errorf("change record %q: status %q: %w", key, status, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = s.ChangeStatus(ctx, key) // nothing changed: already there, or no such record
	}
	return err
}

// ChangeStatus implements ChangeRecords.
func (s *SQLite) ChangeStatus(ctx context.Context, key string) (string, error) {
	var status string
	err := s.db.QueryRowContext(ctx, `SELECT status FROM change_records WHERE key = ?`, key).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("change record %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("change record %q: status: %w", key, err)
	}
	return status, nil
}

// AddChangeComment implements ChangeRecords. The partial unique index on (key, marker) makes
// the second insert of a marker a no-op.
func (s *SQLite) AddChangeComment(ctx context.Context, key, marker, body string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO change_comments (key, marker, body, created_at)
		SELECT key, ?, ?, ? FROM change_records WHERE key = ? ON CONFLICT(key, marker) WHERE marker <> '' DO NOTHING`,
		marker, body, at.UnixNano(), key)
	if err != nil {
		return fmt.Errorf("change record %q: comment %q: %w", key, marker, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = s.ChangeStatus(ctx, key) // nothing added: a repeated marker, or no such record
	}
	return err
}

// GetChange implements ChangeRecords. A key wins over a release that happens to be named like one.
func (s *SQLite) GetChange(ctx context.Context, keyOrRelease string) (ChangeRecord, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM change_records WHERE key = ? OR release_id = ?
		ORDER BY key = ? DESC LIMIT 1`, keyOrRelease, keyOrRelease, keyOrRelease)
	rec, err := scanChange(row)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, fmt.Errorf("change record %q: %w", keyOrRelease, ErrNotFound)
	}
	if err != nil {
		return rec, err
	}
	what := "change record " + strconv.Quote(rec.Key)
	rec.Comments, err = collect(ctx, s.db, what+": comments",
		`SELECT marker, body, created_at FROM change_comments WHERE key = ? ORDER BY id`, []any{rec.Key},
		func(r *sql.Rows) (c ChangeComment, err error) {
			var at int64
			err = r.Scan(&c.Marker, &c.Body, &at)
			c.At = time.Unix(0, at).UTC()
			return c, err
		})
	if err != nil {
		return rec, err
	}
	rec.Transitions, err = collect(ctx, s.db, what+": transitions",
		`SELECT from_status, to_status, at FROM change_transitions WHERE key = ? ORDER BY id`, []any{rec.Key},
		func(r *sql.Rows) (t ChangeTransition, err error) {
			var at int64
			err = r.Scan(&t.From, &t.To, &at)
			t.At = time.Unix(0, at).UTC()
			return t, err
		})
	return rec, err
}

// ListChanges implements ChangeRecords.
func (s *SQLite) ListChanges(ctx context.Context, limit int) ([]ChangeRecord, error) {
	if limit <= 0 {
		limit = 100
	}
	return collect(ctx, s.db, "change records", `SELECT `+changeColumns+` FROM change_records ORDER BY seq DESC LIMIT ?`,
		[]any{limit}, func(r *sql.Rows) (ChangeRecord, error) { return scanChange(r) })
}

// collect runs query and scans every row; what names the rows in errors.
func collect[T any](ctx context.Context, db *sql.DB, what, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanChange(row scanner) (ChangeRecord, error) {
	var r ChangeRecord
	var services string
	var created, updated int64
	if err := row.Scan(&r.Key, &r.ReleaseID, &r.Summary, &r.Description, &r.RiskClass, &r.RiskExplanation, &r.Implementation,
		&r.Backout, &r.TestPlan, &services, &r.Status, &created, &updated); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(services), &r.Services); err != nil {
		return r, fmt.Errorf("change record %q: decode services: %w", r.Key, err)
	}
	r.CreatedAt, r.UpdatedAt = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	return r, nil
}

// servicesJSON encodes the service list, empty as "[]" so JSON output shows a list. Encoding
// strings cannot fail.
func servicesJSON(services []string) string {
	if services == nil {
		services = []string{}
	}
	b, _ := json.Marshal(services)
	return string(b)
}
