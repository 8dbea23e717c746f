package review

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)

// fixedRelease is a completed release whose production watch saw one unconfirmed alert and
// one indicator without data.
func fixedRelease() Input {
	return Input{
		ReleaseID: "shop-1", Title: "Shop | spring", Owner: "alice", Outcome: "deployed",
		ReviewedAt:     t0.Add(26 * time.Hour),
		CommitTimes:    []time.Time{t0.Add(-48 * time.Hour), t0.Add(-30 * time.Hour)},
		DeployStarted:  t0.Add(time.Hour),
		DeployFinished: t0.Add(2*time.Hour + 30*time.Minute),
		Timeline: []Event{
			{Time: t0, Kind: "started", Actor: "erin", Message: "release shop-1 started"},
			{Time: t0.Add(30 * time.Minute), Kind: "approved", Message: "approval policy satisfied by bob, carol"},
			{Time: t0.Add(2*time.Hour + 30*time.Minute), Kind: "wave-completed", Message: "wave production completed"},
		},
		Gates: []Gate{
			{Name: "readiness", Outcome: "passed", Evidence: "7 criteria met"},
			{Name: "integrity", Outcome: "passed", Evidence: "3 artifacts verified"},
			{Name: "watch production", Outcome: "healthy", Evidence: "45 evaluations, 1 unconfirmed alert"},
		},
		Alerts: []Alert{{Time: t0.Add(2*time.Hour + 40*time.Minute), Environment: "prod-eu", Service: "cart", Indicator: "errors",
			Value: 2.5, Limit: 1.5, Reason: "2.5 beyond 1.5, not confirmed (1 of 2)"}},
		Gaps: []string{"prod-us/cart/latency"},
	}
}

// rolledBack is a release rolled back after a confirmed breach, with an incident source.
func rolledBack() Input {
	in := fixedRelease()
	in.ReleaseID, in.Title, in.Outcome = "shop-2", "Shop <hotfix>", "rolled-back"
	in.CommitTimes = nil
	in.RolledBack = true
	in.FailureDetected = t0.Add(2*time.Hour + 41*time.Minute)
	in.Restored = t0.Add(2*time.Hour + 55*time.Minute)
	in.Alerts[0].Confirmed = true
	in.Alerts[0].Reason = "2 consecutive evaluations beyond 1.5 (last 2.5)"
	in.Gaps = nil
	in.Anomalies = []Anomaly{{Time: in.FailureDetected, Kind: "watch", Message: "confirmed breach: rollback by policy"}}
	in.IncidentSource = "pagerduty"
	in.Incidents = []Incident{{ID: "INC-9", Title: "cart errors", Severity: "SEV2", Opened: in.FailureDetected, Resolved: in.Restored}}
	return in
}

// escaped is a release that deployed and stayed, but incidents linked to it were found in Jira.
func escaped() Input {
	in := fixedRelease()
	in.IncidentSource = "Jira, label tollgate-shop-1"
	in.Incidents = []Incident{
		{ID: "INC-12", Title: "EU cards declined at checkout", Severity: "High", Opened: t0.Add(3 * time.Hour), Resolved: t0.Add(5 * time.Hour)},
		{ID: "INC-13", Title: "cart totals off by a cent", Opened: t0.Add(4 * time.Hour), Resolved: t0.Add(4*time.Hour + 30*time.Minute)},
	}
	return in
}

func TestGolden(t *testing.T) {
	for name, in := range map[string]Input{"completed": fixedRelease(), "rolled-back": rolledBack(), "escaped": escaped()} {
		r := Build(in)
		md, err := r.Markdown()
		require.NoError(t, err)
		html, err := r.HTML()
		require.NoError(t, err)
		golden(t, name+".md", md)
		golden(t, name+".html", html)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./review/ -update to create the golden files")
	require.Equal(t, string(want), got, "golden file %s differs; rerun with -update if intended", path)
}

func TestDORA(t *testing.T) {
	r := Build(fixedRelease())
	require.Equal(t, 50*time.Hour+30*time.Minute, *r.DORA.LeadTime)
	require.Equal(t, 90*time.Minute, *r.DORA.DeploymentDuration)
	require.False(t, r.DORA.ChangeFailure)
	require.Nil(t, r.DORA.RecoveryTime)

	r = Build(rolledBack())
	require.Nil(t, r.DORA.LeadTime, "no commit times: unknown, never zero")
	require.True(t, r.DORA.ChangeFailure)
	require.Equal(t, 14*time.Minute, *r.DORA.RecoveryTime)
}

func TestEscapedIncidentIsAChangeFailure(t *testing.T) {
	r := Build(escaped())
	require.True(t, r.DORA.ChangeFailure, "an incident linked to a deployed release is a change failure")
	require.Equal(t, "2 incident(s) linked: INC-12, INC-13", r.DORA.ChangeFailureWhy)
	require.Equal(t, 2*time.Hour, *r.DORA.RecoveryTime, "first opened to last resolved")

	open := escaped()
	open.Incidents[1].Resolved = time.Time{}
	r = Build(open)
	require.True(t, r.DORA.ChangeFailure)
	require.Nil(t, r.DORA.RecoveryTime, "not restored while an incident is open")
	md, err := r.Markdown()
	require.NoError(t, err)
	require.Contains(t, md, "| Time to restore | unknown |")
	require.Contains(t, md, "- INC-13 cart totals off by a cent, opened 2026-03-04T13:00:00Z\n", "no severity, no empty brackets")
}

func TestFailedIncidentSearchIsReported(t *testing.T) {
	in := fixedRelease()
	in.IncidentSource, in.IncidentError = "Jira, label tollgate-shop-1", "jira incident search: HTTP 503: unavailable"
	r := Build(in)
	require.False(t, r.DORA.ChangeFailure)
	require.Equal(t, "incidents unknown: the incident search failed", r.DORA.ChangeFailureWhy)
	md, err := r.Markdown()
	require.NoError(t, err)
	html, err := r.HTML()
	require.NoError(t, err)
	for _, out := range []string{md, html} {
		require.Contains(t, out, "From Jira, label tollgate-shop-1: incident search failed: jira incident search: HTTP 503: unavailable")
		require.Contains(t, out, "no (incidents unknown: the incident search failed)")
		require.NotContains(t, out, "No incident linked", "a failed search never claims there were none")
	}
}

func TestSectionsSayWhatIsMissing(t *testing.T) {
	md, err := Build(Input{ReleaseID: "r"}).Markdown()
	require.NoError(t, err)
	for _, want := range []string{"No incident source configured.", "No alert fired.", "No gate ran.", "Every watched indicator returned data.", "unknown (no commit times in the spec)"} {
		require.Contains(t, md, want)
	}
	html, err := Build(rolledBack()).HTML()
	require.NoError(t, err)
	require.Contains(t, html, "Shop &lt;hotfix&gt;")
	require.False(t, strings.Contains(html, "<hotfix>"))
}

func BenchmarkRender(b *testing.B) {
	r := Build(rolledBack())
	for b.Loop() {
		if _, err := r.Markdown(); err != nil {
			b.Fatal(err)
		}
		if _, err := r.HTML(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSummarySaysOutcomeFailureAndCounts(t *testing.T) {
	deployed := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	in := Input{
		ReleaseID: "r1", Outcome: "deployed", DeployStarted: deployed.Add(-time.Hour), DeployFinished: deployed,
		CommitTimes:    []time.Time{deployed.Add(-3 * time.Hour)},
		Anomalies:      []Anomaly{{Kind: "held"}},
		IncidentSource: "Jira, label tollgate-r1",
		Incidents:      []Incident{{ID: "INC-1", Opened: deployed.Add(time.Hour)}},
	}
	got := Build(in).Summary()
	require.Contains(t, got, "outcome deployed")
	require.Contains(t, got, "change failure: yes")
	require.Contains(t, got, "lead time 3h0m0s")
	require.Contains(t, got, "1 anomaly")
	require.Contains(t, got, "1 incident")

	in.Incidents, in.IncidentSource = nil, ""
	got = Build(in).Summary()
	require.Contains(t, got, "change failure: no")
	require.Contains(t, got, "0 incidents (no incident source configured)")
}
