package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Conflict is a target another running release holds.
type Conflict struct {
	Environment string `json:"environment"`
	Service     string `json:"service"`
	ReleaseID   string `json:"releaseId"`
}

// TargetLocks keeps two releases from deploying the same service to the same environment at
// once. A lock held by a release that has closed is free: a crashed or forgotten release can
// never block the next one.
type TargetLocks interface {
	// AcquireTargets takes every (environment, service) for the release, or none: it returns
	// the conflicts and takes nothing when another open release holds any of them.
	AcquireTargets(ctx context.Context, releaseID, environment string, services []string, now time.Time) ([]Conflict, error)
	// ReleaseTargets frees every target the release holds.
	ReleaseTargets(ctx context.Context, releaseID string) error
}

const locksSchema = `
CREATE TABLE IF NOT EXISTS target_locks (
	environment TEXT NOT NULL,
	service     TEXT NOT NULL,
	release_id  TEXT NOT NULL,
	acquired_at INTEGER NOT NULL,
	PRIMARY KEY (environment, service)
);
`

var _ TargetLocks = (*SQLite)(nil)

// AcquireTargets implements TargetLocks in one transaction.
func (s *SQLite) AcquireTargets(ctx context.Context, releaseID, environment string, services []string, now time.Time) ([]Conflict, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var conflicts []Conflict
	for _, svc := range services {
		var holder, outcome string
		err := tx.QueryRowContext(ctx, `SELECT l.release_id, COALESCE(r.outcome, '')
			FROM target_locks l LEFT JOIN releases r ON r.id = l.release_id
			WHERE l.environment = ? AND l.service = ?`, environment, svc).Scan(&holder, &outcome)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, fmt.Errorf("lock %s/%s: %w", environment, svc, err)
		case holder != releaseID && outcome == "":
			conflicts = append(conflicts, Conflict{Environment: environment, Service: svc, ReleaseID: holder})
		}
	}
	if len(conflicts) > 0 {
		return conflicts, nil
	}
	for _, svc := range services {
		if _, err := tx.ExecContext(ctx, `INSERT INTO target_locks (environment, service, release_id, acquired_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(environment, service) DO UPDATE SET release_id = excluded.release_id, acquired_at = excluded.acquired_at`,
			environment, svc, releaseID, now.UnixNano()); err != nil {
			return nil, fmt.Errorf("lock %s/%s: %w", environment, svc, err)
		}
	}
	return nil, tx.Commit()
}

// ReleaseTargets implements TargetLocks.
func (s *SQLite) ReleaseTargets(ctx context.Context, releaseID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM target_locks WHERE release_id = ?`, releaseID)
	return err
}
