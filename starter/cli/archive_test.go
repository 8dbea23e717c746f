package cli

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/archive"
	"github.com/tollgate-dev/tollgate/audit"
)

func TestArchiveVerifyCommand(t *testing.T) {
	t.Setenv(envAuditKey, "")
	dir := t.TempDir()
	privPEM, pubPEM, err := audit.GenerateKey(nil)
	require.NoError(t, err)
	key, err := audit.ParsePrivateKey(privPEM)
	require.NoError(t, err)
	pubPath := filepath.Join(dir, "audit.key.pub")
	require.NoError(t, os.WriteFile(pubPath, pubPEM, 0o644))
	var buf bytes.Buffer
	_, err = archive.Write(&buf, "r1", []archive.File{{Name: "spec.json", Data: []byte("{}")}, {Name: "timeline.json", Data: []byte("[]")}}, key, time.Unix(0, 0))
	require.NoError(t, err)
	good := filepath.Join(dir, "r1.tar.gz")
	require.NoError(t, os.WriteFile(good, buf.Bytes(), 0o644))

	out, _, code := runCLI(t, "archive", "verify", good, "--key", pubPath)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "archive of release r1 intact: 2 files, signed by key "+audit.KeyID(key.Public().(ed25519.PublicKey))+", verified with the given key")

	out, _, code = runCLI(t, "archive", "verify", good)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "with the bundle's own key only")

	// A bundle rebuilt with an altered spec and signed by another key fails with the real key.
	_, otherPriv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	buf.Reset()
	_, err = archive.Write(&buf, "r1", []archive.File{{Name: "spec.json", Data: []byte(`{"forged":true}`)}}, otherPriv, time.Unix(0, 0))
	require.NoError(t, err)
	bad := filepath.Join(dir, "forged.tar.gz")
	require.NoError(t, os.WriteFile(bad, buf.Bytes(), 0o644))
	_, errOut, code := runCLI(t, "archive", "verify", bad, "--key", pubPath)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "signed by key "+audit.KeyID(otherPriv.Public().(ed25519.PublicKey)))
	require.Contains(t, errOut, "does not verify")
}

func TestKBCommands(t *testing.T) {
	t.Setenv("TOLLGATE_USER", "bob")
	db := filepath.Join(t.TempDir(), "tollgate.db")
	out, _, code := runCLI(t, "kb", "add", "--store", db, "--title", "slow cart", "--service", "cart", "--release", "r1", "--workaround", "retry")
	require.Equal(t, 0, code, out)
	require.Equal(t, "known issue 1 recorded\n", out)
	out, _, code = runCLI(t, "kb", "list", "--store", db, "--service", "cart")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "1\tknown-issue\tcart\tr1\tslow cart\topen\n\tworkaround: retry")
	out, _, code = runCLI(t, "kb", "resolve", "1", "--store", db, "--resolution", "fixed in 2.0.1")
	require.Equal(t, 0, code, out)
	out, _, _ = runCLI(t, "kb", "list", "--store", db)
	require.Equal(t, "no entries\n", out)
	out, _, _ = runCLI(t, "kb", "list", "--store", db, "--all")
	require.Contains(t, out, "resolved: fixed in 2.0.1")
	_, errOut, code := runCLI(t, "kb", "resolve", "x", "--store", db, "--resolution", "y")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "want the numeric ID")
}
