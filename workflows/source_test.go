package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
)

// sourceRecorder mocks SourceChange and GetVersion("source-change") and records what the
// release asked for and what the risk phase received.
type sourceRecorder struct {
	mu       sync.Mutex
	answer   func() (activities.SourceChangeResult, error)
	compares []activities.SourceChangeInput
	markers  int
	version  workflow.Version
	assessed []activities.AssessRiskInput
}

func (s *sourceRecorder) install(h *harness) {
	a := &activities.Activities{}
	s.version = sourceChangeVersion
	h.env.OnActivity(a.SourceChange, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SourceChangeInput) (activities.SourceChangeResult, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.compares = append(s.compares, in)
		return s.answer()
	})
	h.env.OnGetVersion(sourceChange, workflow.DefaultVersion, sourceChangeVersion).Return(func(string, workflow.Version, workflow.Version) workflow.Version {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.markers++
		return s.version
	})
	prev := h.assess
	h.assess = func(in activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		s.mu.Lock()
		s.assessed = append(s.assessed, in)
		s.mu.Unlock()
		if prev != nil {
			return prev(in)
		}
		return activities.AssessRiskResult{Assessment: risk.Assessment{Score: 12, Class: risk.Low}, Explanation: "low: test"}, nil
	}
}

var (
	firstCommit = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	lastCommit  = firstCommit.Add(30 * time.Hour)
)

func sourced(s release.Spec) release.Spec {
	s.Source = &release.Source{Base: "v1.4.0", Head: "9f2c4e1"}
	return s
}

// changeBy answers the compare with a change by the given authors.
func changeBy(authors ...string) func() (activities.SourceChangeResult, error) {
	return func() (activities.SourceChangeResult, error) {
		return activities.SourceChangeResult{Files: 12, Lines: 340, Commits: 5, Authors: authors, FirstCommit: firstCommit, LastCommit: lastCommit}, nil
	}
}

// recordRefs mocks GitHubDeployment and collects the refs deployments point at.
func recordRefs(h *harness) map[string]bool {
	var mu sync.Mutex
	refs := map[string]bool{}
	a := &activities.Activities{}
	h.env.OnActivity(a.GitHubDeployment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.GitHubDeploymentInput) (activities.GitHubDeploymentResult, error) {
		mu.Lock()
		defer mu.Unlock()
		refs[in.Ref] = true
		return activities.GitHubDeploymentResult{ID: 1}, nil
	})
	return refs
}

func TestSourceFeedsRiskApproversReviewAndDeployments(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true}
	src := &sourceRecorder{answer: changeBy("Dave", "zed-gh")}
	src.install(h)
	refs := recordRefs(h)
	// dave is a listed approver, but the compare names him as an author (another spelling).
	author := h.at(time.Minute, UpdateApprove, Request{Actor: "dave"})
	h.approveBoth()
	res := h.run(sourced(testSpec()))

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	require.Len(t, src.compares, 1)
	assert.Equal(t, activities.SourceChangeInput{ReleaseID: "shop-1", Source: release.Source{Base: "v1.4.0", Head: "9f2c4e1"}}, src.compares[0])
	require.Len(t, src.assessed, 1)
	assert.Equal(t, &risk.ChangeSize{Files: 12, Lines: 340}, src.assessed[0].Size)

	require.NotNil(t, author.rejected, "a compare author may not approve")
	assert.Equal(t, `dave authored a change in release "shop-1" and cannot approve it (segregation of duties)`, errString(author.rejected))

	st := h.status()
	require.NotNil(t, st.Source)
	assert.Equal(t, SourceStatus{Base: "v1.4.0", Head: "9f2c4e1", Files: 12, Lines: 340, Commits: 5,
		Authors: []string{"Dave", "zed-gh"}, FirstCommit: firstCommit, LastCommit: lastCommit}, *st.Source)
	assert.True(t, h.hasAudit("source"))
	assert.Contains(t, kinds(st.Timeline), "source")

	require.Len(t, h.reviews, 1)
	assert.Equal(t, []time.Time{firstCommit, lastCommit}, h.reviews[0].Review.CommitTimes, "lead time runs from the compare's commits")
	assert.Equal(t, map[string]bool{"9f2c4e1": true}, refs, "GitHub deployments point at the source's head")
}

func TestSourceAuthorRefusedUnderDirectoryAliases(t *testing.T) {
	h := newHarness(t)
	highRisk(h)
	src := &sourceRecorder{answer: changeBy("bob-gh")} // bob's GitHub login; the spec names no authors
	src.install(h)
	byName := h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	byEmail := h.at(time.Minute, UpdateApprove, Request{Actor: "bob@acme.test"})
	h.at(2*time.Minute, UpdateApprove, Request{Actor: "carol"})
	h.at(3*time.Minute, UpdateApprove, Request{Actor: "frank"})
	spec := sourced(testSpec())
	spec.Mitigation = &release.Mitigation{Mitigation: "flag at 1%", RollbackPlan: "runbook", CommunicationPlan: "#shop"}
	res := h.run(spec)

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	for _, refused := range []*updateOutcome{byName, byEmail} {
		require.NotNil(t, refused.rejected)
		assert.Contains(t, errString(refused.rejected), `authored a change in release "shop-1" (GitHub login bob-gh) and cannot approve it`)
	}
	for _, d := range h.status().Approval.Approved {
		assert.NotEqual(t, "bob", d.Actor)
	}
}

func TestSourceCompareFailureEndsTheReleaseInvalid(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		attempts int
		reason   string
	}{
		{"github not configured", temporal.NewNonRetryableApplicationError(
			`release "shop-1" declares source but github is not configured on this worker (TOLLGATE_GITHUB_TOKEN, TOLLGATE_GITHUB_REPO)`, activities.ErrGitHubRefused, nil),
			1, `source: release "shop-1" declares source but github is not configured on this worker`},
		{"unknown base", temporal.NewNonRetryableApplicationError("github compare v1.4.0...9f2c4e1: 404 Not Found", activities.ErrGitHubRefused, nil),
			1, "source: github compare v1.4.0...9f2c4e1: 404 Not Found"},
		{"github keeps failing", temporal.NewApplicationError("github compare v1.4.0...9f2c4e1: 502 Bad Gateway", "Transient"),
			sourceAttempts, "source: github compare v1.4.0...9f2c4e1: 502 Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			src := &sourceRecorder{answer: func() (activities.SourceChangeResult, error) { return activities.SourceChangeResult{}, tt.err }}
			src.install(h)
			res := h.run(sourced(testSpec()))
			assert.Equal(t, OutcomeInvalid, res.Outcome)
			assert.Contains(t, res.Reason, tt.reason)
			assert.Len(t, src.compares, tt.attempts, "retries are bounded")
			assert.Empty(t, src.assessed, "risk is not assessed without the change")
			assert.Empty(t, h.Calls("deploy"))
		})
	}
}

// A compare that could not list every commit cannot prove who authored the change: refused.
func TestSourceWithUnlistedAuthorsEndsTheReleaseInvalid(t *testing.T) {
	h := newHarness(t)
	src := &sourceRecorder{answer: func() (activities.SourceChangeResult, error) {
		return activities.SourceChangeResult{Commits: 2500, Authors: []string{"dave"}, AuthorsTruncated: true}, nil
	}}
	src.install(h)
	res := h.run(sourced(testSpec()))
	assert.Equal(t, OutcomeInvalid, res.Outcome)
	assert.Contains(t, res.Reason, "GitHub could not list every author of v1.4.0...9f2c4e1 (2500 commits): segregation of duties cannot be checked")
	assert.Empty(t, src.assessed)
}

func TestReleaseWithoutSourceAsksForNoMarker(t *testing.T) {
	h := newHarness(t)
	src := &sourceRecorder{answer: changeBy("dave")}
	src.install(h)
	h.approveBoth()
	res := h.run(testSpec())
	require.Equal(t, OutcomeCompleted, res.Outcome)
	assert.Zero(t, src.markers, "no source-change marker in the history")
	assert.Empty(t, src.compares)
	require.Len(t, src.assessed, 1)
	assert.Nil(t, src.assessed[0].Size, "size stays unknown")
	assert.Nil(t, h.status().Source)
}

// A history recorded before the compare step (DefaultVersion) replays without it.
func TestSourceBeforeTheChangeReplaysWithoutTheCompare(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true}
	src := &sourceRecorder{answer: changeBy("dave")}
	src.install(h)
	src.version = workflow.DefaultVersion
	var refs []string
	a := &activities.Activities{}
	h.env.OnActivity(a.GitHubDeployment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.GitHubDeploymentInput) (activities.GitHubDeploymentResult, error) {
		refs = append(refs, in.Ref)
		return activities.GitHubDeploymentResult{ID: 1}, nil
	})
	dave := h.at(time.Minute, UpdateApprove, Request{Actor: "dave"})
	h.at(2*time.Minute, UpdateApprove, Request{Actor: "bob"})
	res := h.run(sourced(testSpec()))
	require.Equal(t, OutcomeCompleted, res.Outcome)
	assert.Equal(t, 1, src.markers)
	assert.Empty(t, src.compares)
	assert.True(t, dave.accepted, "without the compare dave is not known as an author: %v", dave.rejected)
	assert.Nil(t, h.status().Source)
	assert.Contains(t, refs, "9f2c4e1", "the deployment ref follows the spec, not the compare")
}

func TestDeploymentsPointAtThePinnedHeadAndCommittersMayNotApprove(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true}
	src := &sourceRecorder{answer: func() (activities.SourceChangeResult, error) {
		return activities.SourceChangeResult{HeadSHA: "9f2c4e1d00d5", Files: 300, Lines: 9000, SizeTruncated: true, Commits: 2,
			Authors: []string{"zed-gh"}, Committers: []string{"bob"}, Identities: []string{"bob", "bob@example.com", "zed-gh", "zed@example.com"}}, nil
	}}
	src.install(h)
	refs := recordRefs(h)
	committer := h.at(time.Minute, UpdateApprove, Request{Actor: "bob"})
	h.at(2*time.Minute, UpdateApprove, Request{Actor: "carol"})
	h.at(3*time.Minute, UpdateApprove, Request{Actor: "dave"})
	spec := sourced(testSpec())
	spec.Source.Head = "main"
	res := h.run(spec)

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	assert.Equal(t, map[string]bool{"9f2c4e1d00d5": true}, refs, "deployments point at the commit compared, not the moving branch")
	require.Error(t, committer.rejected, "a committer is a change's author for segregation of duties")
	var msg string
	for _, ev := range h.status().Timeline {
		if ev.Kind == "source" {
			msg = ev.Message
		}
	}
	assert.Contains(t, msg, "v1.4.0...main (9f2c4e1d00d5)")
	assert.Contains(t, msg, "at least 300 files", "a size GitHub cut is a lower bound")
}

func TestTheCommitReadinessVerifiedIsTheOneComparedAndDeployed(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true}
	const verified = "7c1d0e5f00aa11bb22cc33dd44ee55ff66778899"
	h.collect = func(activities.CollectEvidenceInput) (activities.CollectEvidenceResult, error) {
		return activities.CollectEvidenceResult{Digest: "sha256:ok", SourceSHA: verified}, nil
	}
	src := &sourceRecorder{answer: func() (activities.SourceChangeResult, error) {
		return activities.SourceChangeResult{HeadSHA: verified, Files: 1, Lines: 2, Commits: 1, Authors: []string{"zed-gh"}}, nil
	}}
	src.install(h)
	refs := recordRefs(h)
	h.approveBoth()
	spec := sourced(testSpec())
	spec.Source.Head = "main"
	spec.Source.Checks = release.SourceChecks{Owner: "platform"}
	res := h.run(spec)

	require.Equal(t, OutcomeCompleted, res.Outcome, res.Reason)
	require.Len(t, src.compares, 1)
	assert.Equal(t, verified, src.compares[0].HeadSHA, "the risk phase compares the commit whose checks passed, not the branch as it is now")
	assert.Equal(t, map[string]bool{verified: true}, refs)
	assert.Equal(t, verified, h.status().Readiness.SourceSHA)
}

// authors is the union of spec and compare authors, each once ignoring case.
func TestAuthorsUnion(t *testing.T) {
	r := &releaseRun{spec: release.Spec{Metadata: release.Metadata{ID: "shop-1", Owner: "alice"}, Authors: []string{"carol-c", "Bob-GH"}}}
	assert.Equal(t, []string{"carol-c", "Bob-GH"}, r.authors())
	r.status.Source = &SourceStatus{Authors: []string{"bob-gh", "dana", "", "CAROL-C"}}
	assert.Equal(t, []string{"carol-c", "Bob-GH", "dana"}, r.authors())
	f := r.facts()
	assert.Equal(t, []string{"carol-c", "Bob-GH", "dana"}, f.Authors)
	d := directory()
	err := governance.Eligible(governance.Policy{}, &d, f, "bob")
	assert.ErrorContains(t, err, "(GitHub login Bob-GH)", "the spec's spelling came first")
}
