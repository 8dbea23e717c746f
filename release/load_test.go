package release

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	spec, err := Load("testdata/valid.yaml")
	require.NoError(t, err)
	require.Equal(t, "payments-2026.11.3", spec.Metadata.ID)
}

func TestLoadProblemsNameTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "release.yaml")
	require.NoError(t, os.WriteFile(path, []byte(edit(t, validYAML(t), "dependsOn: [ledger]", "dependsOn: [ledgr]")), 0o600))
	_, err := Load(path)
	require.EqualError(t, err, path+`:28: services[1].dependsOn[0]: unknown service "ledgr" (did you mean "ledger"?)`)
}

func TestLoadRefusesLargeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("# padding\n"), 5<<20/10), 0o600))
	_, err := Load(path)
	ps := problemsOf(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, path+": spec is over the 4 MiB limit (5.0 MiB): is this the right file?", err.Error())
}

func TestLoadAcceptsExactlyTheLimit(t *testing.T) {
	doc := validYAML(t)
	pad := bytes.Repeat([]byte("#"), MaxSpecBytes-len(doc)-1)
	path := filepath.Join(t.TempDir(), "release.yaml")
	require.NoError(t, os.WriteFile(path, append(append([]byte(doc), pad...), '\n'), 0o600))
	_, err := Load(path)
	require.NoError(t, err)
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	require.EqualError(t, err, dir+": is a directory, not a spec file")
}
