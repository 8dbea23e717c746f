package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
	"github.com/tollgate-dev/tollgate/store"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func directory() governance.Directory {
	return governance.Directory{People: []governance.Person{
		{ID: "alice", Email: "alice@acme.test", GitHub: "alice-gh", Groups: []string{"approvers"}},
		{ID: "bob", Email: "bob@acme.test", GitHub: "bob-gh", Groups: []string{"approvers", "cab"}},
		{ID: "carol", Email: "carol@acme.test", GitHub: "carol-c", Groups: []string{"approvers", "cab"}, Roles: []string{"team-lead"}},
		{ID: "dave", Email: "dave@acme.test", Groups: []string{"approvers"}},
		{ID: "erin", Email: "erin@acme.test", Groups: []string{"approvers", "cab"}},
		{ID: "frank", Email: "frank@acme.test", Groups: []string{"cab"}},
		{ID: "vic", Email: "vic@acme.test", Roles: []string{"exec"}},
	}}
}

// highRisk makes AssessRisk answer "high" with a CAB policy over the test directory.
func highRisk(h *harness) {
	h.assess = func(activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		return activities.AssessRiskResult{
			Assessment:  risk.Assessment{Score: 71, Class: risk.High},
			Explanation: "high: 7 dependents",
			Policy:      governance.Policy{From: []string{"cab"}, Quorum: 2, RequireMitigation: true},
			Directory:   directory(),
		}, nil
	}
}

func mitigated(s release.Spec) release.Spec {
	s.Mitigation = &release.Mitigation{Mitigation: "flag at 1%", RollbackPlan: "runbook", CommunicationPlan: "#shop"}
	s.Authors = []string{"carol-c"}
	return s
}

func TestHighRiskNeedsCABQuorumAndRefusesAuthorsUnderAliases(t *testing.T) {
	h := newHarness(t)
	highRisk(h)
	author := h.at(time.Minute, UpdateApprove, Request{Actor: "carol@acme.test"})
	notCAB := h.at(time.Minute, UpdateApprove, Request{Actor: "dave"})
	first := h.at(2*time.Minute, UpdateApprove, Request{Actor: "bob-gh"})
	var midway Status
	h.env.RegisterDelayedCallback(func() { midway = h.status() }, 3*time.Minute)
	initiator := h.at(4*time.Minute, UpdateApprove, Request{Actor: "erin@acme.test"})
	second := h.at(5*time.Minute, UpdateApprove, Request{Actor: "frank"})
	res := h.run(mitigated(testSpec()))

	assert.ErrorContains(t, author.rejected, "authored a change")
	assert.ErrorContains(t, notCAB.rejected, "dave is not in a group that may approve")
	require.True(t, first.accepted)
	assert.Contains(t, first.result.Message, "still needed")
	assert.Equal(t, PhaseApproval, midway.Phase)
	assert.NotEmpty(t, midway.Approval.Missing)
	assert.ErrorContains(t, initiator.rejected, "started")
	assert.True(t, second.accepted, "%v", second.rejected)
	assert.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	require.NotNil(t, st.Risk)
	assert.Equal(t, risk.High, st.Risk.Class)
}

func TestHighRiskWithoutMitigationPlanEndsBeforeApproval(t *testing.T) {
	h := newHarness(t)
	highRisk(h)
	res := h.run(testSpec())
	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Contains(t, res.Reason, "mitigation")
	assert.Empty(t, h.Calls("deploy"))
}

func TestApprovalRemindsThenEscalatesThenProceeds(t *testing.T) {
	spec := testSpec()
	spec.Approval.Timeout = release.Duration(5 * time.Hour)
	spec.Approval.RemindEvery = release.Duration(time.Hour)
	spec.Approval.EscalateAfter = release.Duration(150 * time.Minute)
	spec.Approval.EscalateTo = "release-leads"
	h := newHarness(t)
	h.env.SetStartTime(t0)
	h.at(4*time.Hour, UpdateApprove, Request{Actor: "bob"})
	h.at(4*time.Hour+time.Minute, UpdateApprove, Request{Actor: "carol"})
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)

	var reminders []time.Duration
	var escalated time.Duration
	for _, ev := range h.status().Timeline {
		switch ev.Kind {
		case "reminder":
			reminders = append(reminders, ev.Time.Sub(t0).Round(time.Minute))
			assert.Contains(t, ev.Message, "not yet answered: bob, carol, dave")
		case "escalation":
			escalated = ev.Time.Sub(t0).Round(time.Minute)
			assert.Contains(t, ev.Message, "escalated to release-leads")
		}
	}
	assert.Equal(t, []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour}[:len(reminders)], reminders)
	assert.GreaterOrEqual(t, len(reminders), 3)
	assert.Equal(t, 150*time.Minute, escalated)
	assert.True(t, h.hasAudit("escalation"))
}

func (h *harness) hasAudit(kind string) bool {
	for _, a := range h.audits {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

// freezeProd blocks the production environments from `from` until `until`.
func freezeProd(h *harness, from, until time.Time) {
	h.freeze = func(in activities.CheckFreezeInput) (activities.CheckFreezeResult, error) {
		if !strings.HasPrefix(in.Environment, "prod") || in.At.Before(from) || !in.At.Before(until) {
			return activities.CheckFreezeResult{Allowed: true, NextAllowed: in.At}, nil
		}
		for _, ex := range in.Exceptions {
			if ex.Freeze == "black-friday" && in.At.Before(ex.Expires) {
				return activities.CheckFreezeResult{Allowed: true, NextAllowed: in.At}, nil
			}
		}
		hit := calendar.Hit{Freeze: calendar.Freeze{ID: "black-friday", Reason: "peak sales", TimeZone: "UTC"}, From: from, Until: until}
		return activities.CheckFreezeResult{Freeze: &hit, NextAllowed: until,
			Message: "freeze \"black-friday\" (peak sales) until " + until.Format(time.RFC3339)}, nil
	}
}

func TestFreezeStartingMidReleaseHoldsTheNextWaveUntilItEnds(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	h.stepTime = time.Minute
	h.approveBoth()
	// Staging runs from 2m to ~11m; the freeze starts at 5m, during staging, and lasts 6h.
	freezeProd(h, t0.Add(5*time.Minute), t0.Add(6*time.Hour))
	var during Status
	h.env.RegisterDelayedCallback(func() { during = h.status() }, time.Hour)
	res := h.run(testSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome)
	assert.Contains(t, during.Waiting, "black-friday")
	assert.Equal(t, WaveCompleted, during.Waves[0].State, "the running wave finished")
	assert.Equal(t, WavePending, during.Waves[1].State, "the next wave is held")
	for _, c := range h.callsOf("deploy") {
		if strings.HasPrefix(c.Env, "prod") {
			assert.False(t, c.At.Before(t0.Add(6*time.Hour)), "%s deployed during the freeze at %s", c, c.At)
		}
	}
}

func (h *harness) callsOf(kind string) []call {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []call
	for _, c := range h.calls {
		if c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

func TestFreezeExceptionOnlyFromAnExecutive(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	h.assess = func(activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		return activities.AssessRiskResult{Assessment: risk.Assessment{Class: risk.Low},
			Policy: governance.Policy{From: []string{"approvers"}, Quorum: 2}, Directory: directory()}, nil
	}
	h.approveBoth()
	freezeProd(h, t0, t0.Add(72*time.Hour))
	expires := t0.Add(24 * time.Hour)
	byLead := h.at(time.Hour, UpdateGrantException, Request{Actor: "carol", Reason: "hotfix", Freeze: "black-friday", Expires: expires})
	noWhy := h.at(time.Hour, UpdateGrantException, Request{Actor: "vic", Freeze: "black-friday", Expires: expires})
	wrong := h.at(time.Hour, UpdateGrantException, Request{Actor: "vic", Reason: "x", Freeze: "xmas", Expires: expires})
	byExec := h.at(2*time.Hour, UpdateGrantException, Request{Actor: "vic", Reason: "security fix for CVE-2026-1", Freeze: "black-friday", Expires: expires})
	res := h.run(testSpec())

	assert.ErrorContains(t, byLead.rejected, "only a person with the \"exec\" role")
	assert.ErrorContains(t, noWhy.rejected, "reason is required")
	assert.ErrorContains(t, wrong.rejected, "held by freeze \"black-friday\", not \"xmas\"")
	require.True(t, byExec.accepted, "exec exception: %v", byExec.rejected)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	require.Len(t, st.Exceptions, 1)
	assert.Equal(t, "vic", st.Exceptions[0].GrantedBy)
	for _, c := range h.callsOf("deploy") {
		if strings.HasPrefix(c.Env, "prod") {
			assert.True(t, c.At.Before(t0.Add(3*time.Hour)), "the exception released the wave at once")
		}
	}
	assert.True(t, h.hasAudit("exception"))
}

func TestWaveWaitsForItsDeploymentWindow(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	opens := t0.Add(10 * time.Hour)
	h.freeze = func(in activities.CheckFreezeInput) (activities.CheckFreezeResult, error) {
		if in.Environment == "prod-eu" && in.At.Before(opens) {
			return activities.CheckFreezeResult{NextAllowed: opens, Window: &calendar.Opening{Window: "prod-eu", TimeZone: "Europe/Berlin", Opens: opens},
				Message: "waiting for window prod-eu: opens 2026-11-25 23:00 Europe/Berlin"}, nil
		}
		return activities.CheckFreezeResult{Allowed: true, NextAllowed: in.At}, nil
	}
	h.approveBoth()
	var during Status
	h.env.RegisterDelayedCallback(func() { during = h.status() }, 5*time.Hour)
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome)
	assert.Equal(t, "waiting for window prod-eu: opens 2026-11-25 23:00 Europe/Berlin", during.Waiting)
	for _, c := range h.callsOf("deploy") {
		if strings.HasPrefix(c.Env, "prod") {
			assert.False(t, c.At.Before(opens))
		}
	}
}

func TestSecondReleaseWaitsForTargetsAnotherHolds(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	free := t0.Add(20 * time.Minute)
	h.conflicts = func(in activities.AcquireTargetsInput) []store.Conflict {
		if in.Environment == "staging" && h.env.Now().Before(free) {
			return []store.Conflict{{Environment: "staging", Service: "cart", ReleaseID: "shop-0"}}
		}
		return nil
	}
	h.approveBoth()
	var during Status
	h.env.RegisterDelayedCallback(func() { during = h.status() }, 10*time.Minute)
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome)
	assert.Equal(t, "staging/cart held by release shop-0", during.Waiting)
	for _, c := range h.callsOf("deploy") {
		assert.False(t, c.At.Before(free), "%s deployed while another release held it", c)
	}
}

func TestConflictPolicyRefuse(t *testing.T) {
	spec := testSpec()
	spec.Deployment.OnConflict = release.OnConflictRefuse
	h := newHarness(t)
	h.conflicts = func(activities.AcquireTargetsInput) []store.Conflict {
		return []store.Conflict{{Environment: "staging", Service: "cart", ReleaseID: "shop-0"}}
	}
	h.approveBoth()
	res := h.run(spec)
	assert.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Contains(t, res.Reason, "refused: staging/cart held by release shop-0")
	assert.Empty(t, h.Calls("deploy"))
}

func TestEveryDecisionIsAuditedInOrderAndSealed(t *testing.T) {
	h := newHarness(t)
	h.stepTime = time.Minute
	h.approveBoth()
	h.at(4*time.Minute, UpdatePause, Request{Actor: "oncall", Reason: "graph"})
	h.at(30*time.Minute, UpdateResume, Request{Actor: "oncall"})
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome)
	var kinds []string
	// Appends from update handlers and the main flow run concurrently, so they may complete in
	// any order; what must hold is that the numbers the workflow assigned are dense.
	audits := slices.Clone(h.audits)
	slices.SortFunc(audits, func(a, b activities.AppendAuditInput) int { return int(a.EventSeq - b.EventSeq) })
	for i, a := range audits {
		assert.Equal(t, int64(i+1), a.EventSeq, "sequence numbers are dense")
		assert.Equal(t, "shop-1", a.ReleaseID)
		kinds = append(kinds, a.Kind)
	}
	for _, k := range []string{"risk", "approval", "pause", "resume", "phase"} {
		assert.Contains(t, kinds, k)
	}
	assert.Equal(t, 1, h.sealed)
	assert.Equal(t, "head", h.status().AuditHead)
}

func TestEmergencyPolicyForcesTheFullReview(t *testing.T) {
	spec := testSpec()
	spec.ReviewDelay = release.Duration(time.Minute)
	h := newHarness(t)
	h.assess = func(activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		return activities.AssessRiskResult{Assessment: risk.Assessment{Class: risk.Emergency, Emergency: true},
			Policy: governance.Policy{Quorum: 1, Flagged: true, ForceReview: true, ReviewAfter: 24 * time.Hour, EscalateAfter: 48 * time.Hour}}, nil
	}
	h.approveBoth()
	res := h.run(spec)
	require.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	assert.True(t, st.Flagged)
	var scheduled, due time.Time
	for _, ev := range st.Timeline {
		switch ev.Kind {
		case "review-scheduled":
			scheduled = ev.Time
		case "review-due":
			due = ev.Time
		}
	}
	assert.Equal(t, 24*time.Hour, due.Sub(scheduled), "the emergency policy overrides the spec's 1m review delay")
}
