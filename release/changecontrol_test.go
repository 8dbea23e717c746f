package release

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChangeControlParsesAndDefaults(t *testing.T) {
	doc := validYAML(t) + "\nchangeControl:\n  waitFor: Implement\n  rejectOn: [Rejected, Cancelled]\n"
	spec, err := Parse("release.yaml", []byte(doc))
	require.NoError(t, err)
	require.NotNil(t, spec.ChangeControl)
	assert.Equal(t, "Implement", spec.ChangeControl.WaitFor)
	assert.Equal(t, []string{"Rejected", "Cancelled"}, spec.ChangeControl.RejectOn)

	assert.Equal(t, time.Minute, spec.ChangeControl.PollEvery.D(), "default poll")
	assert.Equal(t, 72*time.Hour, spec.ChangeControl.Timeout.D(), "default timeout")

	raw := Spec{ChangeControl: &ChangeControl{WaitFor: "Implement"}}
	before := raw.Digest()
	normalized := raw
	normalized.Normalize()
	assert.Equal(t, time.Minute, normalized.ChangeControl.PollEvery.D())
	assert.Zero(t, raw.ChangeControl.PollEvery, "Normalize must not change the caller's spec")
	assert.Equal(t, before, raw.Digest())
}

// A misspelt field inside an optional block (a pointer in Spec) is reported like any other.
func TestUnknownFieldInsideOptionalBlock(t *testing.T) {
	_, err := Parse("release.yaml", []byte(validYAML(t)+"\nmitigation:\n  mitigaton: flag\n"))
	ps := problemsOf(t, err)
	assert.Contains(t, ps.Error(), `mitigation.mitigaton: unknown field "mitigaton"`)
}

func TestChangeControlProblems(t *testing.T) {
	for _, tc := range []struct {
		name, block, path, fragment string
	}{
		{"no status", "  rejectOn: [Rejected]\n", "changeControl.waitFor", "required: the Jira status"},
		{"padded status", "  waitFor: \" Implement\"\n", "changeControl.waitFor", "leading or trailing spaces"},
		{"reject equals wait", "  waitFor: Implement\n  rejectOn: [implement]\n", "changeControl.rejectOn[0]", "also waitFor"},
		{"duplicate reject", "  waitFor: Implement\n  rejectOn: [Rejected, REJECTED]\n", "changeControl.rejectOn[1]", `duplicate status "REJECTED"`},
		{"empty reject", "  waitFor: Implement\n  rejectOn: [\"\"]\n", "changeControl.rejectOn[0]", "required"},
		{"poll too fast", "  waitFor: Implement\n  pollEvery: 100ms\n", "changeControl.pollEvery", "between 1s and 1h0m0s"},
		{"timeout too long", "  waitFor: Implement\n  timeout: 2000h\n", "changeControl.timeout", "between 0"},
		{"unknown field", "  waitFor: Implement\n  waitfor2: x\n", "changeControl.waitfor2", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("release.yaml", []byte(validYAML(t)+"\nchangeControl:\n"+tc.block))
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				found = found || p.Path == tc.path && strings.Contains(p.Message, tc.fragment)
			}
			assert.True(t, found, "want %s: %s in\n%s", tc.path, tc.fragment, ps.Error())
		})
	}
}
