package release

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/policy"
)

const sourceYAML = `
source:
  base: v1.4.0
  head: 9f2c4e1
  checks:
    owner: platform
    required: [build, "ci / test (ubuntu)"]
`

func TestSourceParsesAndAddsTheChecksCriterion(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)+sourceYAML))
	require.NoError(t, err)
	require.NotNil(t, spec.Source)
	assert.Equal(t, Source{Base: "v1.4.0", Head: "9f2c4e1",
		Checks: SourceChecks{Owner: "platform", Required: []string{"build", "ci / test (ubuntu)"}}}, *spec.Source)

	crits := spec.ReadinessCriteria(nil, policy.Catalog{})
	require.Len(t, crits, 1)
	assert.Equal(t, policy.IDSourceChecks, crits[0].ID)
	assert.Equal(t, "platform", crits[0].Owner)
	_, err = policy.Compile(crits)
	require.NoError(t, err, "the built-in expression type-checks against the evidence schema")
}

func TestSourceWithoutChecksOwnerAddsNoCriterion(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)+"\nsource: {base: v1.4.0, head: v1.5.0}\n"))
	require.NoError(t, err)
	assert.Empty(t, spec.ReadinessCriteria(nil, policy.Catalog{}))
}

func TestSpecWithoutSourceKeepsItsDigest(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	raw, err := json.Marshal(spec)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), `"source"`)
}

func TestSourceProblems(t *testing.T) {
	long := strings.Repeat("a", maxRefLen+1)
	for _, tc := range []struct {
		name, block, path, fragment string
	}{
		{"no base", "  head: v1.5.0\n", "source.base", "required: the previous release's tag or commit"},
		{"no head", "  base: v1.4.0\n", "source.head", "required: this release's commit"},
		{"head is base", "  base: v1.4.0\n  head: v1.4.0\n", "source.head", `head "v1.4.0" is also base`},
		{"space in ref", "  base: \"v1.4.0 \"\n  head: v1.5.0\n", "source.base", "no spaces"},
		{"tab in ref", "  base: v1.4.0\n  head: \"v1\\t5\"\n", "source.head", "no spaces"},
		{"range as ref", "  base: v1.4.0...v1.5.0\n  head: v1.5.0\n", "source.base", "not a range"},
		{"two dots", "  base: v1.4.0\n  head: main..x\n", "source.head", "not a range"},
		{"too long", "  base: v1.4.0\n  head: " + long + "\n", "source.head", "over the 255 limit"},
		{"required without owner", "  base: a\n  head: b\n  checks:\n    required: [build]\n", "source.checks.owner",
			"checks.required needs checks.owner: the owner fixes or waives the criterion"},
		{"blank owner", "  base: a\n  head: b\n  checks:\n    owner: \" \"\n", "source.checks.owner", "blank owner"},
		{"empty required", "  base: a\n  head: b\n  checks:\n    owner: qa\n    required: [build, \" \"]\n", "source.checks.required[1]", "required: the name of a check"},
		{"duplicate required", "  base: a\n  head: b\n  checks:\n    owner: qa\n    required: [build, test, build]\n", "source.checks.required[2]", `duplicate check "build"`},
		{"unknown field", "  base: a\n  head: b\n  chekcs: {}\n", "source.chekcs", "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("release.yaml", []byte(validYAML(t)+"\nsource:\n"+tc.block))
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.fragment) {
					found = true
					assert.Positive(t, p.Line, "problem %s has a line", p.Error())
				}
			}
			assert.True(t, found, "want %s: %s in\n%s", tc.path, tc.fragment, ps.Error())
		})
	}
}

// Validate on a spec built in code (the workflow's input) applies the same rules.
func TestValidateSourceInCode(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	spec.Source = &Source{Base: "v1", Head: "v2", Checks: SourceChecks{Required: []string{"build"}}}
	ps := problemsOf(t, Validate(spec))
	require.Len(t, ps, 1)
	assert.Equal(t, "source.checks.owner", ps[0].Path)
	spec.Source.Checks.Owner = "platform"
	assert.NoError(t, Validate(spec))
}
