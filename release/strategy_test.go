package release

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func strategiesYAML(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/strategies.yaml")
	require.NoError(t, err)
	return string(b)
}

func TestParseStrategies(t *testing.T) {
	s, err := Parse("strategies.yaml", []byte(strategiesYAML(t)))
	require.NoError(t, err)
	require.Equal(t, 30*time.Minute, s.Deployment.WaveBake.D())

	c := s.Services[0].Strategy
	require.Equal(t, "canary", c.Name())
	require.Equal(t, []CanaryStep{{Weight: 10, Bake: Duration(10 * time.Minute), Analysis: "khi"},
		{Weight: 50, Bake: Duration(20 * time.Minute), Analysis: "khi"}}, c.Canary.Steps)
	require.Equal(t, "./weight.sh", c.Commands.Weight)

	r := s.Services[1].Strategy.Rolling
	require.Equal(t, IntOrPercent("25%"), r.BatchSize)
	require.Equal(t, IntOrPercent("2"), r.MaxUnavailable)

	bg := s.Services[2].Strategy.BlueGreen
	require.Equal(t, "blueGreen", s.Services[2].Strategy.Name())
	require.Equal(t, 30*time.Minute, bg.KeepOld.D())

	tpl, ok := s.Analysis.Template("khi")
	require.True(t, ok)
	require.Equal(t, 2, tpl.ExtendBakeLimit)
	require.Equal(t, map[string]float64{"errors": 2, "latency": 1}, tpl.Groups)
	require.True(t, tpl.Metrics[0].Critical)
	g, _ := s.Analysis.Template("gates")
	require.Equal(t, 2, *g.Metrics[0].Threshold.ConsecutiveErrorLimit)
	_, ok = s.Analysis.Template("nope")
	require.False(t, ok)
}

// A spec without strategies keeps the digest it had before strategies existed: new JSON fields
// are omitted when empty.
func TestStrategyFieldsDoNotChangeOldDigests(t *testing.T) {
	s, err := Parse("valid.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	raw, err := jsonOf(s)
	require.NoError(t, err)
	for _, field := range []string{"strategy", "analysis", "waveBake"} {
		require.NotContains(t, raw, `"`+field+`"`)
	}
}

func TestValidateStrategyProblems(t *testing.T) {
	base := strategiesYAML(t)
	cases := []struct {
		name      string
		pairs     []string
		path, msg string
	}{
		{"two strategies", []string{"      canary:\n", "      rolling: {replicas: 1, batchSize: 1}\n      canary:\n"},
			"services[0].strategy", "exactly one"},
		{"no strategy kind", []string{"      canary:\n        replicas: 4\n", "      x:\n        replicas: 4\n"},
			"services[0].strategy", "exactly one"},
		{"weight out of range", []string{"weight: 50,", "weight: 150,"}, "services[0].strategy.canary.steps[1].weight", "1–100"},
		{"weights decrease", []string{"weight: 50,", "weight: 5,"}, "services[0].strategy.canary.steps[1].weight", "must not decrease"},
		{"analysis without bake", []string{"{weight: 10, bake: 10m,", "{weight: 10,"}, "services[0].strategy.canary.steps[0].bake", "no samples"},
		{"unknown template", []string{"bake: 20m, analysis: khi", "bake: 20m, analysis: kih"}, "services[0].strategy.canary.steps[1].analysis", `did you mean "khi"`},
		{"missing weight command", []string{"weight: ./weight.sh, ", ""}, "services[0].strategy.commands.weight", "required by the canary strategy"},
		{"missing switch command", []string{"switch: ./switch.sh, ", ""}, "services[2].strategy.commands.switch", "required by the blueGreen strategy"},
		{"missing scale command", []string{"commands: {scale: ./scale.sh}", "commands: {}"}, "services[1].strategy.commands.scale", "required by the rolling strategy"},
		{"zero replicas", []string{"replicas: 10,", "replicas: 0,"}, "services[1].strategy.rolling.replicas", "at least 1"},
		{"bad batch", []string{`batchSize: "25%"`, `batchSize: "250%"`}, "services[1].strategy.rolling.batchSize", "0%–100%"},
		{"zero batch", []string{`batchSize: "25%"`, `batchSize: 0`}, "services[1].strategy.rolling.batchSize", "at least 1"},
		{"bad maxUnavailable", []string{"maxUnavailable: 2", "maxUnavailable: two"}, "services[1].strategy.rolling.maxUnavailable", "invalid count"},
		{"keepOld with postAnalysis", []string{"keepOld: 30m, ", ""}, "services[2].strategy.blueGreen.keepOld", "outlive"},
		{"negative wave bake", []string{"waveBake: 30m", "waveBake: -1m"}, "deployment.waveBake", "negative"},
		{"unknown query", []string{"query: latency_p99", "query: latency_p98"}, "analysis.templates[0].metrics[1].query", "did you mean"},
		{"bad direction", []string{"direction: increase, critical", "direction: up, critical"}, "analysis.templates[0].metrics[0].direction", "unknown direction"},
		{"group without weight", []string{"group: latency,", "group: speed,"}, "analysis.templates[0].metrics[1].group", "no weight"},
		{"bad scores", []string{"marginalScore: 70", "marginalScore: 99"}, "analysis.templates[0].passScore", "marginalScore"},
		{"bad effect limit", []string{"effectLimit: 1.1", "effectLimit: 0.5"}, "analysis.templates[0].metrics[1].effectLimit", "at least 1"},
		{"bad condition", []string{`success: "< 0.01"`, `success: "about 0.01"`}, "analysis.templates[1].metrics[0].threshold.success", "invalid condition"},
		{"empty threshold", []string{`{failure: ">= 100"}`, `{count: 3}`}, "analysis.templates[1].metrics[1].threshold", "set success, failure"},
		{"duplicate template", []string{"    - name: gates", "    - name: khi"}, "analysis.templates[1].name", "duplicate"},
		{"empty query", []string{`queue_depth: 'max(queue_depth{service="{{.Service}}",version="{{.Version}}"})'`, `queue_depth: " "`},
			"analysis.queries.queue_depth", "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(edit(t, base, tc.pairs...)))
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				if p.Path == tc.path && containsText(p.Message, tc.msg) {
					found = true
				}
			}
			require.True(t, found, "want %s containing %q; got:\n%s", tc.path, tc.msg, ps.Error())
		})
	}
}

func TestIntOrPercentResolve(t *testing.T) {
	cases := []struct {
		in    IntOrPercent
		total int
		want  int
		err   bool
	}{
		{"3", 10, 3, false}, {"25%", 10, 3, false}, {"1%", 10, 1, false}, {"100%", 7, 7, false},
		{"0%", 10, 0, false}, {"0", 10, 0, false}, {"-1", 10, 0, true}, {"101%", 10, 0, true}, {"x%", 10, 0, true},
	}
	for _, tc := range cases {
		got, err := tc.in.Resolve(tc.total)
		if tc.err {
			require.Error(t, err, string(tc.in))
			continue
		}
		require.NoError(t, err, string(tc.in))
		require.Equal(t, tc.want, got, string(tc.in))
	}
}

func TestParseCondition(t *testing.T) {
	op, limit, err := ParseCondition(" <= 0.5 ")
	require.NoError(t, err)
	require.Equal(t, "<=", op)
	require.Equal(t, 0.5, limit)
	for _, bad := range []string{"", "0.5", "< NaN", "=< 1", "< 1 2"} {
		_, _, err := ParseCondition(bad)
		require.Error(t, err, bad)
	}
}

func jsonOf(s *Spec) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

func containsText(s, sub string) bool { return strings.Contains(s, sub) }
