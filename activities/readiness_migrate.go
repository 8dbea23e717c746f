package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

// migration is one NNN_name.up.sql with its NNN_name.down.sql.
type migration struct {
	name     string
	up, down string
}

// loadMigrations reads the migration pairs of dir in name order. A migration without its
// down script is an error: it cannot be rolled back.
func loadMigrations(dir string) ([]migration, error) {
	ups, err := filepath.Glob(filepath.Join(dir, "*.up.sql"))
	if err != nil {
		return nil, err
	}
	if len(ups) == 0 {
		return nil, fmt.Errorf("migrations %s: no *.up.sql files", dir)
	}
	slices.Sort(ups)
	var out []migration
	for _, up := range ups {
		name := strings.TrimSuffix(filepath.Base(up), ".up.sql")
		upSQL, err := os.ReadFile(up)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		downSQL, err := os.ReadFile(filepath.Join(dir, name+".down.sql"))
		if err != nil {
			return nil, fmt.Errorf("migration %s: no down script %s.down.sql: it cannot be rolled back", name, name)
		}
		out = append(out, migration{name: name, up: string(upSQL), down: string(downSQL)})
	}
	return out, nil
}

// validateMigrations dry-runs the migrations on a sandbox schema: baseline, invariants,
// migrations up, invariants, migrations down in reverse, invariants and schema compared with
// before. It returns an error only when the dry run could not be attempted (no DSN, server
// unreachable, unreadable files); a migration that fails is evidence, not an error.
func validateMigrations(ctx context.Context, base, releaseID string, m release.MigrationsSpec, dsn string) (policy.MigrationEvidence, error) {
	ev := policy.MigrationEvidence{Failed: []string{}}
	if dsn == "" {
		return ev, fmt.Errorf("migrations: environment variable %s is not set on the worker: no PostgreSQL server to dry-run on", m.DSNEnv)
	}
	migs, err := loadMigrations(resolve(base, m.Dir))
	if err != nil {
		return ev, err
	}
	baseline, err := os.ReadFile(resolve(base, m.Baseline))
	if err != nil {
		return ev, fmt.Errorf("migrations: baseline: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		// pgx errors can carry the DSN's host and user, never its password; still, name only
		// the variable so nothing of the secret is echoed.
		return ev, fmt.Errorf("migrations: connect to the server in %s: %s", m.DSNEnv, pgConnectReason(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := sandboxSchema(releaseID)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return ev, fmt.Errorf("migrations: create sandbox schema %s: %w", schema, err)
	}
	defer func() {
		dropCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = conn.Exec(dropCtx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	}()
	if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return ev, fmt.Errorf("migrations: set search_path: %w", err)
	}
	if _, err := conn.Exec(ctx, string(baseline)); err != nil {
		return ev, fmt.Errorf("migrations: baseline %s failed: %w", m.Baseline, err)
	}
	fail := func(format string, args ...any) { ev.Failed = append(ev.Failed, fmt.Sprintf(format, args...)) }

	before, err := runInvariants(ctx, conn, m.Invariants)
	if err != nil {
		return ev, fmt.Errorf("migrations: invariants fail on the baseline, before any migration: %w", err)
	}
	schemaBefore, err := schemaFingerprint(ctx, conn, schema)
	if err != nil {
		return ev, err
	}
	applied := 0
	for _, mg := range migs {
		if _, err := conn.Exec(ctx, mg.up); err != nil {
			fail("migration %s: up failed: %v", mg.name, err)
			break
		}
		applied++
	}
	ev.Applied = int64(applied)
	if applied == len(migs) {
		after, _ := runInvariantsEach(ctx, conn, m.Invariants)
		for i, inv := range m.Invariants {
			ev.InvariantsChecked++
			want := before[i]
			if inv.Expect != "" {
				want = inv.Expect
			}
			switch {
			case after[i].err != nil:
				fail("invariant %q after migration: %v", inv.Name, after[i].err)
			case after[i].value != want:
				fail("invariant %q after migration: got %s, want %s", inv.Name, after[i].value, want)
			}
		}
	}
	// Roll back what was applied, newest first.
	rolledBack := true
	for i := applied - 1; i >= 0; i-- {
		if _, err := conn.Exec(ctx, migs[i].down); err != nil {
			fail("migration %s: down failed: %v: the migration cannot be rolled back", migs[i].name, err)
			rolledBack = false
			break
		}
	}
	if rolledBack {
		restored, _ := runInvariantsEach(ctx, conn, m.Invariants)
		for i, inv := range m.Invariants {
			switch {
			case restored[i].err != nil:
				fail("invariant %q after rollback: %v", inv.Name, restored[i].err)
				rolledBack = false
			case restored[i].value != before[i]:
				fail("invariant %q after rollback: got %s, want %s as before the migration", inv.Name, restored[i].value, before[i])
				rolledBack = false
			}
		}
		schemaAfter, err := schemaFingerprint(ctx, conn, schema)
		if err != nil {
			return ev, err
		}
		if schemaAfter != schemaBefore {
			fail("schema after rollback differs from before the migration (columns or types changed)")
			rolledBack = false
		}
	}
	ev.RolledBack = rolledBack
	ev.Passed = len(ev.Failed) == 0 && applied == len(migs)
	return ev, nil
}

type invariantResult struct {
	value string
	err   error
}

// runInvariants runs every invariant and fails on the first error.
func runInvariants(ctx context.Context, conn *pgx.Conn, invs []release.SQLInvariant) ([]string, error) {
	res, err := runInvariantsEach(ctx, conn, invs)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		if r.err != nil {
			return nil, fmt.Errorf("invariant %q: %w", invs[i].Name, r.err)
		}
		out[i] = r.value
	}
	return out, nil
}

// runInvariantsEach runs each invariant; a failing query (a dropped column) is recorded and the
// others still run.
func runInvariantsEach(ctx context.Context, conn *pgx.Conn, invs []release.SQLInvariant) ([]invariantResult, error) {
	out := make([]invariantResult, len(invs))
	for i, inv := range invs {
		// Text results: every type compares as PostgreSQL prints it (numeric sums included).
		var v *string
		err := conn.QueryRow(ctx, inv.Query, pgx.QueryResultFormats{pgx.TextFormatCode}).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			err = errors.New("query returned no rows")
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		value := "NULL"
		if v != nil {
			value = *v
		}
		out[i] = invariantResult{value: value, err: err}
	}
	return out, nil
}

// schemaFingerprint hashes the sandbox schema's tables, columns and types.
func schemaFingerprint(ctx context.Context, conn *pgx.Conn, schema string) (string, error) {
	rows, err := conn.Query(ctx, `SELECT table_name, column_name, data_type, is_nullable
		FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`, schema)
	if err != nil {
		return "", fmt.Errorf("migrations: read schema: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var t, c, typ, null string
		if err := rows.Scan(&t, &c, &typ, &null); err != nil {
			return "", fmt.Errorf("migrations: read schema: %w", err)
		}
		fmt.Fprintf(h, "%s.%s %s %s\n", t, c, typ, null)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("migrations: read schema: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sandboxSchema names a schema unique to the release and this run, within PostgreSQL's 63
// byte identifier limit.
func sandboxSchema(releaseID string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d", releaseID, time.Now().UnixNano(), os.Getpid()))
	return "tollgate_sandbox_" + hex.EncodeToString(sum[:8])
}

// pgConnectReason keeps the part of a connection error that says why, without the DSN.
func pgConnectReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}
