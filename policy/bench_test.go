package policy

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchCriteria is 200 criteria of the shapes release specs use, over every source.
func benchCriteria() []Criterion {
	shapes := []string{
		"evidence.perf.p99_ms <= %d && evidence.perf.error_rate < 0.001",
		"evidence.security.sarif.errors == 0 && evidence.security.sarif.warnings < %d",
		"evidence.ci.all_passed && evidence.ci.tests > %d",
		`evidence.security.sarif.by_rule.all(r, evidence.security.sarif.by_rule[r] < %d)`,
		"evidence.checkpoints.docs.complete || %d < 0",
	}
	out := make([]Criterion, 200)
	for i := range out {
		out[i] = Criterion{ID: fmt.Sprintf("c%d", i), Owner: "team", Expr: fmt.Sprintf(shapes[i%len(shapes)], 200+i)}
	}
	return out
}

// BenchmarkEvaluate200 measures one evaluation of 200 compiled criteria, observed values
// included: the readiness budget is 1 ms.
func BenchmarkEvaluate200(b *testing.B) {
	set, err := Compile(benchCriteria())
	require.NoError(b, err)
	c := collected()
	c.Set(SourceDocs, SourceStatus{Collected: true})
	b.ReportAllocs()
	for b.Loop() {
		tab := set.Evaluate(c, "")
		if len(tab.Rows) != 200 {
			b.Fatal(len(tab.Rows))
		}
	}
}

// BenchmarkCompile200 measures compiling 200 new criteria (the cache does not help).
func BenchmarkCompile200(b *testing.B) {
	base := benchCriteria()
	crits := make([]Criterion, len(base))
	n := 0
	for b.Loop() {
		for i := range crits {
			crits[i] = base[i]
			crits[i].Expr += fmt.Sprintf(" || %d == 0", n)
		}
		n++
		if _, err := Compile(crits); err != nil {
			b.Fatal(err)
		}
	}
}
