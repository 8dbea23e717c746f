package risk

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var now = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

func shop() []Node {
	return []Node{
		{Name: "ledger", Owner: "payments"},
		{Name: "payments-api", Owner: "payments", DependsOn: []string{"ledger"}},
		{Name: "checkout", Owner: "storefront", DependsOn: []string{"payments-api"}},
		{Name: "web", Owner: "storefront", DependsOn: []string{"checkout", "catalog"}},
		{Name: "catalog", Owner: "catalog"},
		{Name: "reports", Owner: "finance", DependsOn: []string{"ledger"}},
	}
}

func find(a Assessment, feature string) Contribution {
	for _, c := range a.Contributions {
		if c.Feature == feature {
			return c
		}
	}
	return Contribution{}
}

func TestAssess(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name  string
		in    Input
		class Class
		check func(t *testing.T, a Assessment)
	}{
		{"leaf change with good history is low", Input{Graph: shop(), Changed: []string{"web"}, Size: &ChangeSize{Files: 3, Lines: 40},
			History: []History{{Service: "web", LastSuccess: now.Add(-48 * time.Hour), Releases: 40, Failures: 1}}, InPeakHours: &no, Now: now}, Low,
			func(t *testing.T, a Assessment) {
				assert.Empty(t, a.Blast.Dependents)
				assert.Zero(t, find(a, FeatureBlastRadius).Points)
			}},
		{"ledger migration with unknown size and peak is high", Input{Graph: shop(), Changed: []string{"ledger"}, Migration: true,
			History: []History{{Service: "ledger", LastSuccess: now.AddDate(0, -6, 0), Releases: 10, Failures: 4, Rollbacks: 3, Incidents: 2}}, Now: now}, High,
			func(t *testing.T, a Assessment) {
				assert.Equal(t, []string{"checkout", "payments-api", "reports", "web"}, a.Blast.Dependents)
				assert.Equal(t, []string{"finance", "payments", "storefront"}, a.Blast.Teams)
				size := find(a, FeatureChangeSize)
				assert.True(t, size.Unknown)
				assert.Contains(t, size.Value, "unknown (no SCM data)")
				assert.InDelta(t, 7.5, size.Points, 0.001, "unknown counts half, not zero")
				assert.Contains(t, a.Explain(), "changeSize")
				assert.Contains(t, a.Explain(), "unknown (no peak hours configured)")
			}},
		{"never-released service is fully stale and has little history", Input{Graph: shop(), Changed: []string{"catalog"}, Size: &ChangeSize{}, InPeakHours: &yes, Now: now}, Low,
			func(t *testing.T, a Assessment) {
				assert.Equal(t, "catalog: never released successfully", find(a, FeatureStaleness).Value)
				assert.True(t, find(a, FeatureFailureRate).Unknown)
				assert.EqualValues(t, 5, find(a, FeaturePeakHours).Points)
			}},
		{"failed incident search is unknown, not zero", Input{Graph: shop(), Changed: []string{"web"}, Size: &ChangeSize{Files: 3, Lines: 40}, InPeakHours: &no, Now: now,
			History: []History{{Service: "web", LastSuccess: now.Add(-48 * time.Hour), Releases: 40, IncidentsUnknown: "jira search failed: HTTP 400"}}}, Low,
			func(t *testing.T, a Assessment) {
				inc := find(a, FeatureIncidents)
				assert.True(t, inc.Unknown)
				assert.EqualValues(t, 2.5, inc.Points, "counted at the unknown weight")
				assert.Contains(t, a.Explain(), "web: unknown (jira search failed: HTTP 400); counted at 50%")
			}},
		{"emergency is declared, not computed", Input{Graph: shop(), Changed: []string{"web"}, Size: &ChangeSize{}, InPeakHours: &no, Emergency: true, Now: now,
			History: []History{{Service: "web", LastSuccess: now, Releases: 40}}}, Emergency,
			func(t *testing.T, a Assessment) {
				assert.True(t, a.Emergency)
				assert.Less(t, a.Score, 30.0)
				assert.Contains(t, a.Explain(), "declared emergency")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Assess(DefaultConfig(), tt.in)
			assert.Equal(t, tt.class, a.Class, a.Explain())
			var sum float64
			for _, c := range a.Contributions {
				sum += c.Points
			}
			assert.InDelta(t, a.Score, sum, 0.05, "score is the sum of the contributions")
			assert.Len(t, a.Contributions, 10)
			tt.check(t, a)
		})
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig([]byte("weights:\n  migration: 30\nthresholds:\n  high: 70\n"))
	require.NoError(t, err)
	assert.EqualValues(t, 30, c.Weights.Migration)
	assert.EqualValues(t, 70, c.Thresholds.High)
	assert.EqualValues(t, 30, c.Thresholds.Medium, "defaults kept")

	_, err = LoadConfig([]byte("thresholds:\n  medium: 80\n  high: 60\n"))
	require.ErrorContains(t, err, "want 0 < medium < high")
	_, err = LoadConfig([]byte("weights:\n  teams: -1\n"))
	require.ErrorContains(t, err, "weights.teams: must not be negative")
}

// referenceDependents is a deliberately different algorithm: grow the set to a fixpoint.
func referenceDependents(graph []Node, changed []string) []string {
	in := map[string]bool{}
	for _, c := range changed {
		in[c] = true
	}
	known := map[string]bool{}
	for _, n := range graph {
		known[n.Name] = true
	}
	for grown := true; grown; {
		grown = false
		for _, n := range graph {
			if in[n.Name] {
				continue
			}
			for _, d := range n.DependsOn {
				if in[d] && known[d] {
					in[n.Name], grown = true, true
					break
				}
			}
		}
	}
	var out []string
	for name := range in {
		if known[name] && !slices.Contains(changed, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func randomDAG(t *rapid.T) ([]Node, []string) {
	n := rapid.IntRange(1, 60).Draw(t, "services")
	graph := make([]Node, n)
	for i := range graph {
		graph[i] = Node{Name: fmt.Sprintf("s%02d", i), Owner: fmt.Sprintf("team-%d", rapid.IntRange(0, 4).Draw(t, "owner"))}
		if i > 0 {
			// Edges only to earlier nodes: acyclic by construction.
			for _, d := range rapid.SliceOfNDistinct(rapid.IntRange(0, i-1), 0, 4, rapid.ID).Draw(t, "deps") {
				graph[i].DependsOn = append(graph[i].DependsOn, graph[d].Name)
			}
		}
	}
	k := rapid.IntRange(1, min(5, n)).Draw(t, "changed")
	var changed []string
	for _, i := range rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), k, k, rapid.ID).Draw(t, "changedIdx") {
		changed = append(changed, graph[i].Name)
	}
	return graph, changed
}

func TestBlastRadiusMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		graph, changed := randomDAG(t)
		got := BlastRadius(graph, changed)
		want := referenceDependents(graph, changed)
		if !slices.Equal(got.Dependents, want) {
			t.Fatalf("changed %v: BlastRadius %v, reference %v", changed, got.Dependents, want)
		}
	})
}

// BenchmarkAssess1000 scores a release of 10 services in a 1,000-service graph.
func BenchmarkAssess1000(b *testing.B) {
	graph := make([]Node, 1000)
	for i := range graph {
		graph[i] = Node{Name: fmt.Sprintf("svc-%04d", i), Owner: fmt.Sprintf("team-%d", i%40)}
		for k := 1; k <= 3 && i-k*7 >= 0; k++ {
			graph[i].DependsOn = append(graph[i].DependsOn, graph[i-k*7].Name)
		}
	}
	changed := []string{"svc-0000", "svc-0001", "svc-0002", "svc-0100", "svc-0200", "svc-0300", "svc-0400", "svc-0500", "svc-0600", "svc-0700"}
	in := Input{Graph: graph, Changed: changed, Now: now}
	cfg := DefaultConfig()
	for b.Loop() {
		Assess(cfg, in)
	}
}
