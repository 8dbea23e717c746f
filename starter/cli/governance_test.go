package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/store"
)

// runGov executes the CLI with args and returns stdout, stderr and the error.
func runGov(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errOut})
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestRiskCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(envStore, filepath.Join(dir, "absent.db"))
	t.Setenv(envCalendar, filepath.Join(dir, "absent.yaml"))
	out, _, err := runGov(t, "risk", "-f", "../../examples/releases/payments.yaml", "--at", "2026-12-01T10:00:00Z")
	require.NoError(t, err)
	assert.Contains(t, out, "release payments-2026.11.2")
	assert.Contains(t, out, "changeSize")
	assert.Contains(t, out, "unknown (no SCM data)")
	assert.Contains(t, out, "approval:")

	out, _, err = runGov(t, "risk", "-f", "../../examples/releases/payments.yaml", "--files", "3", "--lines", "50", "-o", "json")
	require.NoError(t, err)
	var rep riskReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "payments-2026.11.2", rep.Release)
	assert.Equal(t, 50, rep.Size.Lines)
	assert.Len(t, rep.Assessment.Contributions, 10)
}

func TestFreezeCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calendar.yaml")
	require.NoError(t, os.WriteFile(path, []byte("# hand-written note that must survive\nfreezes: []\n"), 0o644))
	out, _, err := runGov(t, "freeze", "add", "--calendar", path, "--id", "year-end", "--reason", "year-end freeze",
		"--tz", "America/New_York", "--start", "2026-12-20T00:00", "--end", "2027-01-04T09:00")
	require.NoError(t, err)
	assert.Contains(t, out, `added freeze "year-end"`)
	_, _, err = runGov(t, "freeze", "add", "--calendar", path, "--id", "fridays", "--reason", "no Friday deploys",
		"--tz", "Europe/Berlin", "--start", "2026-01-02T15:00", "--rrule", "FREQ=WEEKLY;BYDAY=FR", "--duration", "64h", "--env", "prod-eu")
	require.NoError(t, err)
	_, _, err = runGov(t, "freeze", "add", "--calendar", path, "--id", "fridays", "--reason", "again", "--tz", "UTC", "--start", "2026-01-02T15:00", "--end", "2026-01-03T00:00")
	require.ErrorContains(t, err, `duplicate freeze "fridays"`)

	out, _, err = runGov(t, "freeze", "list", "--calendar", path)
	require.NoError(t, err)
	assert.Contains(t, out, "year-end")
	assert.Contains(t, out, "FREQ=WEEKLY;BYDAY=FR from 2026-01-02T15:00 for 64h0m0s Europe/Berlin")
	assert.Contains(t, out, "prod-eu")

	_, _, err = runGov(t, "freeze", "remove", "--calendar", path, "year-end")
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "# hand-written note that must survive")
	assert.NotContains(t, string(data), "year-end")
	assert.Contains(t, string(data), "fridays")
	_, _, err = runGov(t, "freeze", "remove", "--calendar", path, "year-end")
	require.ErrorContains(t, err, `no freeze "year-end"`)
}

func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	keyPath, dbPath := filepath.Join(dir, "audit.key"), filepath.Join(dir, "tollgate.db")
	out, _, err := runGov(t, "audit", "keygen", "--key", keyPath)
	require.NoError(t, err)
	assert.Contains(t, out, "key id")
	_, _, err = runGov(t, "audit", "keygen", "--key", keyPath)
	require.ErrorContains(t, err, "refusing to replace")

	data, err := os.ReadFile(keyPath)
	require.NoError(t, err)
	priv, err := audit.ParsePrivateKey(data)
	require.NoError(t, err)
	s, err := store.OpenAuditSQLite(dbPath, priv, store.AuditOptions{Interval: 3})
	require.NoError(t, err)
	for i := range 7 {
		_, err := s.AppendAudit(context.Background(), audit.Draft{Time: time.Date(2026, 12, 1, 22, i, 0, 0, time.UTC), ReleaseID: "r1",
			WorkflowID: "r1", EventSeq: int64(i), Actor: "alice", Kind: audit.KindPhase, Reason: "phase change"})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())

	out, _, err = runGov(t, "audit", "verify", "--store", dbPath, "--key", keyPath+".pub")
	require.NoError(t, err)
	assert.Contains(t, out, "audit trail intact: 7 entries, 2 signed checkpoints")

	out, errOut, err := runGov(t, "audit", "export", "--store", dbPath, "--key", keyPath+".pub", "--release", "r1")
	require.NoError(t, err)
	assert.Contains(t, errOut, "not yet covered", "seq 7 is after the last checkpoint")
	var proof audit.Proof
	require.NoError(t, json.Unmarshal([]byte(out), &proof))
	assert.Len(t, proof.Entries, 7)

	db, err := sql.Open("sqlite", "file:"+dbPath)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`DROP TRIGGER audit_entries_no_update`)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE audit_entries SET reason = 'nothing happened' WHERE seq = 4`)
	require.NoError(t, err)
	_, errOut, err = runGov(t, "audit", "verify", "--store", dbPath, "--key", keyPath+".pub")
	require.ErrorContains(t, err, "entry seq 4 was altered")
	assert.Contains(t, errOut, "altered (position 4)")
}
