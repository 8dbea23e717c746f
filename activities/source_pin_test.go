package activities

import (
	"context"
	"errors"
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

const (
	pinA = "5d41402abc4b2a76b9719d911017c592ae1b3c9f"
	pinB = "7e240de74fb1ed08fa08d38063f6a6a91462a815"
)

// movingBranch is GitHub with a push landing right after the head was resolved: the worst
// moment for a gate that reads checks by name.
type movingBranch struct {
	github.Deployer
	move func()
}

func (m movingBranch) ResolveRef(ctx context.Context, ref string) (string, error) {
	sha, err := m.Deployer.ResolveRef(ctx, ref)
	m.move()
	return sha, err
}

func branchSpec() release.Spec {
	spec := sourceSpec("platform", "build")
	spec.Source.Head = "main"
	return spec
}

// collectAndJudge collects the readiness phase and judges it, returning the result and the
// source checks row.
func collectAndJudge(t *testing.T, a *Activities, in CollectEvidenceInput) (CollectEvidenceResult, policy.Row) {
	t.Helper()
	ctx := context.Background()
	col, err := a.CollectEvidence(ctx, in)
	require.NoError(t, err)
	res, err := a.EvaluateReadiness(ctx, EvaluateReadinessInput{ReleaseID: in.ReleaseID, Spec: in.Spec, Phase: policy.PhaseReadiness, Digest: col.Digest})
	require.NoError(t, err)
	require.Len(t, res.Table.Rows, 1)
	return col, res.Table.Rows[0]
}

// Readiness resolves a branch head once and reads the checks of that commit: a push landing
// meanwhile does not lend its checks to the commit reported, and the commit reported is the
// one whose checks were judged, whatever the branch does afterwards.
func TestReadinessReadsTheChecksOfTheResolvedCommit(t *testing.T) {
	a, fake := githubActivities(t)
	a.EvidenceStore = &MemEvidenceStore{}
	fake.SetBranch("main", pinA)
	fake.SetChecks(pinA, []github.Check{{Name: "build", Conclusion: "success"}}, nil)
	fake.SetChecks(pinB, []github.Check{{Name: "build", Conclusion: "failure"}}, nil)
	direct := a.GitHub.Deployer
	a.GitHub.Deployer = movingBranch{Deployer: direct, move: func() { fake.SetBranch("main", pinB) }}
	in := CollectEvidenceInput{ReleaseID: "shop-7", Spec: branchSpec(), Phase: policy.PhaseReadiness, At: srcT0}

	col, row := collectAndJudge(t, a, in)
	assert.Equal(t, pinA, col.SourceSHA)
	assert.True(t, row.Passed, row.Message)
	assert.Equal(t, "github checks of main at "+pinA, row.Evidence)
	assert.Equal(t, []string{
		"GET /repos/acme/shop/commits/main",
		"GET /repos/acme/shop/commits/" + pinA + "/check-runs",
		"GET /repos/acme/shop/commits/" + pinA + "/status",
	}, fake.Calls())

	// The stored evidence names the commit, and judging it again after the push changes nothing.
	g, err := Gather(context.Background(), GatherInput{Spec: in.Spec, At: srcT0, GitHub: direct, SourceHeadSHA: col.SourceSHA})
	require.NoError(t, err)
	assert.Equal(t, pinA, g.Evidence.Source.SHA)
	res, err := a.EvaluateReadiness(context.Background(), EvaluateReadinessInput{ReleaseID: "shop-7", Spec: in.Spec, Phase: policy.PhaseReadiness, Digest: col.Digest})
	require.NoError(t, err)
	assert.True(t, res.Table.Rows[0].Passed)

	// A new collection resolves the branch anew and judges its new commit.
	a.GitHub.Deployer = direct
	col, row = collectAndJudge(t, a, in)
	assert.Equal(t, pinB, col.SourceSHA)
	assert.False(t, row.Passed)
	assert.Equal(t, "github checks of main at "+pinB, row.Evidence)
}

// A head GitHub cannot resolve fails the source like any GitHub failure, the link naming the
// head; once resolved, the commit is returned even when its checks could not be read, so a
// waived failure still pins what is compared and deployed.
func TestReadinessResolveFailureFailsTheSourceClosed(t *testing.T) {
	tests := []struct {
		name     string
		head     string
		faults   []faults.Fault
		sha      string
		link     string
		message  string
		resolved bool
	}{
		{name: "unknown branch", head: "gone", link: "github checks of gone",
			message: `evidence "source" unusable: github resolve gone: GET `},
		{name: "github down", head: "main", faults: []faults.Fault{{Status: http.StatusServiceUnavailable}}, link: "github checks of main",
			message: `evidence "source" unusable: github resolve main: GET `},
		{name: "rate limited", head: "main", faults: []faults.Fault{{Status: http.StatusTooManyRequests, RetryAfter: time.Second}}, link: "github checks of main",
			message: `evidence "source" unusable: github resolve main: GET `},
		{name: "checks down after resolving", head: "main", faults: []faults.Fault{{}, {Status: http.StatusBadGateway}}, sha: pinA,
			link: "github checks of main at " + pinA, message: `evidence "source" unusable: github check runs of ` + pinA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, fake := githubActivities(t)
			a.EvidenceStore = &MemEvidenceStore{}
			fake.SetBranch("main", pinA)
			fake.SetChecks(pinA, []github.Check{{Name: "build", Conclusion: "success"}}, nil)
			fake.Faults.Push(tt.faults...)
			spec := branchSpec()
			spec.Source.Head = tt.head
			col, row := collectAndJudge(t, a, CollectEvidenceInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, At: srcT0})
			assert.False(t, row.Passed)
			assert.Contains(t, row.Message, tt.message)
			assert.NotContains(t, row.Message, "ghp_act")
			assert.Equal(t, tt.link, row.Evidence)
			assert.Equal(t, tt.link, col.Sources[policy.SourceSCM].Link)
			assert.Equal(t, tt.sha, col.SourceSHA)
		})
	}
}

// The risk phase compares the commit readiness verified, not wherever the branch went since,
// and reports it, so the deployment is of that commit too.
func TestSourceChangeComparesTheVerifiedCommit(t *testing.T) {
	a, fake := githubActivities(t)
	a.EvidenceStore = &MemEvidenceStore{}
	ctx := context.Background()
	spec := branchSpec()
	fake.SetBranch("main", pinA)
	fake.SetCompare("v1.4.0", "main", github.FakeComparison{Files: []string{"pay.go"}, Additions: 10,
		Commits: []github.FakeCommit{{SHA: pinA, Login: "dana-gh", Time: srcT0}}})
	fake.SetChecks("main", []github.Check{{Name: "build", Conclusion: "success"}}, nil)
	col, row := collectAndJudge(t, a, CollectEvidenceInput{ReleaseID: "shop-7", Spec: spec, Phase: policy.PhaseReadiness, At: srcT0})
	require.True(t, row.Passed, row.Message)
	require.Equal(t, pinA, col.SourceSHA)

	// Someone pushes an unreviewed commit between readiness and risk.
	fake.SetBranch("main", pinB)
	fake.SetCompare("v1.4.0", "main", github.FakeComparison{Files: []string{"pay.go", "backdoor.go"}, Additions: 99,
		Commits: []github.FakeCommit{{SHA: pinA, Login: "dana-gh", Time: srcT0}, {SHA: pinB, Login: "mallory-gh", Time: srcT0.Add(time.Hour)}}})

	tests := []struct {
		name    string
		headSHA string
		want    string
		files   int
		authors []string
		call    string
	}{
		{"pinned to the verified commit", col.SourceSHA, pinA, 1, []string{"dana-gh"}, "GET /repos/acme/shop/compare/v1.4.0..." + pinA},
		{"by name, as before", "", pinB, 2, []string{"dana-gh", "mallory-gh"}, "GET /repos/acme/shop/compare/v1.4.0...main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(fake.Calls())
			res, err := a.SourceChange(ctx, SourceChangeInput{ReleaseID: "shop-7", Source: *spec.Source, HeadSHA: tt.headSHA})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.HeadSHA)
			assert.Equal(t, tt.files, res.Files)
			assert.Equal(t, tt.authors, res.Authors)
			assert.Equal(t, []string{tt.call}, fake.Calls()[before:])
		})
	}

	res, err := a.SourceChange(ctx, SourceChangeInput{ReleaseID: "shop-7", Source: *spec.Source, HeadSHA: col.SourceSHA})
	require.NoError(t, err)
	_, err = a.GitHubDeployment(ctx, GitHubDeploymentInput{ReleaseID: "shop-7", Environment: "prod", Ref: res.HeadSHA, State: github.StateQueued})
	require.NoError(t, err)
	deps := fake.Deployments()
	require.Len(t, deps, 1)
	assert.Equal(t, pinA, deps[0].Ref, "the deployment is of the verified commit")
}

// A pinned commit GitHub cannot compare fails for good, naming the head and the commit.
func TestSourceChangeOfAnUnknownPinnedCommitIsRefused(t *testing.T) {
	a, fake := githubActivities(t)
	fake.SetBranch("main", pinA)
	fake.SetCompare("v1.4.0", "main", github.FakeComparison{Commits: []github.FakeCommit{{SHA: pinA}}})
	_, err := a.SourceChange(context.Background(), SourceChangeInput{ReleaseID: "shop-7", Source: *branchSpec().Source, HeadSHA: pinB})
	var ae *temporal.ApplicationError
	require.True(t, errors.As(err, &ae), "got %v", err)
	assert.Equal(t, ErrGitHubRefused, ae.Type())
	assert.True(t, ae.NonRetryable())
	assert.Contains(t, err.Error(), "source head main at "+pinB+" (the commit readiness verified): github compare v1.4.0..."+pinB)
}
