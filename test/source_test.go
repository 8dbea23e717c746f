package test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/worker/app"
	"github.com/tollgate-dev/tollgate/workflows"
)

const e2eWebhookSecret = "e2e-webhook-secret"

// webhook serves Tollgate's GitHub endpoint with the worker's production recheck wiring and
// returns a function that delivers one signed event to it.
func (s *saas) webhook(t *testing.T, c *cluster) func(delivery, event, body string) {
	mux := http.NewServeMux()
	onEvent := web.RecheckOnChecks(web.RecheckOptions{Releases: app.ReleasesWithSource(c.ctl, s.acts.Store), Control: c.ctl, Logger: quietLogger()})
	web.NewGitHub(web.GitHubOptions{Secret: e2eWebhookSecret, OnEvent: onEvent, Logger: quietLogger()}).Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return func(delivery, event, body string) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/github/webhook", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Hub-Signature-256", web.SignGitHub([]byte(e2eWebhookSecret), []byte(body)))
		req.Header.Set("X-GitHub-Delivery", delivery)
		req.Header.Set("X-GitHub-Event", event)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
}

// TestSourceChecksAuthorsAndSizeFromGitHub: the release's head has a build still running, so
// readiness blocks on the source-checks criterion; GitHub's webhook for the finished build
// rechecks it; risk reads the compare's size; the commit's author cannot approve; the
// deployment points at the head.
func TestSourceChecksAuthorsAndSizeFromGitHub(t *testing.T) {
	c := newCluster(t)
	s := startSaaS(t, c)
	deliver := s.webhook(t, c)
	const id, head = "src-1", "9f2c4e1aa07b"
	s.github.SetCompare("v1.0.0", head, github.FakeComparison{Files: []string{"cart.go", "cart_test.go"}, Additions: 40, Deletions: 2,
		Commits: []github.FakeCommit{{SHA: head, Login: "dave-gh", Time: time.Now().Add(-48 * time.Hour)}}})
	s.github.SetChecks(head, []github.Check{{Name: "build", Conclusion: "in_progress"}}, nil)

	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com", "carol@example.com", "dave-gh"}, 2
	spec.Source = &release.Source{Base: "v1.0.0", Head: head, Checks: release.SourceChecks{Owner: "quinn", Required: []string{"build"}}}
	spec = signed(t, spec)
	ctx := context.Background()
	_, err := c.ctl.Start(ctx, &spec, "alice")
	require.NoError(t, err)

	st := c.waitFor(id, "readiness-blocked", func(s workflows.Status) bool { return s.Phase == workflows.PhaseReadinessBlocked })
	row := st.Readiness.Gates[0].Rows[0]
	assert.Equal(t, policy.IDSourceChecks, row.Criterion)
	assert.False(t, row.Passed)

	// CI finishes; GitHub says so through the webhook, and the release rechecks by itself.
	s.github.SetChecks(head, []github.Check{{Name: "build", Conclusion: "success"}}, nil)
	deliver("d-1", "check_run", `{"action":"completed","check_run":{"head_sha":"`+head+`","name":"build","status":"completed","conclusion":"success"}}`)
	st = c.waitFor(id, "approval", func(s workflows.Status) bool { return s.Phase == workflows.PhaseApproval })
	assert.True(t, st.Readiness.Gates[0].Rows[0].Passed)
	require.NotNil(t, st.Source)
	assert.Equal(t, []string{"dave-gh"}, st.Source.Authors)
	assert.Contains(t, st.Risk.Explanation, "2 files, 42 lines")

	_, err = c.ctl.Control(ctx, id, workflows.UpdateApprove, workflows.Request{Actor: "dave-gh"})
	require.ErrorContains(t, err, "segregation of duties")
	s.approveInSlack(t, c, id, "U1", "bob@example.com")
	s.approveInSlack(t, c, id, "U2", "carol@example.com")
	res := releaseResult(t, c, id)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)
	deps := s.github.Deployments()
	require.Len(t, deps, 1)
	assert.Equal(t, head, deps[0].Ref, "the deployment is of the release's head commit")
}
