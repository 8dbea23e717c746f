package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic (a recovered panic shows up as a
// "cannot parse spec" problem and fails here too), must fail with Problems carrying messages,
// and whatever it accepts must validate, order, digest and survive a YAML round trip.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	require.NoError(f, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{
		"", "   \n", "---\n", "~", "- a\n", "a: *b\n", "apiVersion: tollgate.dev/v1\nkind: Release\n",
		"apiVersion: tollgate.dev/v1\nkind: Release\nservices: [{<<: [*a]}]\n",
		"apiVersion: tollgate.dev/v1\nkind: Release\nx: &a [1]\nservices: *a\nwaves: {<<: *a}\n",
		"apiVersion: tollgate.dev/v1\nkind: Release\nmetadata: {id: x}\n---\nb: 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse("fuzz.yaml", data)
		if err != nil {
			require.Nil(t, spec)
			var ps Problems
			require.ErrorAs(t, err, &ps)
			require.NotEmpty(t, ps)
			for _, p := range ps {
				require.NotEmpty(t, p.Message)
				require.False(t, strings.HasPrefix(p.Message, "cannot parse spec"), p.Error())
			}
			return
		}
		require.NoError(t, Validate(spec))
		order, err := TopologicalOrder(spec.Services)
		require.NoError(t, err)
		require.Len(t, order, len(spec.Services))
		require.Len(t, spec.Digest(), 64)
		out, err := yaml.Marshal(spec)
		require.NoError(t, err)
		again, err := Parse("again.yaml", out)
		require.NoError(t, err, "re-encoded:\n%s", out)
		require.Equal(t, spec.Digest(), again.Digest())
	})
}
