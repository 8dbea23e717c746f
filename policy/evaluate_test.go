package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/evidence"
)

func TestCheckIssueExamples(t *testing.T) {
	for _, expr := range []string{
		"evidence.perf.p99_ms <= 250 && evidence.perf.error_rate < 0.001",
		"evidence.security.sarif.errors == 0",
		"evidence.ci.all_passed",
		`evidence.security.sarif.by_rule["go/sql-injection"] == 0`,
		`evidence.localization.missing.all(l, evidence.localization.missing[l] < 3)`,
		`"gdpr-dpia" in evidence.attestations`,
	} {
		assert.Empty(t, Check(Criterion{ID: "c", Owner: "team", Expr: expr}), expr)
	}
}

func TestCheckProblems(t *testing.T) {
	tests := []struct {
		name  string
		c     Criterion
		field string
		want  string
	}{
		{"unknown field", Criterion{ID: "perf-p99", Owner: "perf", Expr: "evidence.perf.p98_ms <= 250"}, "expr",
			`criterion "perf-p99": undefined field 'p98_ms' (column 14)`},
		{"unknown source", Criterion{ID: "x", Owner: "o", Expr: "evidence.coverage.percent > 80"}, "expr", `undefined field 'coverage'`},
		{"not bool", Criterion{ID: "x", Owner: "o", Expr: "evidence.perf.p99_ms"}, "expr", "yields double, want bool"},
		{"syntax", Criterion{ID: "x", Owner: "o", Expr: "evidence.ci.all_passed &&"}, "expr", `criterion "x": Syntax error`},
		{"empty expr", Criterion{ID: "x", Owner: "o"}, "expr", "required: a CEL expression"},
		{"type mismatch", Criterion{ID: "x", Owner: "o", Expr: `evidence.ci.all_passed == "yes"`}, "expr", "found no matching overload"},
		{"no owner", Criterion{ID: "perf-p99", Expr: "evidence.ci.all_passed"}, "owner", `criterion "perf-p99" has no owner`},
		{"bad severity", Criterion{ID: "x", Owner: "o", Severity: "fatal", Expr: "evidence.ci.all_passed"}, "severity", `unknown severity "fatal"`},
		{"bad id", Criterion{ID: "Perf P99", Owner: "o", Expr: "evidence.ci.all_passed"}, "id", `invalid criterion ID "Perf P99"`},
		{"undeclared variable", Criterion{ID: "x", Owner: "o", Expr: "env.perf > 1"}, "expr", "undeclared reference to 'env'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Check(tt.c)
			require.NotEmpty(t, ps)
			assert.Equal(t, tt.field, ps[0].Field)
			assert.Contains(t, ps[0].Message, tt.want)
		})
	}
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile([]Criterion{
		{ID: "a", Owner: "o", Expr: "evidence.ci.all_passed"},
		{ID: "a", Owner: "o", Expr: "evidence.ci.all_passed"},
		{ID: "b", Expr: "evidence.nope"},
	})
	var ce *CompileError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), `criteria[1].id: duplicate criterion ID "a" (first at criteria[0])`)
	assert.Contains(t, err.Error(), `criteria[2].owner: criterion "b" has no owner`)
	assert.Contains(t, err.Error(), `criteria[2].expr: criterion "b": undefined field 'nope'`)
}

func collected() *Collected {
	c := &Collected{Evidence: Evidence{
		CI:       evidence.JUnitSummary{Tests: 10, Passed: 10, AllPassed: true},
		Perf:     evidence.PerfSummary{Requests: 100, P99MS: 212.9, ErrorRate: 0.0002, Missing: []string{"p50_ms"}},
		Security: SecurityEvidence{SARIF: evidence.SARIFSummary{Errors: 1, ByRule: map[string]int64{"go/sql-injection": 1}}},
	}}
	c.Set(SourceCI, SourceStatus{Collected: true, Link: "reports/junit.xml"})
	c.Set(SourcePerf, SourceStatus{Collected: true, Link: "reports/k6.json", Missing: []string{"p50_ms"}})
	c.Set(SourceSecurity, SourceStatus{Collected: true, Link: "reports/codeql.sarif"})
	return c
}

func TestEvaluate(t *testing.T) {
	set, err := Compile([]Criterion{
		{ID: "perf", Owner: "perf-team", Expr: "evidence.perf.p99_ms <= 250 && evidence.perf.error_rate < 0.001"},
		{ID: "sast", Owner: "appsec", Expr: "evidence.security.sarif.errors == 0"},
		{ID: "ci", Owner: "qa", Severity: Advisory, Expr: "evidence.ci.all_passed"},
		{ID: "median", Owner: "perf-team", Expr: "evidence.perf.p50_ms < 100"},
		{ID: "a11y", Owner: "design", Expr: "evidence.accessibility.critical == 0"},
		{ID: "missing-key", Owner: "appsec", Expr: `evidence.security.sarif.by_rule["go/xss"] == 0`},
		{ID: "attested", Owner: "privacy", Expr: `evidence.attestations["gdpr-dpia"].attested`},
	})
	require.NoError(t, err)
	c := collected()
	c.Set(SourceAttestations, SourceStatus{Collected: true})
	c.Fail(SourceAccessibility, "reports/axe.json", errors.New("axe-core results: malformed JSON: unexpected end of JSON input"))
	tab := set.Evaluate(c, "")
	byID := map[string]Row{}
	for _, r := range tab.Rows {
		byID[r.Criterion] = r
	}
	perf := byID["perf"]
	assert.True(t, perf.Passed, perf.Message)
	assert.Equal(t, "perf-team", perf.Owner)
	assert.Equal(t, Blocking, perf.Severity)
	assert.Equal(t, PhasePreDeploy, perf.Phase)
	assert.Equal(t, "evidence.perf.error_rate = 0.0002, evidence.perf.p99_ms = 212.9", perf.ObservedText())
	assert.Equal(t, "reports/k6.json", perf.Evidence)

	sast := byID["sast"]
	assert.False(t, sast.Passed)
	assert.Equal(t, "expression is false", sast.Message)
	assert.Equal(t, "evidence.security.sarif.errors = 1", sast.ObservedText())
	assert.True(t, byID["ci"].Passed)

	assert.False(t, byID["median"].Passed)
	assert.Equal(t, "evidence.perf.p50_ms: not in the report", byID["median"].Message)
	assert.False(t, byID["a11y"].Passed)
	assert.Equal(t, `evidence "accessibility" unusable: axe-core results: malformed JSON: unexpected end of JSON input`, byID["a11y"].Message)
	assert.False(t, byID["missing-key"].Passed)
	assert.Contains(t, byID["missing-key"].Message, "evaluation failed: no such key: go/xss")
	assert.False(t, byID["attested"].Passed)
	assert.Contains(t, byID["attested"].Message, "evaluation failed")

	assert.True(t, tab.Blocked())
	assert.Equal(t, []string{"sast", "median", "a11y", "missing-key", "attested"}, tab.Failing())
	assert.Equal(t, "2 of 7 criteria passed, 5 blocking and 0 advisory failed", tab.Summary())
}

func TestEvaluateNoEvidenceNeverPasses(t *testing.T) {
	// The zero value of every field would satisfy these; without collection they must fail.
	set, err := Compile([]Criterion{
		{ID: "sast", Owner: "appsec", Expr: "evidence.security.sarif.errors == 0"},
		{ID: "dr", Owner: "sre", Expr: "!evidence.dr.passed || true"},
	})
	require.NoError(t, err)
	tab := set.Evaluate(&Collected{}, "")
	for _, r := range tab.Rows {
		assert.False(t, r.Passed, r.Criterion)
		assert.Contains(t, r.Message, "no evidence: source")
	}
}

func TestEvaluateAdvisoryDoesNotBlock(t *testing.T) {
	set, err := Compile([]Criterion{{ID: "sast", Owner: "appsec", Severity: Advisory, Expr: "evidence.security.sarif.errors == 0"}})
	require.NoError(t, err)
	tab := set.Evaluate(collected(), "")
	require.Len(t, tab.Rows, 1)
	assert.False(t, tab.Rows[0].Passed)
	assert.False(t, tab.Blocked())
}

func TestEvaluateByPhase(t *testing.T) {
	set, err := Compile([]Criterion{
		{ID: "ci", Owner: "qa", Expr: "evidence.ci.all_passed"},
		{ID: "perf", Owner: "perf", Expr: "evidence.ci.all_passed && evidence.perf.p99_ms < 300"},
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]Phase{"ci": PhaseReadiness, "perf": PhasePreDeploy}, set.Phases())
	r := set.Evaluate(collected(), PhaseReadiness)
	require.Len(t, r.Rows, 1)
	assert.Equal(t, "ci", r.Rows[0].Criterion)
	p := set.Evaluate(collected(), PhasePreDeploy)
	require.Len(t, p.Rows, 1)
	assert.True(t, p.Rows[0].Passed)
}

func TestEvaluateCostLimit(t *testing.T) {
	set, err := Compile([]Criterion{{ID: "slow", Owner: "o",
		Expr: `evidence.ci.failed_tests.exists(a, evidence.ci.failed_tests.exists(b, evidence.ci.failed_tests.exists(c, a + b + c == "x")))`}})
	require.NoError(t, err)
	c := collected()
	for i := range 200 {
		c.Evidence.CI.FailedTests = append(c.Evidence.CI.FailedTests, fmt.Sprint(i))
	}
	tab := set.Evaluate(c, "")
	require.Len(t, tab.Rows, 1)
	assert.False(t, tab.Rows[0].Passed)
	assert.Contains(t, tab.Rows[0].Message, "actual cost limit exceeded")
	assert.Less(t, len(tab.Rows[0].ObservedText()), 300, "observed values are bounded")
	assert.True(t, strings.HasSuffix(tab.Rows[0].Observed[0].Value, "…"))
}
