package github

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeploymentSendsEnvironmentKindExplicitly(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	for _, d := range []DeploymentRequest{
		{Ref: "v1", Environment: "production", Marker: "a"}, // GitHub's default would say production
		{Ref: "v1", Environment: "eu-live", Marker: "b", Production: true},
	} {
		_, err := c.CreateDeployment(ctx, d)
		require.NoError(t, err)
	}
	deps := f.Deployments()
	for i, want := range []bool{false, true} {
		require.NotNil(t, deps[i].Production, "%s", deps[i])
		assert.Equal(t, want, *deps[i].Production, "%s", deps[i])
		require.NotNil(t, deps[i].Transient, "%s", deps[i])
		assert.False(t, *deps[i].Transient)
	}
	for _, s := range []State{StateQueued, StateInProgress, StateSuccess, StateFailure, StateInactive} {
		require.NoError(t, c.CreateDeploymentStatus(ctx, deps[0].ID, s, ""))
	}
	var sent []bool
	for _, ai := range f.Deployments()[0].AutoInactive {
		require.NotNil(t, ai, "auto_inactive is always sent")
		sent = append(sent, *ai)
	}
	assert.Equal(t, []bool{false, false, true, false, false}, sent, "only a success retires earlier deployments")
}

// A success retires the environment's earlier successful deployments, as GitHub does; failed,
// already inactive, transient and other environments' deployments are left as they were.
func TestFakeSuccessMarksEarlierDeploymentsInactive(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	deploy := func(env, marker string, states ...State) int64 {
		id, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: "v1", Environment: env, Marker: marker})
		require.NoError(t, err)
		for _, s := range states {
			require.NoError(t, c.CreateDeploymentStatus(ctx, id, s, marker))
		}
		return id
	}
	deploy("prod", "old", StateSuccess)
	deploy("prod", "failed", StateInProgress, StateFailure)
	deploy("staging", "other-env", StateSuccess)
	transient := rawDeployment(t, f, `{"ref":"v1","environment":"prod","transient_environment":true}`)
	require.NoError(t, c.CreateDeploymentStatus(ctx, transient, StateSuccess, "transient"))
	rawStatus(t, f, deploy("prod", "quiet"), `{"state":"success","auto_inactive":false}`)
	deploy("prod", "new", StateInProgress, StateSuccess)

	got := map[int64][]State{}
	for _, d := range f.Deployments() {
		got[d.ID] = d.Statuses
	}
	assert.Equal(t, map[int64][]State{
		1: {StateSuccess, StateInactive},
		2: {StateInProgress, StateFailure},
		3: {StateSuccess},
		4: {StateSuccess},                // transient: never auto-inactivated
		5: {StateSuccess, StateInactive}, // its own success did not retire 1, the newer one retires it
		6: {StateInProgress, StateSuccess},
	}, got)
}

func TestFakeRefusesADeploymentOfAnUnknownRef(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	ctx := context.Background()
	f.SetCompare("v1.0.0", "main", FakeComparison{Commits: []FakeCommit{{SHA: "9f2c4e1aa07b", Login: "dev"}}})
	f.AddRefs("release/2.0")
	for _, ref := range []string{"main", "v1.0.0", "9f2c4e1aa07b", "9f2c4e1", "release/2.0"} {
		_, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: ref, Environment: "prod", Marker: ref})
		assert.NoError(t, err, ref)
	}
	_, err := c.CreateDeployment(ctx, DeploymentRequest{Ref: "v9.9.9", Environment: "prod", Marker: "x"})
	require.ErrorContains(t, err, "No ref found for: v9.9.9")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "a 422")
	assert.Len(t, f.Deployments(), 5)
}

func rawDeployment(t *testing.T, f *Fake, body string) int64 {
	t.Helper()
	rawPost(t, f, "/repos/acme/shop/deployments", body)
	deps := f.Deployments()
	return deps[len(deps)-1].ID
}

func rawStatus(t *testing.T, f *Fake, id int64, body string) {
	t.Helper()
	rawPost(t, f, "/repos/acme/shop/deployments/"+itoa(id)+"/statuses", body)
}

func rawPost(t *testing.T, f *Fake, path, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.Server.URL+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}
