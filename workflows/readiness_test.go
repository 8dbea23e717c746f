package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

// mockReadiness registers the readiness activities; each answers through its harness field
// when set. Every CollectEvidence call is recorded in h.collects.
func (h *harness) mockReadiness(a *activities.Activities) {
	h.env.OnActivity(a.RecordConfigSnapshot, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ConfigSnapshotInput) (activities.ConfigSnapshotResult, error) {
		if h.snapshot != nil {
			return h.snapshot(in)
		}
		files := map[string]string{}
		for _, p := range in.Paths {
			files[p] = "sha256:snapshot-of-" + p
		}
		return activities.ConfigSnapshotResult{Files: files}, nil
	})
	h.env.OnActivity(a.CollectEvidence, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error) {
		h.mu.Lock()
		h.collects = append(h.collects, in)
		n := len(h.collects)
		h.mu.Unlock()
		if h.collect != nil {
			return h.collect(in)
		}
		return activities.CollectEvidenceResult{Digest: fmt.Sprintf("sha256:evidence-%d", n)}, nil
	})
	h.env.OnActivity(a.EvaluateReadiness, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		if h.evaluate != nil {
			return h.evaluate(in)
		}
		return evaluation(), nil
	})
	h.env.OnActivity(a.CheckRollbackPrerequisites, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RollbackPrerequisitesInput) (policy.RollbackEvidence, error) {
		h.mu.Lock()
		h.rollbackChecks = append(h.rollbackChecks, in)
		h.mu.Unlock()
		if h.rollbackCheck != nil {
			return h.rollbackCheck(in)
		}
		return policy.RollbackEvidence{
			ConfigSnapshot: policy.VerifySnapshot(in.ConfigSnapshot, in.ConfigSnapshot),
			Script:         policy.ScriptEvidence{Ready: true, Present: true, Executable: true, DryRunOK: true},
		}, nil
	})
}

// collected returns the phases CollectEvidence was called for, in order.
// sendFromActivity sends an update while an activity mock runs (the activity is still in
// flight when the workflow sees it) and returns once the validator has decided.
func (h *harness) sendFromActivity(t *testing.T, name string, req Request) *updateOutcome {
	out := newUpdateOutcome()
	h.send(name, req, out)
	select {
	case <-out.decided:
	case <-time.After(10 * time.Second):
		t.Errorf("update %s undecided", name)
	}
	return out
}

func (h *harness) collected() []policy.Phase {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []policy.Phase{}
	for _, in := range h.collects {
		out = append(out, in.Phase)
	}
	return out
}

func criterionRow(id, owner string, sev policy.Severity, passed bool) policy.Row {
	r := policy.Row{Criterion: id, Owner: owner, Severity: sev, Phase: policy.PhaseReadiness,
		Expected: "evidence.ci.all_passed", Observed: []policy.Observation{{Path: "evidence.ci.all_passed", Value: fmt.Sprint(passed)}},
		Evidence: "reports/junit.xml", Passed: passed}
	if !passed {
		r.Message = "expression is false"
	}
	return r
}

func evaluation(rows ...policy.Row) activities.EvaluateReadinessResult {
	t := policy.Table{Rows: append([]policy.Row{}, rows...)}
	return activities.EvaluateReadinessResult{Table: t, Blocked: t.Blocked(), Summary: t.Summary()}
}

// readinessSpec is testSpec with declared criteria, so both gates run.
func readinessSpec() release.Spec {
	s := testSpec()
	s.Readiness.Criteria = []release.CriterionSpec{
		{ID: "ci-green", Owner: "quinn", Expr: "evidence.ci.all_passed"},
		{ID: "no-sast-errors", Owner: "sam", Expr: "evidence.security.sarif.errors == 0"},
		{ID: "docs-reviewed", Owner: "dora", Severity: "advisory", Expr: "evidence.checkpoints.docs.complete"},
	}
	s.Evidence.JUnit = []string{"reports/junit.xml"}
	return s
}

// statusAt captures the status query's answer at d on the workflow clock.
func (h *harness) statusAt(d time.Duration) *Status {
	st := &Status{}
	h.env.RegisterDelayedCallback(func() { *st = h.status() }, d)
	return st
}

func (st Status) gate(phase Phase) GateStatus {
	if st.Readiness != nil {
		for _, g := range st.Readiness.Gates {
			if g.Phase == phase {
				return g
			}
		}
	}
	return GateStatus{}
}

func TestReadinessBlockedThenRecheckPasses(t *testing.T) {
	h := newHarness(t)
	evaluations := 0
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		if in.Phase != policy.PhaseReadiness {
			return evaluation(), nil
		}
		evaluations++
		return evaluation(
			criterionRow("ci-green", "quinn", policy.Blocking, evaluations > 1),
			criterionRow("no-sast-errors", "sam", policy.Blocking, true),
		), nil
	}
	blocked := h.statusAt(time.Minute)
	recheck := h.at(time.Minute, UpdateRecheck, Request{Actor: "erin", Reason: "junit report fixed"})
	// A second recheck right behind the first is refused: either it is still pending or the
	// gate is collecting again.
	dup := h.at(time.Minute, UpdateRecheck, Request{Actor: "frank"})
	late := h.at(3*time.Minute, UpdateRecheck, Request{Actor: "erin"})
	h.at(4*time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.at(5*time.Minute, UpdateApprove, Request{Actor: "carol"})

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	assert.Equal(t, PhaseReadinessBlocked, blocked.Phase)
	g := blocked.gate(PhaseReadiness)
	require.True(t, g.Blocked)
	require.Len(t, g.Rows, 2)
	assert.Equal(t, "ci-green", g.Rows[0].Criterion)
	assert.Equal(t, "quinn", g.Rows[0].Owner)
	assert.Equal(t, "evidence.ci.all_passed", g.Rows[0].Expected)
	assert.Equal(t, "evidence.ci.all_passed = false", g.Rows[0].ObservedText())
	assert.Equal(t, "reports/junit.xml", g.Rows[0].Evidence)
	assert.False(t, g.Rows[0].Passed)
	assert.Equal(t, "sha256:evidence-1", g.EvidenceDigest)

	require.True(t, recheck.accepted, errString(recheck.rejected))
	assert.Contains(t, recheck.result.Message, "recheck requested by erin")
	assert.Error(t, dup.rejected)
	assert.False(t, dup.accepted)
	assert.ErrorContains(t, late.rejected, "is not blocked by a readiness gate")
	assert.Equal(t, []policy.Phase{policy.PhaseReadiness, policy.PhaseReadiness, policy.PhasePreDeploy}, h.collected())
	st := h.status()
	assert.False(t, st.gate(PhaseReadiness).Blocked)
	assert.Equal(t, 2, st.gate(PhaseReadiness).Evaluations)
	assert.Contains(t, kinds(st.Timeline), "recheck")
	assert.Contains(t, kinds(st.Timeline), "readiness-passed")
}

// A check finishes while the gate is still collecting evidence that read it as running: the
// recheck it prompts is kept, and the gate that then blocks collects again at once instead of
// waiting for a person to ask.
func TestRecheckDuringTheEvaluationRunsAgainIfTheGateBlocks(t *testing.T) {
	h := newHarness(t)
	var during *updateOutcome
	h.collect = func(in activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error) {
		if in.Phase == policy.PhaseReadiness && len(h.collected()) == 1 {
			during = h.sendFromActivity(t, UpdateRecheck, Request{Actor: "github", Reason: `GitHub check "build" finished success`})
		}
		return activities.CollectEvidenceResult{Digest: "sha256:evidence"}, nil
	}
	evaluations := 0
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		if in.Phase != policy.PhaseReadiness {
			return evaluation(), nil
		}
		evaluations++
		return evaluation(criterionRow("ci-green", "quinn", policy.Blocking, evaluations > 1)), nil
	}
	h.approveBoth()

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	require.True(t, during.accepted, errString(during.rejected))
	assert.Contains(t, during.result.Message, "collects it again if this round blocks")
	assert.Equal(t, []policy.Phase{policy.PhaseReadiness, policy.PhaseReadiness, policy.PhasePreDeploy}, h.collected())
	st := h.status()
	g := st.gate(PhaseReadiness)
	assert.Equal(t, 2, g.Evaluations)
	assert.Nil(t, g.Recheck)
	var gate []string
	for _, k := range kinds(st.Timeline) {
		if k == "readiness-blocked" || k == "recheck" || k == "readiness-passed" {
			gate = append(gate, k)
		}
	}
	assert.Equal(t, []string{"readiness-blocked", "recheck", "readiness-passed"}, gate)
}

// A recheck asked during an evaluation that passes is answered by the passing: nothing runs
// again and nothing stays pending.
func TestRecheckDuringAPassingEvaluationIsSpent(t *testing.T) {
	h := newHarness(t)
	var during *updateOutcome
	h.collect = func(in activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error) {
		if in.Phase == policy.PhaseReadiness {
			during = h.sendFromActivity(t, UpdateRecheck, Request{Actor: "github"})
		}
		return activities.CollectEvidenceResult{Digest: "sha256:evidence"}, nil
	}
	h.approveBoth()

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	require.True(t, during.accepted, errString(during.rejected))
	assert.Equal(t, []policy.Phase{policy.PhaseReadiness, policy.PhasePreDeploy}, h.collected())
	assert.Nil(t, h.status().gate(PhaseReadiness).Recheck)
}

func TestReadinessWaivedByOwnerProceeds(t *testing.T) {
	h := newHarness(t)
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		if in.Phase != policy.PhaseReadiness {
			return evaluation(), nil
		}
		return evaluation(
			criterionRow("ci-green", "quinn", policy.Blocking, false),
			criterionRow("no-sast-errors", "sam", policy.Blocking, false),
		), nil
	}
	first := h.at(time.Minute, UpdateWaive, Request{Actor: "quinn", Reason: "flaky test quarantined, JIRA-12", Criterion: "ci-green"})
	halfway := h.statusAt(time.Minute + time.Second)
	second := h.at(2*time.Minute, UpdateWaive, Request{Actor: "sam", Reason: "false positive, triaged", Criterion: "no-sast-errors"})
	h.at(3*time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.at(4*time.Minute, UpdateApprove, Request{Actor: "carol"})

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	require.True(t, first.accepted, errString(first.rejected))
	assert.Contains(t, first.result.Message, "still blocked")
	assert.Equal(t, PhaseReadinessBlocked, halfway.Phase, "one blocking failure is left after the first waiver")
	require.True(t, second.accepted, errString(second.rejected))
	assert.Contains(t, second.result.Message, "the release proceeds")
	assert.Equal(t, []policy.Phase{policy.PhaseReadiness, policy.PhasePreDeploy}, h.collected(), "a waiver needs no new collection")

	st := h.status()
	g := st.gate(PhaseReadiness)
	assert.False(t, g.Blocked)
	require.NotNil(t, g.Rows[0].Waiver)
	assert.Equal(t, "quinn", g.Rows[0].Waiver.Actor)
	assert.Equal(t, "flaky test quarantined, JIRA-12", g.Rows[0].Waiver.Reason)
	assert.False(t, g.Rows[0].Waiver.Time.IsZero())
	require.Len(t, st.Readiness.Waivers, 2)
	assert.Equal(t, "sam", st.Readiness.Waivers[1].Actor)
	var waivers []Event
	for _, ev := range st.Timeline {
		if ev.Kind == "waiver" {
			waivers = append(waivers, ev)
		}
	}
	require.Len(t, waivers, 2)
	assert.Equal(t, "quinn", waivers[0].Actor)
	assert.Contains(t, waivers[0].Message, "ci-green waived: flaky test quarantined")
	var audited []string
	for _, in := range h.audits {
		if in.Kind == "waiver" {
			audited = append(audited, in.Actor+": "+in.Reason)
		}
	}
	assert.Equal(t, []string{"quinn: flaky test quarantined, JIRA-12", "sam: false positive, triaged"}, audited, "every waiver is in the audit trail")
}

func TestWaiverRefusals(t *testing.T) {
	h := newHarness(t)
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		return evaluation(
			criterionRow("ci-green", "quinn", policy.Blocking, false),
			criterionRow("no-sast-errors", "sam", policy.Blocking, true),
			criterionRow("docs-reviewed", "dora", policy.Advisory, false),
		), nil
	}
	early := h.at(0, UpdateWaive, Request{Actor: "quinn", Reason: "too early", Criterion: "ci-green"})
	cases := []struct {
		name string
		req  Request
		want string
	}{
		{"non-owner", Request{Actor: "bob", Reason: "looks fine to me", Criterion: "ci-green"}, `bob does not own criterion "ci-green" of release "shop-1" (owner: quinn); only its owner may waive it`},
		{"no reason", Request{Actor: "quinn", Criterion: "ci-green"}, "a reason is required to waive a criterion"},
		{"no criterion", Request{Actor: "quinn", Reason: "x"}, "name the criterion to waive"},
		{"unknown criterion", Request{Actor: "quinn", Reason: "x", Criterion: "ci-gren"}, `has no criterion "ci-gren" (criteria: ci-green, no-sast-errors, docs-reviewed)`},
		{"passing", Request{Actor: "sam", Reason: "x", Criterion: "no-sast-errors"}, `criterion "no-sast-errors" passes; nothing to waive`},
		{"advisory", Request{Actor: "dora", Reason: "x", Criterion: "docs-reviewed"}, `criterion "docs-reviewed" is advisory and never blocks`},
		{"no actor", Request{Reason: "x", Criterion: "ci-green"}, "no acting identity"},
	}
	outcomes := make([]*updateOutcome, len(cases))
	for i, c := range cases {
		outcomes[i] = h.at(time.Minute, UpdateWaive, c.req)
	}
	blocked := h.statusAt(2 * time.Minute)
	reject := h.at(3*time.Minute, UpdateReject, Request{Actor: "bob", Reason: "not ready this week"})

	res := h.run(readinessSpec())

	assert.ErrorContains(t, early.rejected, "is not blocked by a readiness gate")
	for i, c := range cases {
		assert.ErrorContains(t, outcomes[i].rejected, c.want, c.name)
		assert.False(t, outcomes[i].accepted, c.name)
	}
	assert.Equal(t, PhaseReadinessBlocked, blocked.Phase, "refused waivers change nothing")
	assert.Nil(t, blocked.gate(PhaseReadiness).Rows[0].Waiver)
	require.True(t, reject.accepted, errString(reject.rejected))
	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Equal(t, "rejected by bob: not ready this week", res.Reason)
	assert.Equal(t, []policy.Phase{policy.PhaseReadiness}, h.collected())
}

func TestAdvisoryFailureDoesNotBlock(t *testing.T) {
	h := newHarness(t)
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		return evaluation(
			criterionRow("ci-green", "quinn", policy.Blocking, true),
			criterionRow("docs-reviewed", "dora", policy.Advisory, false),
		), nil
	}
	h.approveBoth()

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	st := h.status()
	g := st.gate(PhaseReadiness)
	assert.False(t, g.Blocked)
	require.Len(t, g.Rows, 2)
	assert.False(t, g.Rows[1].Passed, "the advisory failure is shown")
	assert.Contains(t, g.Summary, "1 advisory failed")
	assert.NotContains(t, phases(st.Timeline), string(PhaseReadinessBlocked))
	assert.Contains(t, kinds(st.Timeline), "readiness-advisory")
}

func TestPreDeployMigrationFailureBlocks(t *testing.T) {
	h := newHarness(t)
	spec := testSpec()
	spec.PreDeploy = release.PreDeploySpec{Owner: "dba", Migrations: release.MigrationsSpec{
		Dir: "migrations", Baseline: "baseline.sql", DSNEnv: "TOLLGATE_PG_DSN",
		Invariants: []release.SQLInvariant{{Name: "customers", Query: "select count(*) from customers"}},
	}}
	h.evaluate = func(in activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error) {
		row := policy.MigrationCriterion("dba")
		return evaluation(policy.Row{Criterion: row.ID, Owner: row.Owner, Severity: row.Severity, Phase: policy.PhasePreDeploy,
			Expected: row.Expr, Evidence: "migrations", Message: "expression is false",
			Observed: []policy.Observation{{Path: "evidence.migration.failed", Value: `["customers: 0, want 1200"]`}}}), nil
	}
	blocked := h.statusAt(time.Minute)
	refused := h.at(time.Minute, UpdateWaive, Request{Actor: "bob", Reason: "ship it", Criterion: policy.IDMigration})
	h.at(2*time.Minute, UpdateReject, Request{Actor: "carol", Reason: "migration loses customers"})

	res := h.run(spec)

	assert.Equal(t, OutcomeRejected, res.Outcome)
	assert.Equal(t, []policy.Phase{policy.PhasePreDeploy}, h.collected(), "no readiness block: only the pre-deploy gate runs")
	assert.Equal(t, PhaseReadinessBlocked, blocked.Phase)
	g := blocked.gate(PhasePreDeploy)
	require.True(t, g.Blocked)
	require.Len(t, g.Rows, 1)
	assert.Equal(t, policy.IDMigration, g.Rows[0].Criterion)
	assert.Equal(t, "dba", g.Rows[0].Owner)
	assert.ErrorContains(t, refused.rejected, "(owner: dba)")
	assert.Contains(t, kinds(blocked.Timeline), "pre-deploy-blocked")
}

func TestCollectionFailureBlocksUntilRecheck(t *testing.T) {
	h := newHarness(t)
	attempts := 0
	h.collect = func(in activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error) {
		attempts++
		if attempts <= gateActivityAttempts {
			return activities.CollectEvidenceResult{}, fmt.Errorf("evidence store unavailable")
		}
		return activities.CollectEvidenceResult{Digest: "sha256:ok"}, nil
	}
	blocked := h.statusAt(time.Hour)
	refused := h.at(time.Hour, UpdateWaive, Request{Actor: "quinn", Reason: "x", Criterion: "ci-green"})
	h.at(time.Hour+time.Minute, UpdateRecheck, Request{Actor: "erin"})
	h.at(time.Hour+2*time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.at(time.Hour+3*time.Minute, UpdateApprove, Request{Actor: "carol"})

	res := h.run(readinessSpec())

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	assert.Equal(t, PhaseReadinessBlocked, blocked.Phase, "a gate that cannot collect evidence fails closed")
	assert.Contains(t, blocked.gate(PhaseReadiness).Error, "evidence store unavailable")
	assert.ErrorContains(t, refused.rejected, `has no criterion "ci-green"`)
}

func TestConfigSnapshotVerifiedBeforeRollback(t *testing.T) {
	h := newHarness(t)
	spec := testSpec()
	spec.RollbackPrerequisites = release.RollbackSpec{Owner: "ops", ConfigSnapshot: []string{"config/app.yaml", "config/db.yaml"}}
	h.rollbackCheck = func(in activities.RollbackPrerequisitesInput) (policy.RollbackEvidence, error) {
		current := map[string]string{"config/app.yaml": in.ConfigSnapshot["config/app.yaml"], "config/db.yaml": "sha256:edited"}
		return policy.RollbackEvidence{ConfigSnapshot: policy.VerifySnapshot(in.ConfigSnapshot, current)}, nil
	}
	h.failStep["deploy prod-eu/cart"] = true
	h.approveBoth()

	res := h.run(spec)

	assert.Equal(t, OutcomeRolledBack, res.Outcome, "a snapshot mismatch warns; the rollback still runs")
	st := h.status()
	want := map[string]string{"config/app.yaml": "sha256:snapshot-of-config/app.yaml", "config/db.yaml": "sha256:snapshot-of-config/db.yaml"}
	assert.Equal(t, want, st.Readiness.ConfigSnapshot)
	require.Len(t, h.rollbackChecks, 1)
	assert.Equal(t, want, h.rollbackChecks[0].ConfigSnapshot, "the rollback verifies against the snapshot taken at release start")
	require.NotNil(t, st.Readiness.RollbackCheck)
	assert.False(t, st.Readiness.RollbackCheck.Ready)
	var warning string
	for _, ev := range st.Timeline {
		if ev.Kind == "rollback-prerequisites-warning" {
			warning = ev.Message
		}
	}
	assert.Contains(t, warning, "configuration snapshot mismatch: config/db.yaml: digest mismatch")
	assert.Contains(t, h.Calls("rollback"), "prod-eu/catalog")
}

func TestReleaseWithoutReadinessBlocksRunsNoGate(t *testing.T) {
	h := newHarness(t)
	h.approveBoth()
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	assert.Empty(t, h.collected())
	assert.Nil(t, h.status().Readiness)
}

func kinds(events []Event) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.Kind
	}
	return out
}

// phases lists the phases a release went through, from its timeline.
func phases(events []Event) []string {
	var out []string
	for _, ev := range events {
		if ev.Kind == "phase" {
			out = append(out, ev.Message[len("phase "):])
		}
	}
	return out
}

func TestDeclaredGates(t *testing.T) {
	cases := []struct {
		name                 string
		edit                 func(*release.Spec)
		readiness, preDeploy bool
	}{
		{"none", func(*release.Spec) {}, false, false},
		{"criteria", func(s *release.Spec) {
			s.Readiness.Criteria = []release.CriterionSpec{{ID: "c", Owner: "o", Expr: "true"}}
		}, true, true},
		{"docs checkpoint", func(s *release.Spec) { s.Readiness.Checkpoints.Docs.Files = []string{"NOTES.md"} }, true, false},
		{"evidence only", func(s *release.Spec) { s.Evidence.SARIF = []string{"sast.sarif"} }, true, false},
		{"rollback prerequisites", func(s *release.Spec) { s.RollbackPrerequisites.ConfigSnapshot = []string{"app.yaml"} }, true, false},
		{"source checks", func(s *release.Spec) {
			s.Source = &release.Source{Base: "v1", Head: "abc", Checks: release.SourceChecks{Owner: "platform"}}
		}, true, false},
		{"source without checks", func(s *release.Spec) { s.Source = &release.Source{Base: "v1", Head: "abc"} }, false, false},
		{"pre-deploy load", func(s *release.Spec) { s.PreDeploy.Load = release.LoadSpec{Target: "http://x", Rate: 1} }, false, true},
		{"pre-deploy migrations", func(s *release.Spec) { s.PreDeploy.Migrations.Dir = "migrations" }, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := testSpec()
			c.edit(&s)
			assert.Equal(t, c.readiness, declaresReadiness(s), "readiness")
			assert.Equal(t, c.preDeploy, declaresPreDeploy(s), "pre-deploy")
		})
	}
}
