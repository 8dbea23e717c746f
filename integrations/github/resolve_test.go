package github

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

const (
	shaA = "5d41402abc4b2a76b9719d911017c592ae1b3c9f"
	shaB = "7e240de74fb1ed08fa08d38063f6a6a91462a815"
	shaT = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
)

// A branch, a tag, a full or abbreviated SHA resolve to the full commit; anything else is
// refused as GitHub refuses it (422), permanently.
func TestResolveRef(t *testing.T) {
	tests := []struct {
		name, ref, want string
		fault           faults.Fault
		class           Class
		message         string
	}{
		{name: "branch", ref: "main", want: shaA},
		{name: "branch with a slash", ref: "release/2026.11", want: shaB},
		{name: "tag", ref: "v1.4.0", want: shaT},
		{name: "full sha", ref: shaA, want: shaA},
		{name: "abbreviated sha", ref: shaA[:7], want: shaA},
		{name: "unknown branch", ref: "gone", class: Permanent, message: "No commit found for SHA: gone"},
		{name: "unknown sha", ref: "0123456789ab", class: Permanent, message: "422 No commit found for SHA: 0123456789ab"},
		{name: "name only compared, never a branch", ref: "feature", class: Permanent, message: "No commit found for SHA: feature"},
		{name: "too short to abbreviate", ref: "5d41", class: Permanent, message: "No commit found for SHA: 5d41"},
		{name: "github down", ref: "main", fault: faults.Fault{Status: http.StatusBadGateway}, class: Transient, message: "502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f, teardown := setup(t)
			defer teardown()
			f.SetBranch("main", shaA)
			f.SetBranch("release/2026.11", shaB)
			f.SetBranch("v1.4.0", shaT)
			f.SetCompare("v1.4.0", "feature", FakeComparison{Commits: []FakeCommit{{SHA: shaB}}})
			if tt.fault.Status != 0 {
				f.Faults.Push(tt.fault)
			}
			got, err := c.ResolveRef(context.Background(), tt.ref)
			if tt.message == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, []string{"GET /repos/acme/shop/commits/" + tt.ref}, f.Calls())
				return
			}
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tt.message)
			assert.NotContains(t, err.Error(), testToken)
			cls, _ := Classify(err)
			assert.Equal(t, tt.class, cls)
		})
	}
}

// The fake answers the commit endpoint as GitHub does: the SHA alone as plain text for the sha
// media type (304 when If-None-Match names it), a JSON commit otherwise, 422 for an unknown ref.
func TestFakeCommitEndpointAnswersLikeGitHub(t *testing.T) {
	f := NewFake(testToken, "acme", "shop")
	defer f.Close()
	f.SetBranch("main", shaA)
	get := func(ref, accept, etag string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodGet, f.URL()+"repos/acme/shop/commits/"+ref, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Accept", accept)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(body)
	}
	for _, accept := range []string{"application/vnd.github.sha", "application/vnd.github.v3.sha"} {
		resp, body := get("main", accept, "")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Equal(t, shaA, body)
	}
	resp, _ := get("main", "application/vnd.github.sha", `"`+shaA+`"`)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	resp, body := get("main", "application/vnd.github+json", "")
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"sha":"`+shaA+`"}`, body)
	resp, body = get("nope", "application/vnd.github.sha", "")
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Contains(t, body, `"message":"No commit found for SHA: nope"`)
}

// An answer that is no SHA (a proxy's page) is refused, not taken for a commit.
func TestResolveRefRefusesAnAnswerThatIsNoSHA(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "application/vnd.github.v3.sha", r.Header.Get("Accept"))
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>sign in</html>"))
	}))
	defer srv.Close()
	c, err := New(Options{Token: testToken, Repo: "acme/shop", BaseURL: srv.URL})
	require.NoError(t, err)
	_, err = c.ResolveRef(context.Background(), "main")
	require.ErrorContains(t, err, `github resolve main: answer "<html>sign in</html>" is not a commit SHA`)
	_, err = c.ResolveRef(context.Background(), "")
	require.ErrorContains(t, err, "empty ref")
}

// A branch moved with SetBranch means its new commit everywhere: the commit endpoint, compare,
// check runs and statuses. What was set for the old commit stays with it, and is read by that
// commit or an abbreviation of it.
func TestSetBranchMovesTheNameEverywhere(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	for _, branch := range []string{"main", "release/2026.11"} {
		t.Run(branch, func(t *testing.T) {
			f.SetBranch(branch, shaA)
			f.SetChecks(branch, []Check{{Name: "build", Conclusion: "success"}}, []Check{{Name: "ci/a", Conclusion: "success"}})
			f.SetCompare("v1", branch, FakeComparison{Files: []string{"a.go"}, Commits: []FakeCommit{{SHA: shaA}}})
			f.SetBranch(branch, shaB)
			f.SetChecks(branch, []Check{{Name: "build", Conclusion: "failure"}}, []Check{{Name: "ci/b", Conclusion: "failure"}})
			f.SetCompare("v1", branch, FakeComparison{Files: []string{"a.go", "b.go"}, Commits: []FakeCommit{{SHA: shaA}, {SHA: shaB}}})

			sha, err := c.ResolveRef(ctx, branch)
			require.NoError(t, err)
			assert.Equal(t, shaB, sha)
			tests := []struct {
				ref           string
				head, status  string
				files         int
				build, passed bool
			}{
				{ref: branch, head: shaB, status: "ci/b", files: 2},
				{ref: shaA, head: shaA, status: "ci/a", files: 1, passed: true},
				{ref: shaA[:10], head: shaA, status: "ci/a", files: 1, passed: true},
				{ref: shaB, head: shaB, status: "ci/b", files: 2},
			}
			for _, tt := range tests {
				runs, err := c.ListCheckRunsForRef(ctx, tt.ref)
				require.NoError(t, err)
				require.Len(t, runs, 1, tt.ref)
				assert.Equal(t, tt.passed, runs[0].Passed, tt.ref)
				sts, err := c.GetCombinedStatus(ctx, tt.ref)
				require.NoError(t, err)
				require.Len(t, sts, 1, tt.ref)
				assert.Equal(t, tt.status, sts[0].Name, tt.ref)
				cmp, err := c.CompareCommits(ctx, "v1", tt.ref)
				require.NoError(t, err, tt.ref)
				assert.Equal(t, tt.head, cmp.HeadSHA, tt.ref)
				assert.Equal(t, tt.files, cmp.Files, tt.ref)
			}
			assert.Contains(t, f.Calls(), "GET /repos/acme/shop/commits/"+branch+"/check-runs")
		})
	}
	id, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: "main", Environment: "prod", Marker: "m"})
	require.NoError(t, err, "a branch is a ref GitHub deploys")
	assert.NotZero(t, id)
}

// Names never given to SetBranch keep their old meaning: data set under the name is read by
// the name, so fakes seeded before SetBranch answer as they did.
func TestFakeNamesWithoutBranchReadAsBefore(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	f.SetChecks("main", []Check{{Name: "build", Conclusion: "failure"}}, nil)
	f.SetChecks(shaA, []Check{{Name: "build", Conclusion: "success"}}, nil)
	runs, err := c.ListCheckRunsForRef(ctx, "main")
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.False(t, runs[0].Passed)
	runs, err = c.ListCheckRunsForRef(ctx, shaA)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.True(t, runs[0].Passed)
	runs, err = c.ListCheckRunsForRef(ctx, "elsewhere")
	require.NoError(t, err)
	assert.Empty(t, runs, "an unknown ref has no checks")
}
