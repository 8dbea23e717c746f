package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/faults"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

var srcT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func sourceSpec(owner string, required ...string) release.Spec {
	return release.Spec{Metadata: release.Metadata{ID: "shop-7"},
		Source: &release.Source{Base: "v1.4.0", Head: "9f2c4e1", Checks: release.SourceChecks{Owner: owner, Required: required}}}
}

// Every identity of every author and committer is kept, GitHub's web-flow left out; the
// times are committer dates, so a cherry-picked commit written long ago counts from when it
// was committed here.
func TestSourceChangeReadsSizeAuthorsAndTimes(t *testing.T) {
	a, fake := githubActivities(t)
	fake.SetCompare("v1.4.0", "9f2c4e1", github.FakeComparison{
		Files: []string{"api/pay.go", "api/pay_test.go", "README.md"}, Additions: 120, Deletions: 30,
		Commits: []github.FakeCommit{
			{SHA: "c1", Login: "dana-gh", Email: "dana@example.com", Time: srcT0.Add(2 * time.Hour)},
			{SHA: "c2", Login: "Bob-GH", Email: "bob@example.com", Time: srcT0, // rebased by erin
				CommitterLogin: "erin-gh", CommitterEmail: "erin@example.com", CommitTime: srcT0.Add(30 * time.Minute)},
			{SHA: "c3", Login: "bob-gh", Email: "BOB@example.com", Time: srcT0.Add(time.Hour)},
			{SHA: "c4", Email: "carol@example.com", Time: srcT0.Add(-48 * time.Hour), // no account; squash-merged in GitHub
				CommitterLogin: "web-flow", CommitterEmail: "noreply@github.com", CommitTime: srcT0.Add(3 * time.Hour)},
		},
	})
	res, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *sourceSpec("").Source})
	require.NoError(t, err)
	assert.Equal(t, SourceChangeResult{HeadSHA: "c4", Files: 3, Lines: 150, Commits: 4,
		Authors:     []string{"Bob-GH", "carol@example.com", "dana-gh"},
		Committers:  []string{"bob-gh", "dana-gh", "erin-gh"},
		Identities:  []string{"Bob-GH", "bob@example.com", "carol@example.com", "dana-gh", "dana@example.com", "erin-gh", "erin@example.com"},
		FirstCommit: srcT0.Add(30 * time.Minute), LastCommit: srcT0.Add(3 * time.Hour)}, res)
	assert.Equal(t, []string{"GET /repos/acme/shop/compare/v1.4.0...9f2c4e1"}, fake.Calls())
	assert.Equal(t, "3 files, 150 lines", res.Size().String())
}

// GitHub lists at most 300 files of a comparison: the size is a lower bound and says so.
func TestSourceChangeSizeBeyondGitHubsFileListIsALowerBound(t *testing.T) {
	a, fake := githubActivities(t)
	files := make([]string, 320)
	for i := range files {
		files[i] = fmt.Sprintf("pkg/f%03d.go", i)
	}
	fake.SetCompare("v1.4.0", "9f2c4e1", github.FakeComparison{Files: files, Additions: 640, Deletions: 320,
		Commits: []github.FakeCommit{{SHA: "9f2c4e1", Login: "dana-gh", Time: srcT0}}})
	res, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *sourceSpec("").Source})
	require.NoError(t, err)
	assert.True(t, res.SizeTruncated)
	assert.Equal(t, github.MaxCompareFiles, res.Files)
	assert.Equal(t, 900, res.Lines, "only the listed files' lines")
	assert.Equal(t, "at least 300 files, at least 900 lines (GitHub lists only the first 300 changed files)", res.Size().String())
}

// source.head is a branch: the result names the commit it pointed at, and the readiness
// checks are read for that commit, not for wherever the branch has moved since.
func TestSourceHeadPinnedToItsCommit(t *testing.T) {
	a, fake := githubActivities(t)
	a.EvidenceStore = &MemEvidenceStore{}
	const sha, moved = "5d41402abc4b2a76b9719d911017c592ae1b3c9f", "7e240de74fb1ed08fa08d38063f6a6a91462a815"
	fake.SetBranch("main", sha)
	fake.SetCompare("v1.4.0", "main", github.FakeComparison{Files: []string{"x"},
		Commits: []github.FakeCommit{{SHA: "1111111", Login: "dana-gh", Time: srcT0}, {SHA: sha, Login: "dana-gh", Time: srcT0}}})
	spec := sourceSpec("platform", "build")
	spec.Source.Head = "main"
	res, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *spec.Source})
	require.NoError(t, err)
	assert.Equal(t, sha, res.HeadSHA)

	// The branch moved on to a commit whose build fails; the compared commit's passed.
	fake.SetBranch("main", moved)
	fake.SetChecks(moved, []github.Check{{Name: "build", Conclusion: "failure"}}, nil)
	fake.SetChecks(sha, []github.Check{{Name: "build", Conclusion: "success"}}, nil)
	ctx := context.Background()
	col, err := a.CollectEvidence(ctx, CollectEvidenceInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, At: srcT0, SourceHeadSHA: res.HeadSHA})
	require.NoError(t, err)
	assert.Equal(t, sha, col.SourceSHA)
	ev, err := a.EvaluateReadiness(ctx, EvaluateReadinessInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, Digest: col.Digest})
	require.NoError(t, err)
	row := ev.Table.Rows[0]
	assert.True(t, row.Passed, row.Message)
	assert.Equal(t, "github checks of main at "+sha, row.Evidence)
	assert.Contains(t, fake.Calls(), "GET /repos/acme/shop/commits/"+sha+"/check-runs")
	assert.NotContains(t, fake.Calls(), "GET /repos/acme/shop/commits/main", "a pinned head is not resolved again")

	// Without the commit the branch is resolved now, and its new commit's checks are read.
	assert.False(t, evaluateSource(t, a, spec).Passed)
	assert.Contains(t, fake.Calls(), "GET /repos/acme/shop/commits/"+moved+"/check-runs")
}

// More commits than the client pages through: the result says the authors are incomplete.
func TestSourceChangeFlagsUnlistedCommits(t *testing.T) {
	a, fake := githubActivities(t)
	commits := make([]github.FakeCommit, 2001)
	for i := range commits {
		commits[i] = github.FakeCommit{SHA: "c", Login: "dev", Time: srcT0}
	}
	commits[2000].Login = "the-one-not-listed"
	fake.SetCompare("v1.4.0", "9f2c4e1", github.FakeComparison{Commits: commits})
	res, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *sourceSpec("").Source})
	require.NoError(t, err)
	assert.True(t, res.AuthorsTruncated)
	assert.Equal(t, 2001, res.Commits)
	assert.Equal(t, []string{"dev"}, res.Authors)
}

func TestSourceChangeErrorsClassifiedAtTheBoundary(t *testing.T) {
	src := *sourceSpec("").Source
	tests := []struct {
		name      string
		configure bool
		compare   bool
		fault     faults.Fault
		wantType  string
		nonRetry  bool
		nextDelay time.Duration
		message   string
	}{
		{"github not configured", false, true, faults.Fault{}, ErrGitHubRefused, true, 0,
			`release "shop-7" declares source but github is not configured on this worker (TOLLGATE_GITHUB_TOKEN, TOLLGATE_GITHUB_REPO)`},
		{"unknown base is refused", true, false, faults.Fault{}, ErrGitHubRefused, true, 0, "github compare v1.4.0...9f2c4e1"},
		{"429 waits Retry-After", true, true, faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, ErrRateLimited, false, 7 * time.Second, "429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, fake := githubActivities(t)
			if !tt.configure {
				a = &Activities{}
			}
			if tt.compare {
				fake.SetCompare(src.Base, src.Head, github.FakeComparison{Files: []string{"x"}})
			}
			if tt.fault.Status != 0 {
				fake.Faults.Push(tt.fault)
			}
			_, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: src})
			var ae *temporal.ApplicationError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, tt.wantType, ae.Type())
			assert.Equal(t, tt.nonRetry, ae.NonRetryable())
			assert.Equal(t, tt.nextDelay, ae.NextRetryDelay())
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), "ghp_act")
		})
	}
}

func TestSourceChangeServerErrorIsRetried(t *testing.T) {
	a, fake := githubActivities(t)
	fake.SetCompare("v1.4.0", "9f2c4e1", github.FakeComparison{Files: []string{"x"}, Additions: 1})
	fake.Faults.Push(faults.Fault{Status: http.StatusBadGateway})
	_, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *sourceSpec("").Source})
	require.Error(t, err)
	var ae *temporal.ApplicationError
	assert.False(t, errors.As(err, &ae) && ae.NonRetryable(), "a 502 is retried: %v", err)
	res, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *sourceSpec("").Source})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Lines)
}

func TestSourceChecksEvidence(t *testing.T) {
	pass := func(name string) github.Check { return github.Check{Name: name, Conclusion: "success"} }
	tests := []struct {
		name       string
		runs       []github.Check
		statuses   []github.Check
		required   []string
		faults     []faults.Fault
		passed     bool
		observed   string
		sourceFail string
	}{
		{"all passed", []github.Check{pass("build"), pass("test")}, []github.Check{pass("ci/jenkins")}, []string{"build", "ci/jenkins"}, nil,
			true, `evidence.source.all_passed = true, evidence.source.failed = [], evidence.source.missing = []`, ""},
		{"failed run and missing required", []github.Check{pass("build"), {Name: "test", Conclusion: "failure"}}, nil, []string{"build", "e2e"}, nil,
			false, `evidence.source.all_passed = false, evidence.source.failed = ["test"], evidence.source.missing = ["e2e"]`, ""},
		{"run passed but status failed", []github.Check{pass("build")}, []github.Check{{Name: "build", Conclusion: "failure"}}, nil, nil,
			false, `evidence.source.all_passed = false, evidence.source.failed = ["build"], evidence.source.missing = []`, ""},
		{"running check", []github.Check{{Name: "e2e", Conclusion: "in_progress"}}, nil, nil, nil,
			false, `evidence.source.failed = ["e2e"]`, ""},
		{"nothing reported", nil, nil, nil, nil, false, `evidence.source.all_passed = false`, ""},
		{"github down", []github.Check{pass("build")}, nil, nil, []faults.Fault{{Status: http.StatusServiceUnavailable}},
			false, "", `evidence "source" unusable: github resolve 9f2c4e1: `},
		{"check runs down", []github.Check{pass("build")}, nil, nil, []faults.Fault{{}, {Status: http.StatusServiceUnavailable}},
			false, "", `evidence "source" unusable: github check runs of 9f2c4e1: `},
		{"statuses down", []github.Check{pass("build")}, nil, nil, []faults.Fault{{}, {}, {Status: http.StatusServiceUnavailable}},
			false, "", `evidence "source" unusable: github combined status of 9f2c4e1: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, fake := githubActivities(t)
			a.EvidenceStore = &MemEvidenceStore{}
			fake.SetChecks("9f2c4e1", tt.runs, tt.statuses)
			fake.Faults.Push(tt.faults...)
			spec := sourceSpec("platform", tt.required...)
			row := evaluateSource(t, a, spec)
			assert.Equal(t, tt.passed, row.Passed, row.Message)
			assert.Contains(t, row.ObservedText(), tt.observed)
			assert.Contains(t, row.Message, tt.sourceFail)
			assert.Equal(t, "github checks of 9f2c4e1", row.Evidence)
		})
	}
}

// evaluateSource collects and judges the readiness phase through the activities and returns
// the source checks row.
func evaluateSource(t *testing.T, a *Activities, spec release.Spec) policy.Row {
	t.Helper()
	ctx := context.Background()
	col, err := a.CollectEvidence(ctx, CollectEvidenceInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, At: srcT0})
	require.NoError(t, err)
	res, err := a.EvaluateReadiness(ctx, EvaluateReadinessInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, Digest: col.Digest})
	require.NoError(t, err)
	require.Len(t, res.Table.Rows, 1)
	require.Equal(t, policy.IDSourceChecks, res.Table.Rows[0].Criterion)
	return res.Table.Rows[0]
}

func TestSourceChecksFailClosedWithoutGitHub(t *testing.T) {
	spec := sourceSpec("platform", "build")
	row := evaluateSource(t, &Activities{EvidenceStore: &MemEvidenceStore{}}, spec)
	assert.False(t, row.Passed)
	assert.Equal(t, `evidence "source" unusable: github is not configured on this worker: the source checks of 9f2c4e1 cannot be read`, row.Message)

	// The local CLI run gathers without GitHub in the same way.
	col, err := Gather(context.Background(), GatherInput{Spec: spec, At: srcT0})
	require.NoError(t, err)
	assert.Contains(t, col.Sources[policy.SourceSCM].Error, "github is not configured on this worker")
}

func TestSourceChecksOnlyWhenTheCriterionIsOn(t *testing.T) {
	a, fake := githubActivities(t)
	for _, spec := range []release.Spec{sourceSpec(""), {}} {
		col, err := Gather(context.Background(), GatherInput{Spec: spec, At: srcT0, GitHub: a.GitHub.Deployer})
		require.NoError(t, err)
		assert.NotContains(t, col.Sources, policy.SourceSCM)
	}
	col, err := Gather(context.Background(), GatherInput{Spec: sourceSpec("platform"), At: srcT0, Phase: policy.PhasePreDeploy, GitHub: a.GitHub.Deployer})
	require.NoError(t, err)
	assert.NotContains(t, col.Sources, policy.SourceSCM, "source checks are readiness evidence")
	assert.Empty(t, fake.Calls())
}
