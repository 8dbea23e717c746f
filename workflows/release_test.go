package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHappyPathDeploysInDependencyOrderAndClosesAfterReview(t *testing.T) {
	h := newHarness(t)
	h.approveBoth()
	spec := testSpec()
	res := h.run(spec)

	assert.Equal(t, OutcomeCompleted, res.Outcome)
	deploys := h.Calls("deploy")
	require.Len(t, deploys, 9)
	// staging goes first, entirely; each environment follows the dependency chain.
	assert.Equal(t, []string{"staging/catalog", "staging/cart", "staging/checkout"}, deploys[:3])
	for _, env := range []string{"prod-eu", "prod-us"} {
		assert.Less(t, slices.Index(deploys, env+"/catalog"), slices.Index(deploys, env+"/cart"))
		assert.Less(t, slices.Index(deploys, env+"/cart"), slices.Index(deploys, env+"/checkout"))
	}
	assert.Len(t, h.Calls("verify"), 9)
	assert.Len(t, h.Calls("smoke"), 9)
	assert.Empty(t, h.Calls("rollback"))

	st := h.status()
	assert.Equal(t, PhaseClosed, st.Phase)
	for _, w := range st.Waves {
		assert.Equal(t, WaveCompleted, w.State)
		for _, e := range w.Environments {
			for _, s := range e.Services {
				assert.Equal(t, ServiceDeployed, s.State, "%s/%s", e.Name, s.Name)
			}
		}
	}
	// The review waited the full default delay on the workflow clock.
	require.Len(t, h.closed, 1)
	assert.Equal(t, "completed", h.closed[0].Outcome)
	assert.GreaterOrEqual(t, h.closed[0].ClosedAt.Sub(st.ReviewDue.Add(-24*time.Hour)), 24*time.Hour)
	kinds := map[string]bool{}
	for _, ev := range st.Timeline {
		kinds[ev.Kind] = true
	}
	for _, k := range []string{"started", "intake", "approval", "approved", "wave-started", "wave-completed", "review-due", "closed"} {
		assert.True(t, kinds[k], "timeline lacks %q", k)
	}
}

func TestApprovalNeedsQuorumOfDistinctApprovers(t *testing.T) {
	h := newHarness(t)
	first := h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	again := h.at(2*time.Minute, UpdateApprove, Request{Actor: "bob"})
	var midway Status
	h.env.RegisterDelayedCallback(func() { midway = h.status() }, 3*time.Minute)
	second := h.at(4*time.Minute, UpdateApprove, Request{Actor: "dave"})
	res := h.run(testSpec())

	assert.True(t, first.accepted)
	assert.ErrorContains(t, again.rejected, "bob already approved")
	assert.Equal(t, PhaseApproval, midway.Phase, "one approval of two must not open the gate")
	assert.Len(t, midway.Approval.Approved, 1)
	assert.True(t, second.accepted)
	assert.Equal(t, "approved by dave (2 of 2)", second.result.Message)
	assert.Equal(t, OutcomeCompleted, res.Outcome)
}

func TestSegregationOfDutiesAndEligibility(t *testing.T) {
	spec := testSpec()
	spec.Approval.Approvers = []string{"alice", "erin", "bob", "carol"}
	h := newHarness(t)
	owner := h.at(time.Minute, UpdateApprove, Request{Actor: "alice"})
	initiator := h.at(time.Minute, UpdateApprove, Request{Actor: "erin"})
	stranger := h.at(time.Minute, UpdateApprove, Request{Actor: "mallory"})
	anonymous := h.at(time.Minute, UpdateApprove, Request{Actor: " "})
	h.approveBoth()
	res := h.run(spec)

	assert.ErrorContains(t, owner.rejected, "alice owns release \"shop-1\" and cannot approve it")
	assert.ErrorContains(t, initiator.rejected, "erin started release \"shop-1\" and cannot approve it")
	assert.ErrorContains(t, stranger.rejected, "mallory is not an approver")
	assert.ErrorContains(t, anonymous.rejected, "no acting identity")
	assert.Equal(t, OutcomeCompleted, res.Outcome)
	for _, d := range h.status().Approval.Approved {
		assert.NotContains(t, []string{"alice", "erin", "mallory"}, d.Actor, "a refused update must write nothing")
	}
}

func TestApprovalTimeoutExpiresRelease(t *testing.T) {
	h := newHarness(t)
	h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	res := h.run(testSpec())
	assert.Equal(t, OutcomeApprovalExpired, res.Outcome)
	assert.Contains(t, res.Reason, "1 of 2 approvals")
	assert.Empty(t, h.Calls("deploy"))
}

func TestRejectEndsRelease(t *testing.T) {
	h := newHarness(t)
	noReason := h.at(time.Minute, UpdateReject, Request{Actor: "carol"})
	rej := h.at(2*time.Minute, UpdateReject, Request{Actor: "carol", Reason: "no rollback plan"})
	late := h.at(3*time.Minute, UpdateApprove, Request{Actor: "bob"})
	res := h.run(testSpec())
	assert.ErrorContains(t, noReason.rejected, "a reason is required")
	assert.True(t, rej.accepted)
	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Equal(t, "rejected by carol: no rollback plan", res.Reason)
	assert.False(t, late.accepted, "an approval after the rejection must not be accepted")
	assert.Empty(t, h.Calls("deploy"))
}

func TestPauseHoldsNewStepsUntilResume(t *testing.T) {
	h := newHarness(t)
	h.stepTime = time.Minute
	h.approveBoth()
	// Deploying starts at 2m; each step takes 1m. Pause at 3m30s, resume at 1h.
	pauseAt, resumeAt := 3*time.Minute+30*time.Second, time.Hour
	pause := h.at(pauseAt, UpdatePause, Request{Actor: "oncall", Reason: "alert on checkout"})
	again := h.at(pauseAt+time.Minute, UpdatePause, Request{Actor: "oncall", Reason: "again"})
	var during Status
	h.env.RegisterDelayedCallback(func() { during = h.status() }, 30*time.Minute)
	resume := h.at(resumeAt, UpdateResume, Request{Actor: "oncall"})
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h.env.SetStartTime(start)
	res := h.run(testSpec())

	require.True(t, pause.accepted)
	assert.ErrorContains(t, again.rejected, "already paused")
	assert.True(t, resume.accepted)
	assert.True(t, during.Paused)
	assert.Equal(t, OutcomeCompleted, res.Outcome)
	var inPause int
	for _, s := range h.stepStarts() {
		if s.After(start.Add(pauseAt)) && s.Before(start.Add(resumeAt)) {
			inPause++
		}
	}
	assert.Zero(t, inPause, "no step may start while the release is paused")
	assert.Len(t, h.Calls("deploy"), 9, "the release completes after resume")
}

func TestRollbackDuringWaveUndoesEverythingInReverseOrder(t *testing.T) {
	h := newHarness(t)
	h.stepTime = time.Minute
	h.approveBoth()
	// staging (3 services × deploy+verify) ends near 8m; the production wave is running at 10m.
	rb := h.at(10*time.Minute, UpdateRollback, Request{Actor: "oncall", Reason: "error budget burning"})
	res := h.run(testSpec())

	require.True(t, rb.accepted)
	assert.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Contains(t, res.Reason, "rollback requested by oncall: error budget burning")
	rollbacks := h.Calls("rollback")
	deploys := h.Calls("deploy")
	// Every target whose deploy started is rolled back, and nothing else.
	assert.ElementsMatch(t, deploys, rollbacks)
	// Production rolls back before staging; staging in reverse dependency order.
	n := len(rollbacks)
	assert.Equal(t, []string{"staging/checkout", "staging/cart", "staging/catalog"}, rollbacks[n-3:])
	for _, env := range []string{"prod-eu", "prod-us"} {
		if i, j := slices.Index(rollbacks, env+"/cart"), slices.Index(rollbacks, env+"/catalog"); i >= 0 && j >= 0 {
			assert.Less(t, i, j, "%s: cart rolls back before catalog", env)
		}
	}
	st := h.status()
	for _, w := range st.Waves {
		for _, e := range w.Environments {
			for _, s := range e.Services {
				assert.Contains(t, []ServiceState{ServiceRolledBack, ServicePending}, s.State, "%s/%s", e.Name, s.Name)
			}
		}
	}
}

func TestSmokeFailureRollsBackByItself(t *testing.T) {
	h := newHarness(t)
	h.failSmoke["smoke prod-us/cart"] = true
	h.approveBoth()
	res := h.run(testSpec())

	assert.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Contains(t, res.Reason, "wave production failed: cart in prod-us")
	assert.NotContains(t, h.Calls("deploy"), "prod-us/checkout", "nothing starts after a failure")
	rollbacks := h.Calls("rollback")
	assert.Contains(t, rollbacks, "prod-us/cart", "the failed service itself is rolled back")
	assert.Equal(t, []string{"staging/checkout", "staging/cart", "staging/catalog"}, rollbacks[len(rollbacks)-3:])
	st := h.status()
	assert.Equal(t, WaveRolledBack, st.Waves[1].State)
	assert.Equal(t, WaveRolledBack, st.Waves[0].State)
}

func TestFailedRollbackStepEndsRollbackFailed(t *testing.T) {
	h := newHarness(t)
	h.failSmoke["smoke staging/checkout"] = true
	h.failStep["rollback staging/cart"] = true
	h.approveBoth()
	res := h.run(testSpec())
	assert.Equal(t, OutcomeRollbackFailed, res.Outcome)
	// catalog is held: rolling it back under a cart that did not roll back would break cart.
	assert.Equal(t, []string{"staging/checkout", "staging/cart"}, h.Calls("rollback"))
	var catalog ServiceStatus
	for _, s := range h.status().Waves[0].Environments[0].Services {
		if s.Name == "catalog" {
			catalog = s
		}
	}
	assert.Equal(t, ServiceDeployed, catalog.State)
	assert.Contains(t, catalog.Error, "held")
}

func TestRollbackDuringReviewAndControlsRefusedWhenClosed(t *testing.T) {
	h := newHarness(t)
	h.approveBoth()
	early := h.at(30*time.Second, UpdateRollback, Request{Actor: "oncall", Reason: "x"})
	rb := h.at(2*time.Hour, UpdateRollback, Request{Actor: "oncall", Reason: "incident INC-7"})
	res := h.run(testSpec())
	assert.ErrorContains(t, early.rejected, "nothing deployed to roll back")
	require.True(t, rb.accepted)
	assert.Equal(t, OutcomeRolledBack, res.Outcome)
	assert.Len(t, h.Calls("rollback"), 9)
}

func TestReviewTimerSkipsTimeAndRespectsSpecDelay(t *testing.T) {
	spec := testSpec()
	spec.ReviewDelay = 0
	spec.Normalize()
	require.Equal(t, 24*time.Hour, spec.ReviewDelay.D(), "review defaults to 24h")
	h := newHarness(t)
	h.approveBoth()
	res := h.run(spec)
	assert.Equal(t, OutcomeCompleted, res.Outcome)
	st := h.status()
	var due, closed time.Time
	for _, ev := range st.Timeline {
		switch ev.Kind {
		case "review-scheduled":
			due = ev.Time
		case "review-due":
			closed = ev.Time
		}
	}
	assert.Equal(t, 24*time.Hour, closed.Sub(due))
}
