package artifacts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCommittedFilesMatchGenerator regenerates everything into a temporary directory and holds
// the committed files to it byte for byte, so they cannot drift from the generator. When it
// fails after an intended change: go run ./examples/artifacts/gen
func TestCommittedFilesMatchGenerator(t *testing.T) {
	dir := t.TempDir()
	g, err := Write(dir)
	require.NoError(t, err)
	require.Len(t, g.Files, 2+len(Services)*len(Suffixes))
	for name := range g.Files {
		fresh, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		committed, err := os.ReadFile(name)
		require.NoError(t, err, "%s is not committed: run go run ./examples/artifacts/gen", name)
		assert.True(t, bytes.Equal(fresh, committed), "%s differs from what the generator writes: run go run ./examples/artifacts/gen", name)
	}
	// No stale file: everything here but the Go sources and the README is generated.
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".go") || e.Name() == "README.md" {
			continue
		}
		assert.Contains(t, g.Files, e.Name(), "%s is not written by the generator: delete it or generate it", e.Name())
	}
	again, err := Build()
	require.NoError(t, err)
	assert.Equal(t, g, again, "two generations in one process differ")
}

// TestSpecDigestsAreCurrent checks that the example specs pin the digests the generator
// computes: rewriting them changes nothing.
func TestSpecDigestsAreCurrent(t *testing.T) {
	g, err := Build()
	require.NoError(t, err)
	byFile := g.SpecDigests()
	require.Len(t, byFile, 4)
	for file, digests := range byFile {
		spec, err := os.ReadFile(filepath.Join("..", "releases", file))
		require.NoError(t, err)
		updated, err := UpdateDigests(spec, digests)
		require.NoError(t, err, file)
		assert.Equal(t, string(spec), string(updated), "%s pins stale digests: run go run ./examples/artifacts/gen", file)
	}
}

// TestArtifactTarballs reads each committed tarball back: fixed headers, the service's version
// and the same configuration the spec's config scan reads.
func TestArtifactTarballs(t *testing.T) {
	for _, s := range Services {
		t.Run(s.Base(), func(t *testing.T) {
			data, err := os.ReadFile(s.Base() + SuffixArtifact)
			require.NoError(t, err)
			zr, err := gzip.NewReader(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Empty(t, zr.Name)
			assert.True(t, zr.ModTime.IsZero(), "gzip header carries a time")
			tr := tar.NewReader(zr)
			files := map[string]string{}
			var names []string
			for {
				h, err := tr.Next()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				names = append(names, h.Name)
				assert.True(t, h.ModTime.Equal(Epoch), "%s: mtime %s", h.Name, h.ModTime)
				assert.Zero(t, h.Uid, h.Name)
				assert.Zero(t, h.Gid, h.Name)
				b, err := io.ReadAll(tr)
				require.NoError(t, err)
				files[h.Name] = string(b)
			}
			assert.Equal(t, []string{"README", "VERSION", "config/", "config/app.yaml"}, names)
			assert.Equal(t, s.Version+"\n", files["VERSION"])
			cfg, err := os.ReadFile(s.Base() + SuffixConfig)
			require.NoError(t, err)
			assert.Equal(t, string(cfg), files["config/app.yaml"])
		})
	}
}

func TestUpdateDigests(t *testing.T) {
	const (
		stale = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
		fresh = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	)
	spec := func(body string) []byte {
		return []byte("services:\n  - name: a\n    artifact:\n" + body + "    vars: {}\n")
	}
	tests := []struct {
		name    string
		in      []byte
		want    []byte
		wantErr string
	}{
		{name: "digest right after ref",
			in:   spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      digest: " + stale + "\n"),
			want: spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      digest: " + fresh + "\n")},
		{name: "comments between ref and digest survive",
			in:   spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      # why\n      # more\n      digest: " + stale + " # pinned\n"),
			want: spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      # why\n      # more\n      digest: " + fresh + " # pinned\n")},
		{name: "another artifact's ref",
			in:      spec("      ref: file://examples/artifacts/b-1.0.0.tar.gz\n      digest: " + stale + "\n"),
			wantErr: `artifact "a-1.0.0.tar.gz": no "ref: file://examples/artifacts/a-1.0.0.tar.gz" line`},
		{name: "ref without a digest",
			in:      spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      source: x\n      digest: " + stale + "\n"),
			wantErr: "no \"ref:"},
		{name: "artifact referenced twice",
			in: spec("      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      digest: " + stale + "\n" +
				"      ref: file://examples/artifacts/a-1.0.0.tar.gz\n      digest: " + stale + "\n"),
			wantErr: "referenced 2 times, want once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UpdateDigests(tt.in, map[string]string{"a-1.0.0.tar.gz": fresh})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, string(tt.want), string(got))
		})
	}
}

// TestSBOMSharedLibrary checks the premise of the specs' shared-library rule: every service
// links demo-kit, and all at major version 1.
func TestSBOMSharedLibrary(t *testing.T) {
	var versions []string
	for _, s := range Services {
		found := false
		for _, l := range s.Libraries {
			if l.Module == SharedLibrary {
				found = true
				versions = append(versions, l.Version)
				assert.True(t, strings.HasPrefix(l.Version, "v1."), "%s links %s %s", s.Name, l.Module, l.Version)
			}
		}
		assert.True(t, found, "%s does not link %s", s.Name, SharedLibrary)
	}
	sort.Strings(versions)
	assert.NotEqual(t, versions[0], versions[len(versions)-1], "the demo should show minor versions differing under the major rule")
}
