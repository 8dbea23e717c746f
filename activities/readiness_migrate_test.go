package activities

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/postgres/pgtest"
	"github.com/tollgate-dev/tollgate/release"
)

const migrationBaseline = `
CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL, balance_cents bigint NOT NULL);
INSERT INTO accounts (email, balance_cents) SELECT 'user' || g || '@example.com', g * 100 FROM generate_series(1, 500) g;
`

var migrationInvariants = []release.SQLInvariant{
	{Name: "accounts", Query: "SELECT count(*) FROM accounts"},
	{Name: "balances", Query: "SELECT sum(balance_cents) FROM accounts"},
	{Name: "emails present", Query: "SELECT count(*) FROM accounts WHERE email LIKE '%@%'"},
}

func writeMigrations(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "baseline.sql"), []byte(migrationBaseline), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "migrations"), 0o755))
	for name, sql := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "migrations", name), []byte(sql), 0o644))
	}
	return dir
}

// TestValidateMigrationPostgres dry-runs migrations on a real PostgreSQL server.
func TestValidateMigrationPostgres(t *testing.T) {
	pg := pgtest.Start(t)
	t.Setenv("TOLLGATE_TEST_DSN", pg.DSN)
	spec := release.MigrationsSpec{Dir: "migrations", Baseline: "baseline.sql", DSNEnv: "TOLLGATE_TEST_DSN", Invariants: migrationInvariants}
	tests := []struct {
		name       string
		files      map[string]string
		passed     bool
		rolledBack bool
		failed     []string
	}{
		{name: "good migration passes and rolls back", files: map[string]string{
			"001_add_currency.up.sql":   "ALTER TABLE accounts ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
			"001_add_currency.down.sql": "ALTER TABLE accounts DROP COLUMN currency;",
			"002_index_email.up.sql":    "CREATE INDEX accounts_email ON accounts (email);",
			"002_index_email.down.sql":  "DROP INDEX accounts_email;",
		}, passed: true, rolledBack: true, failed: []string{}},
		{name: "dropping a column the invariants need is caught", files: map[string]string{
			"001_drop_email.up.sql":   "ALTER TABLE accounts DROP COLUMN email;",
			"001_drop_email.down.sql": "ALTER TABLE accounts ADD COLUMN email text;",
		}, rolledBack: false, failed: []string{
			`invariant "emails present" after migration: ERROR: column "email" does not exist (SQLSTATE 42703)`,
			`invariant "emails present" after rollback: got 0, want 500 as before the migration`,
			"schema after rollback differs from before the migration (columns or types changed)",
		}},
		{name: "data loss is caught", files: map[string]string{
			"001_purge.up.sql":   "DELETE FROM accounts WHERE id > 400;",
			"001_purge.down.sql": "SELECT 1;",
		}, failed: []string{
			`invariant "accounts" after migration: got 400, want 500`,
			`invariant "balances" after migration: got 8020000, want 12525000`,
			`invariant "emails present" after migration: got 400, want 500`,
			`invariant "accounts" after rollback: got 400, want 500 as before the migration`,
			`invariant "balances" after rollback: got 8020000, want 12525000 as before the migration`,
			`invariant "emails present" after rollback: got 400, want 500 as before the migration`,
		}},
		{name: "a down script that fails blocks", files: map[string]string{
			"001_add.up.sql":   "ALTER TABLE accounts ADD COLUMN note text;",
			"001_add.down.sql": "ALTER TABLE accounts DROP COLUMN notes;",
		}, failed: []string{`migration 001_add: down failed: ERROR: column "notes" of relation "accounts" does not exist (SQLSTATE 42703): the migration cannot be rolled back`}},
		{name: "a failing up script blocks and the rest rolls back", files: map[string]string{
			"001_add.up.sql":      "ALTER TABLE accounts ADD COLUMN note text;",
			"001_add.down.sql":    "ALTER TABLE accounts DROP COLUMN note;",
			"002_broken.up.sql":   "ALTER TABLE nope ADD COLUMN x int;",
			"002_broken.down.sql": "SELECT 1;",
		}, rolledBack: true, failed: []string{`migration 002_broken: up failed: ERROR: relation "nope" does not exist (SQLSTATE 42P01)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeMigrations(t, tt.files)
			a := &Activities{}
			ev, err := a.ValidateMigration(context.Background(), ValidateMigrationInput{ReleaseID: "r-1", BaseDir: dir, Migrations: spec})
			require.NoError(t, err)
			assert.Equal(t, tt.passed, ev.Passed)
			assert.Equal(t, tt.rolledBack, ev.RolledBack)
			assert.Equal(t, tt.failed, ev.Failed)
		})
	}
}

func TestValidateMigrationSetupErrors(t *testing.T) {
	dir := writeMigrations(t, map[string]string{"001_x.up.sql": "SELECT 1;"})
	spec := release.MigrationsSpec{Dir: "migrations", Baseline: "baseline.sql", DSNEnv: "TOLLGATE_TEST_UNSET_DSN", Invariants: migrationInvariants}
	a := &Activities{}
	_, err := a.ValidateMigration(context.Background(), ValidateMigrationInput{ReleaseID: "r-1", BaseDir: dir, Migrations: spec})
	require.ErrorContains(t, err, "environment variable TOLLGATE_TEST_UNSET_DSN is not set on the worker")

	t.Setenv("TOLLGATE_TEST_DSN", "postgres://nobody:secret-pw@127.0.0.1:1/x?connect_timeout=2")
	spec.DSNEnv = "TOLLGATE_TEST_DSN"
	_, err = a.ValidateMigration(context.Background(), ValidateMigrationInput{ReleaseID: "r-1", BaseDir: dir, Migrations: spec})
	require.ErrorContains(t, err, "no down script 001_x.down.sql: it cannot be rolled back")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "migrations", "001_x.down.sql"), []byte("SELECT 1;"), 0o644))
	_, err = a.ValidateMigration(context.Background(), ValidateMigrationInput{ReleaseID: "r-1", BaseDir: dir, Migrations: spec})
	require.ErrorContains(t, err, "connect to the server in TOLLGATE_TEST_DSN")
	assert.NotContains(t, err.Error(), "secret-pw", "the DSN's password never appears in errors")
}
