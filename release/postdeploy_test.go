package release

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const postDeployYAML = `
commits:
  - {sha: abc123, time: 2026-11-01T10:00:00Z}
postDeploy:
  telemetry: {minShare: 0.8}
  watch:
    waves: [production]
    onBreach: rollback
    indicators:
      - name: errors
        service: ledger
        query: sum(rate(http_requests_total{job="${SERVICE}",code=~"5.."}[1m]))
        byVersion: sum(rate(http_requests_total{job="${SERVICE}",version="${VERSION}",code=~"5.."}[1m]))
        maxRelative: 0.5
`

const smokeStepsYAML = `      - name: health
        url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz
        steps:
          - name: login
            method: POST
            url: /login
            capture: [{name: token, jsonPath: $.token}]
          - name: order
            url: /orders
            headers: {Authorization: "Bearer ${token}"}
            capture: [{name: order, regexp: 'id="([^"]+)"'}]
          - name: read
            url: /orders/${order}
            maxLatency: 500ms
`

func TestPostDeploySpecParsesAndValidates(t *testing.T) {
	doc := validYAML(t) + postDeployYAML
	doc = edit(t, doc, "    smoke:\n      - name: health\n        url: http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz\n        expectStatus: 200\n", "    smoke:\n"+smokeStepsYAML)
	s, err := Parse("valid.yaml", []byte(doc))
	require.NoError(t, err)
	require.Equal(t, WatchRollback, s.PostDeploy.Watch.OnBreach)
	require.Len(t, s.Services[0].Smoke[0].Steps, 3)
	at, ok := s.Commits[0].At()
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), at)
	w := s.PostDeploy.Watch.WatchDefaults()
	require.Equal(t, Duration(time.Hour), w.Duration)
	require.Equal(t, 2, w.Consecutive)
	require.True(t, w.Watched(s.Waves, 1))
	require.False(t, w.Watched(s.Waves, 0))
}

func TestPostDeployProblems(t *testing.T) {
	base := validYAML(t)
	tests := []struct {
		name, doc, path, frag string
	}{
		{"unknown wave", base + edit(t, postDeployYAML, "waves: [production]", "waves: [prod]"), "postDeploy.watch.waves", `wave "prod" is not declared`},
		{"bad policy", base + edit(t, postDeployYAML, "onBreach: rollback", "onBreach: page"), "postDeploy.watch.onBreach", "want pause or rollback"},
		{"unknown service", base + edit(t, postDeployYAML, "service: ledger", "service: ledgr"), "postDeploy.watch.indicators[0].service", `service "ledgr" is not declared`},
		{"no limit", base + edit(t, postDeployYAML, "        maxRelative: 0.5\n", ""), "postDeploy.watch.indicators[0]", "want maxRelative"},
		{"share above one", base + edit(t, postDeployYAML, "minShare: 0.8", "minShare: 80"), "postDeploy.telemetry.minShare", "between 0 and 1"},
		{"commit without time", base + edit(t, postDeployYAML, ", time: 2026-11-01T10:00:00Z", ""), "commits[0].time", "required"},
		{"capture used before it is made", edit(t, base, "        expectStatus: 200\n", "        steps:\n          - {name: read, url: '/orders/${order}'}\n"), "services[0].smoke[0].steps[0]", "uses ${order}, which no earlier step captures"},
		{"capture with two sources", edit(t, base, "        expectStatus: 200\n", "        steps:\n          - {name: a, url: /a, capture: [{name: x, jsonPath: $.x, regexp: '(x)'}]}\n"), "services[0].smoke[0].steps[0].capture[0]", "exactly one of jsonPath or regexp"},
		{"regexp without group", edit(t, base, "        expectStatus: 200\n", "        steps:\n          - {name: a, url: /a, capture: [{name: x, regexp: 'x+'}]}\n"), "services[0].smoke[0].steps[0].capture[0].regexp", "capturing group"},
		{"escalation without target", edit(t, base, `  channel: "#support"`, "  channel: \"#support\"\n  escalateAfter: 4h"), "handoff.escalateTo", "required with escalateAfter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("valid.yaml", []byte(tc.doc))
			ps := problemsOf(t, err)
			require.Len(t, ps, 1, "%v", ps)
			require.Equal(t, tc.path, ps[0].Path)
			require.Contains(t, ps[0].Message, tc.frag)
		})
	}
}
