package store

import (
	"context"
	"fmt"
)

// deployedSchema is created with the rest of the schema (OpenSQLite runs every statement).
const deployedSchema = `
CREATE TABLE IF NOT EXISTS deployed (
	environment TEXT NOT NULL,
	service     TEXT NOT NULL,
	version     TEXT NOT NULL,
	release_id  TEXT NOT NULL,
	deployed_at INTEGER NOT NULL,
	PRIMARY KEY (environment, service)
);`

// RecordDeployed implements Store. A rollback records the version it restored the same way, so
// the table always says what runs now, not the highest version ever seen.
func (s *SQLite) RecordDeployed(ctx context.Context, d Deployed) error {
	if d.Environment == "" || d.Service == "" || d.Version == "" {
		return fmt.Errorf("record deployed: environment, service and version are required (got %q/%q/%q)", d.Environment, d.Service, d.Version)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO deployed (environment, service, version, release_id, deployed_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(environment, service) DO UPDATE SET version = excluded.version, release_id = excluded.release_id,
			deployed_at = excluded.deployed_at WHERE excluded.deployed_at >= deployed.deployed_at`,
		d.Environment, d.Service, d.Version, d.ReleaseID, d.DeployedAt.UnixNano())
	return err
}

// DeployedVersions implements Store.
func (s *SQLite) DeployedVersions(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT environment, service, version FROM deployed`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var env, svc, ver string
		if err := rows.Scan(&env, &svc, &ver); err != nil {
			return nil, err
		}
		if out[env] == nil {
			out[env] = map[string]string{}
		}
		out[env][svc] = ver
	}
	return out, rows.Err()
}
