package workflows

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/docs"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
)

// scriptedMetrics answers Instant with successive values per query (the last repeating) and
// Range with a steady baseline of 1.
type scriptedMetrics struct {
	mu     sync.Mutex
	values map[string][]float64
	calls  int
}

func (s *scriptedMetrics) Range(context.Context, string, time.Time, time.Time, time.Duration) ([]float64, error) {
	return []float64{1, 1.1, 0.9, 1, 1.05, 0.95}, nil
}

func (s *scriptedMetrics) Instant(_ context.Context, q string, _ time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	v, ok := s.values[q]
	if !ok {
		return math.NaN(), &prometheus.Error{Class: prometheus.Inconclusive, Query: q, Err: prometheus.ErrNoData}
	}
	if len(v) > 1 {
		s.values[q] = v[1:]
	}
	return v[0], nil
}

// realWatch runs the real WatchHealth activity against scripted metrics with a clock that
// advances when slept on: the hour-long watch takes milliseconds.
func realWatch(m *scriptedMetrics) func(context.Context, activities.WatchHealthInput) (activities.WatchHealthResult, error) {
	return func(ctx context.Context, in activities.WatchHealthInput) (activities.WatchHealthResult, error) {
		var mu sync.Mutex
		now := in.BaselineEnd.Add(time.Hour)
		clock := activities.Clock{
			Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
			Sleep: func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(d)
				return nil
			},
		}
		return (&activities.Activities{Metrics: m, Clock: clock}).WatchHealth(ctx, in)
	}
}

// watchSpec watches n indicators of cart after the production wave at 30-second resolution.
func watchSpec(n int, onBreach string) release.Spec {
	s := testSpec()
	w := &release.Watch{Dense: release.Duration(time.Hour), DenseEvery: release.Duration(30 * time.Second), OnBreach: onBreach}
	for i := range n {
		w.Indicators = append(w.Indicators, release.Indicator{Name: fmt.Sprintf("khi%d", i), Service: "cart",
			Query: fmt.Sprintf(`khi%d{job="${SERVICE}",env="${ENVIRONMENT}"}`, i), ByVersion: fmt.Sprintf(`khi%d{job="${SERVICE}",env="${ENVIRONMENT}",version="${VERSION}"}`, i),
			MaxRelative: 0.5})
	}
	s.PostDeploy = &release.PostDeploy{Watch: w}
	return s
}

// steady makes every indicator of the spec report v in both production environments.
func steady(s release.Spec, v float64) *scriptedMetrics {
	m := &scriptedMetrics{values: map[string][]float64{}}
	for _, ind := range s.PostDeploy.Watch.Indicators {
		for _, env := range []string{"prod-eu", "prod-us"} {
			m.values[fmt.Sprintf(`khi%s{job="cart",env="%s",version="2.0.0"}`, strings.TrimPrefix(ind.Name, "khi"), env)] = []float64{v}
		}
	}
	return m
}

func TestHealthWatchOfAnHourFinishesAndTheReleaseIsHandedOver(t *testing.T) {
	spec := watchSpec(10, release.WatchPause)
	spec.Commits = []release.Commit{{SHA: "abc123", Time: "2026-01-01T10:00:00Z"}}
	m := steady(spec, 1)
	h := newHarness(t)
	h.watch = realWatch(m)
	h.approveBoth()
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	require.Len(t, st.Watch, 1, "only the production wave is watched")
	assert.Equal(t, "production", st.Watch[0].Wave)
	assert.Equal(t, activities.WatchHealthy, st.Watch[0].Verdict)
	assert.Equal(t, 120, st.Watch[0].Evaluations, "every 30 s for an hour")
	assert.Equal(t, 2*10*120, m.calls, "two environments × 10 indicators × 120 evaluations")
	assert.NotContains(t, kinds(st.Timeline), "held")

	require.Len(t, h.reviews, 1)
	rv := h.reviews[0].Review
	assert.False(t, rv.RolledBack)
	assert.Len(t, rv.CommitTimes, 1, "lead time comes from the spec's commits")
	assert.False(t, rv.DeployFinished.Before(rv.DeployStarted))
	assert.Contains(t, fmt.Sprint(rv.Gates), "watch production")
	require.Len(t, h.handoffs, 1)
	assert.Equal(t, "kb:1", h.handoffs[0].ReviewLink, "the handoff links the filed review")
	require.Len(t, h.archives, 1)
	assert.Equal(t, "/archive/shop-1.tar.gz", st.Archive.Path)
	assert.Contains(t, kinds(st.Timeline), "handoff-unacknowledged", "nobody can acknowledge in the test spec")
}

func TestBreachConfirmedOnTheSecondEvaluationPausesTheRelease(t *testing.T) {
	spec := watchSpec(1, release.WatchPause)
	m := steady(spec, 1)
	m.values[`khi0{job="cart",env="prod-eu",version="2.0.0"}`] = []float64{9, 9, 1}
	h := newHarness(t)
	h.watch = realWatch(m)
	h.approveBoth()
	var held Status
	h.env.RegisterDelayedCallback(func() { held = h.status() }, 10*24*time.Hour)
	resumed := h.at(10*24*time.Hour+time.Minute, UpdateResume, Request{Actor: "alice", Reason: "false alarm: a batch job"})
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	require.NoError(t, resumed.err)

	assert.True(t, held.Paused, "a confirmed breach pauses the release")
	assert.Equal(t, PhaseDeploying, held.Phase)
	require.Len(t, held.Watch, 1)
	w := held.Watch[0]
	assert.Equal(t, activities.WatchBreach, w.Verdict)
	assert.Equal(t, 2, w.Evaluations, "confirmed on the second evaluation")
	require.Len(t, w.Alerts, 2)
	assert.False(t, w.Alerts[0].Confirmed)
	assert.True(t, w.Alerts[1].Confirmed)
	st := h.status()
	assert.Subset(t, kinds(st.Timeline), []string{"watch-breach", "held", "resumed", "review-filed"})
	assert.Equal(t, 1, countKind(h, "pause"), "the hold is audited")
	require.Len(t, h.reviews, 1)
	assert.Len(t, h.reviews[0].Review.Alerts, 2)
}

func countKind(h *harness, kind string) int {
	n := 0
	for _, a := range h.audits {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

func TestASingleNoisySampleDoesNotPause(t *testing.T) {
	spec := watchSpec(1, release.WatchPause)
	m := steady(spec, 1)
	m.values[`khi0{job="cart",env="prod-eu",version="2.0.0"}`] = []float64{1, 9, 1}
	h := newHarness(t)
	h.watch = realWatch(m)
	h.approveBoth()
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	assert.NotContains(t, kinds(st.Timeline), "held")
	require.Len(t, st.Watch, 1)
	assert.Equal(t, activities.WatchHealthy, st.Watch[0].Verdict)
	require.Len(t, st.Watch[0].Alerts, 1, "the noisy sample is reported, unconfirmed")
	assert.False(t, st.Watch[0].Alerts[0].Confirmed)
}

func TestConfirmedBreachRollsBackByPolicyAndFilesTheReview(t *testing.T) {
	spec := watchSpec(1, release.WatchRollback)
	m := steady(spec, 1)
	m.values[`khi0{job="cart",env="prod-us",version="2.0.0"}`] = []float64{9}
	h := newHarness(t)
	h.watch = realWatch(m)
	h.approveBoth()
	res := h.run(spec)
	require.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Contains(t, res.Reason, "health watch of wave production: confirmed breach of khi0 for cart in prod-us")
	require.Len(t, h.reviews, 1)
	rv := h.reviews[0].Review
	assert.True(t, rv.RolledBack)
	assert.False(t, rv.FailureDetected.IsZero())
	assert.Len(t, h.archives, 1)
	assert.Empty(t, h.handoffs, "a rolled-back release is not handed over")
}

func TestTelemetryNotReadyHoldsTheRelease(t *testing.T) {
	spec := watchSpec(1, release.WatchPause)
	h := newHarness(t)
	h.watch = func(context.Context, activities.WatchHealthInput) (activities.WatchHealthResult, error) {
		return activities.WatchHealthResult{Verdict: activities.WatchTelemetryNotReady,
			Telemetry: []activities.TelemetryReport{{Environment: "prod-eu", Service: "cart", Share: 0.4}}}, nil
	}
	h.approveBoth()
	rolledBack := h.at(5*24*time.Hour, UpdateRollback, Request{Actor: "alice", Reason: "cannot see the new version"})
	res := h.run(spec)
	require.NoError(t, rolledBack.err)
	require.Equal(t, OutcomeRolledBack, res.Outcome)
	st := h.status()
	assert.Equal(t, activities.WatchTelemetryNotReady, st.Watch[0].Verdict, "never healthy")
	var held string
	for _, ev := range st.Timeline {
		if ev.Kind == "held" {
			held = ev.Message
		}
	}
	assert.Contains(t, held, "telemetry not ready after wave production: cart in prod-eu reports the new version from 40% of instances")
}

func TestHandoffWaitsForTheSupportGroupWithRemindersAndEscalation(t *testing.T) {
	spec := testSpec()
	spec.Handoff = release.Handoff{Contact: "support", Members: []string{"sam", "tia"}, RemindEvery: release.Duration(time.Hour),
		EscalateAfter: release.Duration(150 * time.Minute), EscalateTo: "support-leads"}
	h := newHarness(t)
	h.approveBoth()
	early := h.at(time.Hour, UpdateAcknowledgeHandoff, Request{Actor: "sam"})
	// The review is due 24 h after the last wave; the handoff starts then.
	stranger := h.at(26*time.Hour, UpdateAcknowledgeHandoff, Request{Actor: "mallory"})
	ack := h.at(28*time.Hour+30*time.Minute, UpdateAcknowledgeHandoff, Request{Actor: "tia", Reason: "runbook read"})
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	require.ErrorContains(t, early.rejected, "not waiting for a handoff acknowledgement (phase review)")
	require.ErrorContains(t, stranger.rejected, `mallory is not in the support group "support"`)
	require.NoError(t, ack.err)
	assert.True(t, ack.accepted)

	st := h.status()
	require.NotNil(t, st.Handoff)
	assert.Equal(t, "tia", st.Handoff.Acknowledged.Actor)
	assert.False(t, st.Handoff.Escalated.IsZero())
	var notes []string
	for _, in := range h.handoffs {
		notes = append(notes, in.Kind+">"+in.To)
	}
	// Package, reminders at 1 h and 2 h, escalation at 2.5 h, then ack at about 4.5 h after
	// the handoff began (reminders at 3 h and 4 h), passed on to the support channel.
	assert.Equal(t, []string{"handoff>", "handoff-reminder>", "handoff-reminder>", "handoff-escalation>support-leads", "handoff-reminder>", "handoff-reminder>", "handoff-acknowledged>"}, notes)
	last := h.handoffs[len(h.handoffs)-1]
	assert.Equal(t, "tia", last.AcknowledgedBy)
	assert.Equal(t, st.Handoff.Acknowledged.Time, last.At)
	assert.Equal(t, 4, st.Handoff.Reminders)
	assert.Subset(t, kinds(st.Timeline), []string{"review-filed", "handoff-sent", "handoff-reminder", "escalation", "handoff-acknowledged", "archived"})
	assert.Equal(t, 1, countKind(h, "handoff"), "the acknowledgement is audited")
}

func TestHandoffAcknowledgedThroughTheDirectoryGroup(t *testing.T) {
	spec := testSpec()
	spec.Handoff.Members = []string{"mallory"} // ignored: the directory names the group
	h := newHarness(t)
	h.assess = func(activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		d := directory()
		d.People = append(d.People, governance.Person{ID: "sam", Email: "sam@acme.test", Slack: "U01SAM", Groups: []string{"support"}})
		return activities.AssessRiskResult{Assessment: risk.Assessment{Score: 12, Class: risk.Low},
			Policy: governance.Policy{From: []string{"approvers"}, Quorum: 2}, Directory: d}, nil
	}
	h.approveBoth()
	outsider := h.at(25*time.Hour, UpdateAcknowledgeHandoff, Request{Actor: "mallory"})
	ack := h.at(26*time.Hour, UpdateAcknowledgeHandoff, Request{Actor: "U01SAM"})
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	require.ErrorContains(t, outsider.rejected, `mallory is not in the support group "support" of release "shop-1" (members: sam)`)
	require.NoError(t, ack.rejected)
	st := h.status()
	assert.Equal(t, []string{"sam"}, st.Handoff.Members)
	assert.Equal(t, "U01SAM", st.Handoff.Acknowledged.Actor)
	assert.Zero(t, st.Handoff.Reminders, "acknowledged within the first reminder interval")
}

func TestBreakingAPIChangesAreFlaggedBeforeApproval(t *testing.T) {
	spec := testSpec()
	spec.Services[1].OpenAPI = "file:///api/cart.yaml"
	h := newHarness(t)
	h.apiDocs = func(activities.AttachAPIDocsInput) (activities.AttachAPIDocsResult, error) {
		return activities.AttachAPIDocsResult{Reports: []activities.APIDocReport{
			{Service: "cart", Version: "2.0.0", Previous: "1.9.0", Changes: 3, Breaking: []docs.Change{{Where: "GET /legacy", Message: "operation removed", Breaking: true}}},
		}}, nil
	}
	var atApproval Status
	h.env.RegisterDelayedCallback(func() { atApproval = h.status() }, 30*time.Second)
	h.approveBoth()
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	require.Equal(t, PhaseApproval, atApproval.Phase)
	require.Len(t, atApproval.APIDocs, 1)
	assert.Contains(t, kinds(atApproval.Timeline), "api-breaking")
	assert.Contains(t, fmt.Sprint(h.reviews[0].Review.Gates), "1 breaking change(s)")
}
