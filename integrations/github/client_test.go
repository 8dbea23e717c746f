package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

const testToken = "ghp_test-token"

// setup follows go-github's own test style: the real client against a served fake, and a
// teardown.
func setup(t *testing.T) (*Client, *Fake, func()) {
	t.Helper()
	f := NewFake(testToken, "acme", "shop")
	c, err := New(Options{Token: testToken, Repo: "acme/shop", BaseURL: f.URL()})
	require.NoError(t, err)
	return c, f, f.Close
}

func TestDeploymentCreateFindStatuses(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	id, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: "v1.2.0", Environment: "prod", ReleaseID: "r1", Marker: "r1/prod", Description: "release r1"})
	require.NoError(t, err)
	found, err := c.FindDeployment(ctx, "prod", "r1/prod")
	require.NoError(t, err)
	assert.Equal(t, id, found)
	none, err := c.FindDeployment(ctx, "staging", "r1/prod")
	require.NoError(t, err)
	assert.Zero(t, none)
	for _, s := range []State{StateQueued, StateInProgress, StateSuccess, StateInactive} {
		require.NoError(t, c.CreateDeploymentStatus(ctx, id, s, "r1"))
	}
	deps := f.Deployments()
	require.Len(t, deps, 1)
	d := deps[0]
	assert.Equal(t, []State{StateQueued, StateInProgress, StateSuccess, StateInactive}, d.Statuses)
	require.NotNil(t, d.AutoMerge)
	assert.False(t, *d.AutoMerge)
	require.NotNil(t, d.RequiredContexts, "required contexts are sent, explicitly empty")
	assert.Empty(t, *d.RequiredContexts)
	assert.Equal(t, "r1", d.Payload["tollgate_release"])

	err = c.CreateDeploymentStatus(ctx, 999, StateSuccess, "x")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "an unknown deployment is a 404")
	err = c.CreateDeploymentStatus(ctx, id, "bogus", "x")
	cls, _ = Classify(err)
	assert.Equal(t, Permanent, cls, "an invalid state is a 422")
}

func TestDeploymentStatusesNewestFirst(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	id, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: "v1", Environment: "prod", Marker: "r1/prod"})
	require.NoError(t, err)
	none, err := c.ListDeploymentStatuses(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, none)
	long := strings.Repeat("é", MaxStatusDescription+10)
	require.NoError(t, c.CreateDeploymentStatus(ctx, id, StateQueued, "wave prod running"))
	require.NoError(t, c.CreateDeploymentStatus(ctx, id, StateFailure, long), "a long description is cut, not refused")
	got, err := c.ListDeploymentStatuses(ctx, id)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, StateFailure, got[0].State, "newest first, as GitHub answers")
	assert.Equal(t, StatusDescription(long), got[0].Description)
	assert.Equal(t, MaxStatusDescription, utf8.RuneCountInString(got[0].Description))
	assert.Equal(t, StatusRecord{ID: got[1].ID, State: StateQueued, Description: "wave prod running", CreatedAt: got[1].CreatedAt}, got[1])
	assert.False(t, got[1].CreatedAt.IsZero())
	assert.Equal(t, []StatusRecord{got[1], got[0]}, f.Deployments()[0].Records)

	_, err = c.ListDeploymentStatuses(ctx, 999)
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "an unknown deployment is a 404")
}

func TestCompareAndChecks(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.SetCompare("v1.1.0", "v1.2.0", FakeComparison{Files: []string{"a.go", "b.go"}, Additions: 40, Deletions: 7,
		Commits: []FakeCommit{{SHA: "abc", Login: "alice", Time: at}, {SHA: "def", Login: "bob", Time: at.Add(time.Hour)}}})
	cmp, err := c.CompareCommits(ctx, "v1.1.0", "v1.2.0")
	require.NoError(t, err)
	assert.Equal(t, 2, cmp.Files)
	assert.Equal(t, 40, cmp.Additions)
	assert.Equal(t, 7, cmp.Deletions)
	require.Len(t, cmp.Commits, 2)
	assert.Equal(t, Commit{SHA: "def", AuthorLogin: "bob", CommitterLogin: "bob", AuthoredAt: at.Add(time.Hour), CommittedAt: at.Add(time.Hour)}, cmp.Commits[1])
	assert.Equal(t, "def", cmp.HeadSHA, "head named by its commit")

	f.SetChecks("v1.2.0", []Check{{Name: "build", Conclusion: "success"}, {Name: "lint", Conclusion: "in_progress"}},
		[]Check{{Name: "ci/tests", Conclusion: "success"}})
	runs, err := c.ListCheckRunsForRef(ctx, "v1.2.0")
	require.NoError(t, err)
	ok, why := AllPassed(runs)
	assert.False(t, ok)
	assert.Equal(t, "lint: in_progress", why)
	sts, err := c.GetCombinedStatus(ctx, "v1.2.0")
	require.NoError(t, err)
	ok, _ = AllPassed(sts)
	assert.True(t, ok)
	ok, why = AllPassed(nil)
	assert.False(t, ok, "no evidence is not a pass")
	assert.NotEmpty(t, why)
}

func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name  string
		fault faults.Fault
		token string
		want  Class
		after time.Duration
	}{
		{"server error is transient", faults.Fault{Status: http.StatusBadGateway}, testToken, Transient, 0},
		{"429 carries Retry-After", faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, testToken, RateLimited, 7 * time.Second},
		{"bad credentials are permanent", faults.Fault{}, "wrong-token", Permanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFake(testToken, "acme", "shop")
			defer f.Close()
			c, err := New(Options{Token: tt.token, Repo: "acme/shop", BaseURL: f.URL()})
			require.NoError(t, err)
			if tt.fault.Status != 0 {
				f.Faults.Push(tt.fault)
			}
			_, err = c.CreateDeployment(context.Background(), DeploymentRequest{Ref: "v1", Environment: "prod", Marker: "m"})
			require.Error(t, err)
			cls, after := Classify(err)
			assert.Equal(t, tt.want, cls)
			assert.Equal(t, tt.after, after)
			assert.NotContains(t, err.Error(), testToken)
			assert.NotContains(t, err.Error(), "wrong-token")
		})
	}
}

func TestCrashAfterCreateIsFoundByMarker(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	f.Faults.Push(faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := c.CreateDeployment(context.Background(), DeploymentRequest{Ref: "v1", Environment: "prod", Marker: "r1/prod"})
	require.Error(t, err)
	id, err := c.FindDeployment(context.Background(), "prod", "r1/prod")
	require.NoError(t, err)
	assert.NotZero(t, id, "the deployment the remote created is found, not created again")
	assert.Len(t, f.Deployments(), 1)
}

func TestNewRefusesBadRepo(t *testing.T) {
	_, err := New(Options{Token: testToken, Repo: "noslash"})
	require.ErrorContains(t, err, `github repo "noslash"`)
}

func TestComparePagesThroughEveryCommit(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var commits []FakeCommit
	for i := range 230 { // one unpaged answer holds up to 250

		commits = append(commits, FakeCommit{SHA: fmt.Sprintf("c%03d", i), Login: fmt.Sprintf("dev%d", i%7), Time: at.Add(time.Duration(i) * time.Minute)})
	}
	commits[len(commits)-1] = FakeCommit{SHA: "last", Email: "contractor@example.com", Time: at} // no GitHub account
	f.SetCompare("v1", "v2", FakeComparison{Files: []string{"a.go"}, Additions: 3, Commits: commits})
	cmp, err := c.CompareCommits(context.Background(), "v1", "v2")
	require.NoError(t, err)
	assert.Equal(t, len(commits), cmp.TotalCommits)
	require.Len(t, cmp.Commits, len(commits), "every page read")
	assert.Equal(t, Commit{SHA: "last", AuthorEmail: "contractor@example.com", CommitterEmail: "contractor@example.com", AuthoredAt: at, CommittedAt: at},
		cmp.Commits[len(commits)-1], "no GitHub account: the git email is all there is")
	assert.Equal(t, "last", cmp.HeadSHA)
	assert.Equal(t, 1, cmp.Files, "files counted once, not per page")
	assert.Equal(t, 3, cmp.Additions)
}

func TestCompareBeyondThePageLimitSaysSo(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	commits := make([]FakeCommit, maxComparePages*100+1)
	for i := range commits {
		commits[i] = FakeCommit{SHA: fmt.Sprint(i), Login: "dev"}
	}
	f.SetCompare("v1", "v2", FakeComparison{Commits: commits})
	cmp, err := c.CompareCommits(context.Background(), "v1", "v2")
	require.NoError(t, err)
	assert.Len(t, cmp.Commits, maxComparePages*100)
	assert.Equal(t, maxComparePages*100+1, cmp.TotalCommits)
}

// A failing check run on the third page is seen.
func TestCheckRunsFollowEveryPage(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	runs := make([]Check, 250)
	for i := range runs {
		runs[i] = Check{Name: fmt.Sprintf("job-%d", i), Conclusion: "success"}
	}
	runs[249].Conclusion = "failure"
	f.SetChecks("abc", runs, nil)
	got, err := c.ListCheckRunsForRef(context.Background(), "abc")
	require.NoError(t, err)
	require.Len(t, got, 250)
	ok, why := AllPassed(got)
	assert.False(t, ok)
	assert.Equal(t, "job-249: failure", why)
}
