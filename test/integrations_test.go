package test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/workflows"
)

const (
	e2eSlackToken = "xoxb-e2e"
	e2eSigning    = "e2e-signing-secret"
	e2eGitHubTok  = "ghp_e2e"
	e2eJiraTok    = "jira-e2e-token"
)

// saas is the three fakes with the real clients wired into the worker's activities, and
// Tollgate's Slack endpoints served on httptest in front of the cluster's control client.
type saas struct {
	slack  *slack.Fake
	github *github.Fake
	jira   *jira.Fake
	caller *slack.Caller
	// acts are the worker's activities, with their store.
	acts *activities.Activities
}

func startSaaS(t *testing.T, c *cluster) *saas { return startSaaSWith(t, c, nil) }

// startSaaSWith is startSaaS with configure applied to the worker's activities before it starts.
func startSaaSWith(t *testing.T, c *cluster, configure func(*activities.Activities)) *saas {
	s := &saas{
		slack:  slack.NewFake(e2eSlackToken, "C1"),
		github: github.NewFake(e2eGitHubTok, "acme", "shop"),
		jira:   jira.NewFake("tollgate", e2eJiraTok, "Open", jira.FakeChangeWorkflow...),
	}
	t.Cleanup(s.slack.Close)
	t.Cleanup(s.github.Close)
	t.Cleanup(s.jira.Close)
	s.slack.AddUser("U1", "bob@example.com")
	s.slack.AddUser("U2", "carol@example.com")

	sc := slack.New(slack.Options{Token: e2eSlackToken, APIURL: s.slack.APIURL(), ResponseURLPrefix: s.slack.Server.URL + "/respond/"})
	gc, err := github.New(github.Options{Token: e2eGitHubTok, Repo: "acme/shop", BaseURL: s.github.URL()})
	require.NoError(t, err)
	jc, err := jira.New(jira.Options{BaseURL: s.jira.URL(), User: "tollgate", Token: e2eJiraTok,
		Config: jira.Config{Project: "CHG", Transitions: jira.FakeSteps()}})
	require.NoError(t, err)

	acts := scriptActivities(t, t.TempDir())
	acts.EvidenceStore = &activities.MemEvidenceStore{}
	s.acts = acts
	acts.Slack = activities.SlackConfig{Messenger: sc, Channel: "C1"}
	acts.Notifier = &activities.SlackNotifier{Messenger: sc, Channel: "C1", Next: acts.Notifier}
	acts.GitHub = activities.GitHubConfig{Deployer: gc}
	acts.Jira = activities.JiraConfig{Tracker: jc}
	if configure != nil {
		configure(acts)
	}
	c.startWorker(acts)

	mux := http.NewServeMux()
	web.NewSlack(web.SlackOptions{SigningSecret: e2eSigning, Slack: sc, Control: c.ctl, Logger: quietLogger()}).Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.caller = &slack.Caller{Fake: s.slack, Endpoint: srv.URL, Secret: e2eSigning}
	return s
}

// approveInSlack clicks Approve as user until the release counts the approval: a click whose
// users.info lookup met an injected fault is answered with an error, and the person clicks again.
func (s *saas) approveInSlack(t *testing.T, c *cluster, id, user, email string) {
	require.Eventually(t, func() bool {
		st, err := c.ctl.Status(context.Background(), id)
		require.NoError(t, err)
		if slices.ContainsFunc(st.Approval.Approved, func(d workflows.Decision) bool { return d.Actor == email }) {
			return true
		}
		resp, err := s.caller.Send(context.Background(), s.caller.Click(user, slack.ActionApprove, id), 0)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return false
	}, 30*time.Second, 700*time.Millisecond, "%s's approval never counted", email)
}

// runApprovedInSlack runs a two-environment release approved by two Slack clicks and checks
// every external object exists exactly once, in its final state.
func runApprovedInSlack(t *testing.T, id string, faultRate float64) {
	c := newCluster(t)
	s := startSaaS(t, c)
	if faultRate > 0 {
		// Slow answers (held back, then given) join 5xx, 429 with Retry-After and lost answers.
		s.slack.Faults.Slow, s.github.Faults.Slow, s.jira.Faults.Slow = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
		s.slack.Faults.SetRate(faultRate, 7)
		s.github.Faults.SetRate(faultRate, 11)
		s.jira.Faults.SetRate(faultRate, 13)
	}
	spec := markerSpec(id, 1, 2, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com", "carol@example.com"}, 2
	spec = signed(t, spec)
	c.startAtApproval(spec)
	require.Eventually(t, func() bool { return len(s.slack.Messages("C1")) > 0 }, 30*time.Second, 50*time.Millisecond, "approval message")

	s.approveInSlack(t, c, id, "U1", "bob@example.com")
	s.approveInSlack(t, c, id, "U2", "carol@example.com")
	// The run ends only after the queued messages and records reached Slack, GitHub and Jira.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var res workflows.ReleaseResult
	require.NoError(t, c.client.GetWorkflow(ctx, id, "").Get(ctx, &res))
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	msgs := s.slack.Messages("C1")
	var keys []string
	for _, m := range msgs {
		keys = append(keys, m.Key)
	}
	assert.ElementsMatch(t, []string{slack.ApprovalKey(id), slack.WaveKey(id, 0), slack.WaveKey(id, 1), slack.HandoffKey(id)}, keys, "one message per key")
	approval := string(s.message(slack.ApprovalKey(id)).Blocks)
	assert.Contains(t, approval, "2 of 2 approved (bob@example.com, carol@example.com)", "updated in place as approvals arrived")
	assert.Contains(t, approval, "Approval closed: approved by bob@example.com, carol@example.com")
	assert.NotContains(t, approval, slack.ActionApprove, "a closed gate has no buttons")
	assert.Positive(t, s.message(slack.ApprovalKey(id)).Updates, "chat.update, not a new message")
	for i := range 2 {
		wave := string(s.message(slack.WaveKey(id, i)).Blocks)
		assert.Contains(t, wave, "release completed", "wave %d", i)
		assert.NotContains(t, wave, slack.ActionRollback, "wave %d: no controls once the release closed", i)
	}
	st, err := c.ctl.Status(context.Background(), id)
	require.NoError(t, err)
	require.NotNil(t, st.Records)
	assert.Len(t, st.Records.Deployments, 2, "the status names each environment's GitHub deployment")
	assert.Empty(t, st.Records.Failures, "every record was written, whatever the faults")

	deps := s.github.Deployments()
	require.Len(t, deps, 2, "one deployment per environment: %v", deps)
	for _, d := range deps {
		assert.Equal(t, []github.State{github.StateQueued, github.StateInProgress, github.StateSuccess}, d.Statuses, "each status once: %s", d)
		assert.Equal(t, "tollgate/"+id+"/"+d.Environment, d.Payload[github.PayloadMarker])
	}
	issues := s.jira.Issues()
	require.Len(t, issues, 1, "one change request")
	assert.Contains(t, issues[0].Description, "h3. risk\n", "the change request carries the risk section")
	assert.NotContains(t, issues[0].Description, "pending", "the assessed risk replaced the placeholder")
	assert.Equal(t, []string{"Open", "Awaiting Approval", "Implementing", "Closed"}, issues[0].History)
	texts, refs := map[string]bool{}, map[string]int{}
	for _, cm := range issues[0].Comments {
		text, ref, ok := strings.Cut(cm, "\n\n"+jira.CommentRef(""))
		require.True(t, ok, "every comment carries its marker: %q", cm)
		texts[text] = true
		refs[ref]++
		assert.Equal(t, 1, refs[ref], "comment %s added twice", ref)
	}
	assert.True(t, texts["Approval approved by bob@example.com, carol@example.com"], "%v", issues[0].Comments)
	assert.True(t, texts["Release completed"], "%v", issues[0].Comments)
	var reviewed bool
	for text := range texts {
		reviewed = reviewed || strings.HasPrefix(text, "24-hour review filed to the knowledge base")
	}
	assert.True(t, reviewed, "the review outcome is on the change request: %v", issues[0].Comments)
	// Tokens and signing secrets never reach the workflow history (nor, through it, the archive
	// or the Web UI), whatever the errors the faults caused.
	history := string(c.historyJSON(id))
	basic := base64.StdEncoding.EncodeToString([]byte("tollgate:" + e2eJiraTok))
	for _, secret := range []string{e2eSlackToken, e2eSigning, e2eGitHubTok, e2eJiraTok, basic} {
		assert.NotContains(t, history, secret)
	}
	if faultRate > 0 {
		assert.Positive(t, s.slack.Faults.Injected(), "slack faults")
		assert.Positive(t, s.github.Faults.Injected(), "github faults")
		assert.Positive(t, s.jira.Faults.Injected(), "jira faults")
	}
}

// TestReleaseApprovedInSlackRecordsGitHubAndJira: two people approve in (fake) Slack; GitHub
// shows both deployments succeed and the Jira change request moves through its workflow.
func TestReleaseApprovedInSlackRecordsGitHubAndJira(t *testing.T) {
	runApprovedInSlack(t, "saas-1", 0)
}

// TestReleaseUnderInjectedSaaSFailuresCreatesNoDuplicate: the same with 30 % of calls to Slack,
// GitHub and Jira failing (5xx, 429 with Retry-After, slow answers, lost answers after the remote
// acted).
func TestReleaseUnderInjectedSaaSFailuresCreatesNoDuplicate(t *testing.T) {
	runApprovedInSlack(t, "saas-2", 0.3)
}

// TestHandoffAcknowledgedFromTheCLIShowsInSlack: the support handoff is posted to Slack with its
// Acknowledge button; a support engineer acknowledges from the CLI instead, and the Slack
// message still ends up saying who took the release over.
func TestHandoffAcknowledgedFromTheCLIShowsInSlack(t *testing.T) {
	c := newCluster(t)
	s := startSaaS(t, c)
	const id = "handoff-1"
	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com"}, 1
	spec.Handoff.Members = []string{"sam"}
	spec = signed(t, spec)
	ctx := context.Background()
	c.startAtApproval(spec)
	s.approveInSlack(t, c, id, "U1", "bob@example.com")
	c.waitFor(id, "handoff", func(st workflows.Status) bool {
		return st.Phase == workflows.PhaseHandoff && st.Handoff != nil && !st.Handoff.Sent.IsZero()
	})
	handoff := func() slack.FakeMessage {
		for _, m := range s.slack.Messages("C1") {
			if m.Key == slack.HandoffKey(id) {
				return m
			}
		}
		return slack.FakeMessage{}
	}
	require.Contains(t, string(handoff().Blocks), slack.ActionAcknowledgeHandoff)

	out, _, code := c.cliRun(ctx, "ack", id, "--as", "sam", "--reason", "runbook read")
	require.Equal(t, 0, code, out)
	res := releaseResult(t, c, id)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)
	msg := handoff()
	assert.Contains(t, string(msg.Blocks), "acknowledged by sam at ")
	assert.NotContains(t, string(msg.Blocks), slack.ActionAcknowledgeHandoff, "the button is gone")
}
