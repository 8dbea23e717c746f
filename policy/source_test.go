package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSourceChecks(t *testing.T) {
	pass := func(name string) SourceCheck { return SourceCheck{Name: name, Conclusion: "success", Passed: true} }
	fail := func(name, concl string) SourceCheck { return SourceCheck{Name: name, Conclusion: concl} }
	tests := []struct {
		name     string
		checks   []SourceCheck
		required []string
		passed   bool
		failed   []string
		missing  []string
	}{
		{"all pass, required reported", []SourceCheck{pass("build"), pass("test"), pass("lint")}, []string{"build", "test"}, true, []string{}, []string{}},
		{"all pass, nothing required", []SourceCheck{pass("build")}, nil, true, []string{}, []string{}},
		{"nothing reported", nil, nil, false, []string{}, []string{}},
		{"nothing reported, required missing", nil, []string{"build"}, false, []string{}, []string{"build"}},
		{"required not reported", []SourceCheck{pass("build")}, []string{"build", "e2e"}, false, []string{}, []string{"e2e"}},
		{"unrequired check failed", []SourceCheck{pass("build"), fail("flaky", "failure")}, []string{"build"}, false, []string{"flaky"}, []string{}},
		{"still running", []SourceCheck{pass("build"), fail("e2e", "in_progress")}, nil, false, []string{"e2e"}, []string{}},
		{"run passed, status failed", []SourceCheck{pass("build"), fail("build", "failure")}, []string{"build"}, false, []string{"build"}, []string{}},
		{"failed twice named once", []SourceCheck{fail("build", "failure"), fail("build", "error")}, nil, false, []string{"build"}, []string{}},
		{"required repeated", []SourceCheck{pass("a")}, []string{"b", "b"}, false, []string{}, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := SourceChecks("9f2c4e1", tt.checks, tt.required)
			assert.Equal(t, tt.passed, ev.AllPassed)
			assert.Equal(t, tt.failed, ev.Failed)
			assert.Equal(t, tt.missing, ev.Missing)
			assert.Equal(t, "9f2c4e1", ev.Head)
			assert.Len(t, ev.Checks, len(tt.checks))
		})
	}
}

func TestSourceChecksCriterionSaysWhy(t *testing.T) {
	set, err := Compile([]Criterion{SourceChecksCriterion("platform")})
	require.NoError(t, err)
	assert.Equal(t, PhaseReadiness, set.Phases()[IDSourceChecks])
	judge := func(c *Collected) Row {
		rows := set.Evaluate(c, PhaseReadiness).Rows
		require.Len(t, rows, 1)
		return rows[0]
	}

	c := &Collected{}
	c.Evidence.Source = SourceChecks("9f2c4e1", []SourceCheck{{Name: "build", Conclusion: "failure"}}, []string{"test"})
	c.Set(SourceSCM, SourceStatus{Collected: true, Link: "github commit 9f2c4e1"})
	row := judge(c)
	assert.False(t, row.Passed)
	assert.Contains(t, row.Observed, Observation{Path: "evidence.source.failed", Value: `["build"]`})
	assert.Contains(t, row.Observed, Observation{Path: "evidence.source.missing", Value: `["test"]`})
	assert.Equal(t, "github commit 9f2c4e1", row.Evidence)

	c.Evidence.Source = SourceChecks("9f2c4e1", []SourceCheck{{Name: "build", Conclusion: "success", Passed: true}}, []string{"build"})
	assert.True(t, judge(c).Passed)

	// GitHub unreachable or not configured: the source failed and so does the criterion.
	c.Fail(SourceSCM, "", assert.AnError)
	row = judge(c)
	assert.False(t, row.Passed)
	assert.Contains(t, row.Message, `evidence "source" unusable`)
}

func TestChangeSizeSaysWhenItIsALowerBound(t *testing.T) {
	assert.Equal(t, "12 files, 340 lines", ChangeSize{Files: 12, Lines: 340}.String())
	assert.Equal(t, "at least 300 files, at least 9120 lines (GitHub lists only the first 300 changed files)",
		ChangeSize{Files: 300, Lines: 9120, Truncated: true}.String())
}
