package release

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// validYAML returns testdata/valid.yaml, the full valid spec every bad-input case edits.
func validYAML(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/valid.yaml")
	require.NoError(t, err)
	return string(b)
}

// edit applies old→new replacements in turn, each of which must match.
func edit(t testing.TB, doc string, pairs ...string) string {
	t.Helper()
	require.Zero(t, len(pairs)%2, "edit takes old, new pairs")
	for i := 0; i < len(pairs); i += 2 {
		require.Contains(t, doc, pairs[i], "edit target missing")
		doc = strings.Replace(doc, pairs[i], pairs[i+1], 1)
	}
	return doc
}

// cut replaces everything from the line starting with from up to (not including) the line
// starting with to.
func cut(t testing.TB, doc, from, to, insert string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+from)
	j := strings.Index(doc, "\n"+to)
	require.True(t, i >= 0 && j > i, "cut bounds %q..%q", from, to)
	return doc[:i+1] + insert + doc[j+1:]
}

// problemsOf asserts err is Problems and returns it.
func problemsOf(t testing.TB, err error) Problems {
	t.Helper()
	require.Error(t, err)
	var ps Problems
	require.ErrorAs(t, err, &ps)
	return ps
}

// requireProblem asserts a problem at path with the given line and message fragment exists.
func requireProblem(t testing.TB, ps Problems, path string, line int, fragment string) {
	t.Helper()
	for _, p := range ps {
		if p.Path == path && strings.Contains(p.Message, fragment) {
			require.Equal(t, line, p.Line, "line of %s", p.Error())
			return
		}
	}
	require.Failf(t, "problem not found", "want %s at line %d containing %q; got:\n%s", path, line, fragment, ps.Error())
}
