package artifacts

import (
	"fmt"
	"regexp"
	"sort"
)

// RefPrefix is how the example specs reference the demo artifacts: relative to the repository
// root, which is the fetcher's BaseDir in the worker and the CLI.
const RefPrefix = "file://examples/artifacts/"

// UpdateDigests rewrites, in the YAML text of a release spec, the digest pinned after each
// "ref: file://examples/artifacts/<artifact>" line (comment lines may sit between the two), and
// leaves every other byte alone so the spec's comments survive. Every artifact of the spec must
// be found exactly once; artifacts maps artifact file name → "sha256:<hex>".
func UpdateDigests(spec []byte, artifacts map[string]string) ([]byte, error) {
	names := make([]string, 0, len(artifacts))
	for n := range artifacts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := spec
	for _, n := range names {
		re := regexp.MustCompile(`(?m)(^[ \t]*ref:[ \t]*` + regexp.QuoteMeta(RefPrefix+n) + `[ \t]*\n(?:[ \t]*#.*\n)*[ \t]*digest:[ \t]*)sha256:[0-9a-f]{64}`)
		switch m := re.FindAllIndex(out, -1); len(m) {
		case 0:
			return nil, fmt.Errorf("artifact %q: no \"ref: %s%s\" line followed by a sha256 digest", n, RefPrefix, n)
		case 1:
		default:
			return nil, fmt.Errorf("artifact %q: referenced %d times, want once", n, len(m))
		}
		out = re.ReplaceAll(out, []byte("${1}"+artifacts[n]))
	}
	return out, nil
}

// SpecDigests groups the generated digests by the spec file that references them.
func (g Generated) SpecDigests() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range Services {
		n := s.Base() + SuffixArtifact
		for _, file := range append([]string{s.Release}, s.AlsoIn...) {
			if out[file] == nil {
				out[file] = map[string]string{}
			}
			out[file][n] = g.Digests[n]
		}
	}
	return out
}
