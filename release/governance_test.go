package release

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const governanceYAML = `
emergency: true
mitigation:
  mitigation: behind a feature flag
  rollbackPlan: runbook rollback
  communicationPlan: "#payments"
authors: [bob-gh, carol@example.com]
`

func TestGovernanceFields(t *testing.T) {
	doc := edit(t, validYAML(t), "  - name: ledger\n", "  - name: ledger\n    owner: payments\n    migration: true\n") + governanceYAML
	spec, err := Parse("release.yaml", []byte(doc))
	require.NoError(t, err)
	assert.True(t, spec.Emergency)
	assert.Equal(t, []string{"bob-gh", "carol@example.com"}, spec.Authors)
	assert.Equal(t, "runbook rollback", spec.Mitigation.RollbackPlan)
	assert.Equal(t, "payments", spec.Services[0].Owner)
	assert.True(t, spec.Services[0].Migration)
}

func TestGovernanceProblems(t *testing.T) {
	doc := validYAML(t) + "\nmitigation:\n  mitigation: flag\n  rollbackPlan: \"\"\n  communicationPlan: \" \"\nauthors: [bob, BOB]\n"
	_, err := Parse("release.yaml", []byte(doc))
	ps := problemsOf(t, err)
	for _, want := range []struct{ path, fragment string }{
		{"mitigation.rollbackPlan", "required in a mitigation plan: how to roll back"},
		{"mitigation.communicationPlan", "who is told"},
		{"authors[1]", `duplicate author "BOB"`},
	} {
		found := false
		for _, p := range ps {
			found = found || p.Path == want.path && strings.Contains(p.Message, want.fragment)
		}
		assert.True(t, found, "want %s: %s in\n%s", want.path, want.fragment, ps.Error())
	}
}
