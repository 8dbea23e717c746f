package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
	"github.com/tollgate-dev/tollgate/store"
)

const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// testSpec is a three-service chain (catalog ← cart ← checkout) across staging, then two
// production regions in parallel.
func testSpec() release.Spec {
	svc := func(name string, deps ...string) release.Service {
		return release.Service{
			Name: name, Version: "2.0.0", DependsOn: deps,
			Artifact: release.Artifact{Ref: "file:///artifacts/" + name, Digest: digest},
			Runbook:  release.Runbook{Deploy: "deploy.sh", Verify: "verify.sh", Rollback: "rollback.sh"},
			Smoke:    []release.SmokeCheck{{Name: "health", URL: "http://127.0.0.1/healthz"}},
		}
	}
	s := release.Spec{
		APIVersion: release.APIVersion, Kind: release.Kind,
		Metadata: release.Metadata{ID: "shop-1", Title: "Shop", Owner: "alice"},
		Services: []release.Service{svc("catalog"), svc("cart", "catalog"), svc("checkout", "cart")},
		Environments: []release.Environment{
			{Name: "staging", Region: "eu-west", TimeZone: "Europe/Berlin"},
			{Name: "prod-eu", Region: "eu-west", TimeZone: "Europe/Berlin"},
			{Name: "prod-us", Region: "us-east", TimeZone: "America/New_York"},
		},
		Waves: []release.Wave{
			{Name: "pre-prod", Environments: []string{"staging"}},
			{Name: "production", Environments: []string{"prod-eu", "prod-us"}},
		},
		Approval: release.Approval{Approvers: []string{"bob", "carol", "dave"}, Required: 2, Timeout: release.Duration(time.Hour)},
		Handoff:  release.Handoff{Contact: "support"},
	}
	s.Normalize()
	return s
}

// call is one runbook step or smoke check the workflow asked for.
type call struct {
	Kind, Env, Service string
	At                 time.Time
}

func (c call) String() string { return c.Kind + " " + c.Env + "/" + c.Service }

// harness is a test environment whose activities are mocks that record every call.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	mu  sync.Mutex
	// calls in completion order, with the workflow clock at completion.
	calls []call
	// starts records the workflow clock at the start of every step.
	starts []time.Time
	// stepTime is how long each step takes on the workflow clock.
	stepTime time.Duration
	// failStep and failSmoke make matching calls fail ("deploy prod-eu/cart").
	failStep  map[string]bool
	failSmoke map[string]bool
	closed    []activities.CloseReleaseInput
	updates   int
	// verify answers VerifyArtifacts; the default passes every artifact.
	verify func(activities.VerifyArtifactsInput) (activities.VerifyArtifactsResult, error)
	// collect, evaluate, snapshot and rollbackCheck answer the readiness activities; the
	// defaults collect nothing, pass every gate, hash every file and find the rollback ready.
	collect        func(activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error)
	evaluate       func(activities.EvaluateReadinessInput) (activities.EvaluateReadinessResult, error)
	snapshot       func(activities.ConfigSnapshotInput) (activities.ConfigSnapshotResult, error)
	rollbackCheck  func(activities.RollbackPrerequisitesInput) (policy.RollbackEvidence, error)
	collects       []activities.CollectEvidenceInput
	rollbackChecks []activities.RollbackPrerequisitesInput
	// assess answers AssessRisk; the default is a low risk with no directory (the spec's own
	// approver list decides).
	assess func(activities.AssessRiskInput) (activities.AssessRiskResult, error)
	// freeze answers CheckFreeze; the default allows every wave.
	freeze func(activities.CheckFreezeInput) (activities.CheckFreezeResult, error)
	// conflicts answers AcquireTargets; the default grants every target.
	conflicts func(activities.AcquireTargetsInput) []store.Conflict
	audits    []activities.AppendAuditInput
	sealed    int
	// watch answers WatchHealth (default: healthy); reviews, handoffs and archives record the
	// post-deployment activities (postdeploy_harness_test.go).
	watch    func(context.Context, activities.WatchHealthInput) (activities.WatchHealthResult, error)
	apiDocs  func(activities.AttachAPIDocsInput) (activities.AttachAPIDocsResult, error)
	reviews  []activities.FileReviewInput
	handoffs []activities.SendHandoffInput
	archives []activities.ArchiveReleaseInput
	// integrations is what the worker reports at intake; the default has none.
	integrations activities.Integrations
}

func newHarness(t *testing.T) *harness {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), failStep: map[string]bool{}, failSmoke: map[string]bool{}}
	env := h.env
	env.RegisterWorkflowWithOptions(ReleaseWorkflow, workflow.RegisterOptions{Name: ReleaseWorkflowName})
	env.RegisterWorkflowWithOptions(WaveWorkflow, workflow.RegisterOptions{Name: WaveWorkflowName})
	a := &activities.Activities{}
	env.RegisterActivity(a)
	env.OnActivity(a.RecordRelease, mock.Anything, mock.Anything).Return(func(context.Context, activities.RecordReleaseInput) (activities.RecordReleaseResult, error) {
		return activities.RecordReleaseResult{SpecDigest: "sha256:test", Integrations: h.integrations}, nil
	})
	env.OnActivity(a.CloseRelease, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CloseReleaseInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.closed = append(h.closed, in)
		return nil
	})
	env.OnActivity(a.RunStep, mock.Anything, mock.Anything).AfterFn(func() time.Duration {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.starts = append(h.starts, env.Now())
		return h.stepTime
	}).Return(func(_ context.Context, in activities.RunStepInput) (activities.RunStepResult, error) {
		c := h.record(in.Step, in.Environment.Name, in.Service.Name)
		if h.failStep[c.String()] {
			return activities.RunStepResult{}, temporal.NewNonRetryableApplicationError("exit status 1", activities.ErrStepFailed, nil)
		}
		return activities.RunStepResult{}, nil
	})
	h.mockReadiness(a)
	h.mockPostDeploy(a)
	env.OnActivity(a.VerifyArtifacts, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.VerifyArtifactsInput) (activities.VerifyArtifactsResult, error) {
		if h.verify != nil {
			return h.verify(in)
		}
		res := activities.VerifyArtifactsResult{Passed: true}
		for _, s := range in.Services {
			res.Artifacts = append(res.Artifacts, integrity.ArtifactReport{Service: s.Name, Version: s.Version, Digest: s.Artifact.Digest, Passed: true})
		}
		return res, nil
	})
	env.OnActivity(a.AssessRisk, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		if h.assess != nil {
			return h.assess(in)
		}
		return activities.AssessRiskResult{Assessment: risk.Assessment{Score: 12, Class: risk.Low}, Explanation: "low: test"}, nil
	})
	env.OnActivity(a.CheckFreeze, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CheckFreezeInput) (activities.CheckFreezeResult, error) {
		if h.freeze != nil {
			return h.freeze(in)
		}
		return activities.CheckFreezeResult{Allowed: true, NextAllowed: in.At}, nil
	})
	env.OnActivity(a.AcquireTargets, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AcquireTargetsInput) (activities.AcquireTargetsResult, error) {
		if h.conflicts != nil {
			return activities.AcquireTargetsResult{Conflicts: h.conflicts(in)}, nil
		}
		return activities.AcquireTargetsResult{}, nil
	})
	env.OnActivity(a.ReleaseTargets, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.AppendAudit, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AppendAuditInput) (activities.AppendAuditResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.audits = append(h.audits, in)
		return activities.AppendAuditResult{Seq: int64(len(h.audits)), Hash: fmt.Sprintf("h%d", len(h.audits))}, nil
	})
	env.OnActivity(a.SealAudit, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SealAuditInput) (activities.SealAuditResult, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.sealed++
		return activities.SealAuditResult{Seq: int64(len(h.audits)), Hash: "head"}, nil
	})
	env.OnActivity(a.SmokeCheck, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SmokeInput) (activities.SmokeResult, error) {
		c := h.record("smoke", in.Environment.Name, in.Service.Name)
		if h.failSmoke[c.String()] {
			return activities.SmokeResult{}, temporal.NewNonRetryableApplicationError("status 500, want 200", activities.ErrSmokeFailed, nil)
		}
		return activities.SmokeResult{Status: 200}, nil
	})
	return h
}

func (h *harness) record(kind, env, svc string) call {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := call{Kind: kind, Env: env, Service: svc, At: h.env.Now()}
	h.calls = append(h.calls, c)
	return c
}

// Calls returns the recorded calls of one kind as "env/service", in completion order.
func (h *harness) Calls(kind string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, c := range h.calls {
		if c.Kind == kind {
			out = append(out, c.Env+"/"+c.Service)
		}
	}
	return out
}

func (h *harness) stepStarts() []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Time(nil), h.starts...)
}

// updateOutcome is what happened to one update; decided closes once it is accepted or rejected.
type updateOutcome struct {
	rejected error
	accepted bool
	result   Response
	err      error
	decided  chan struct{}
}

func newUpdateOutcome() *updateOutcome { return &updateOutcome{decided: make(chan struct{})} }

// at sends an update after d on the workflow clock.
func (h *harness) at(d time.Duration, name string, req Request) *updateOutcome {
	out := newUpdateOutcome()
	h.env.RegisterDelayedCallback(func() { h.send(name, req, out) }, d)
	return out
}

func (h *harness) send(name string, req Request, out *updateOutcome) {
	h.mu.Lock()
	h.updates++
	id := fmt.Sprintf("%s-%d", name, h.updates)
	h.mu.Unlock()
	h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { out.rejected = err; close(out.decided) },
		OnAccept: func() { out.accepted = true; close(out.decided) },
		OnComplete: func(v any, err error) {
			out.err = err
			if r, ok := v.(Response); ok {
				out.result = r
			}
		},
	}, req)
}

// approveBoth approves with bob and carol at 1 and 2 minutes.
func (h *harness) approveBoth() {
	h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.at(2*time.Minute, UpdateApprove, Request{Actor: "carol"})
}

func (h *harness) run(spec release.Spec) ReleaseResult {
	h.env.ExecuteWorkflow(ReleaseWorkflowName, ReleaseInput{Spec: spec, Initiator: "erin"})
	require.True(h.t, h.env.IsWorkflowCompleted(), "release did not finish")
	require.NoError(h.t, h.env.GetWorkflowError())
	var res ReleaseResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

func (h *harness) status() Status {
	v, err := h.env.QueryWorkflow(QueryStatus)
	require.NoError(h.t, err)
	var st Status
	require.NoError(h.t, v.Get(&st))
	return st
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}
