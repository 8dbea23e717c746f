package test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/workflows"
)

// message returns the message with key in channel C1.
func (s *saas) message(key string) slack.FakeMessage {
	for _, m := range s.slack.Messages("C1") {
		if m.Key == key {
			return m
		}
	}
	return slack.FakeMessage{}
}

// TestRollbackFromSlackAsksForAReasonAndUndoesTheRelease: during the review wait an on-call
// engineer clicks Roll back on the first wave's message (which still carries it), gives a
// reason in the dialog, and the release rolls back: GitHub deployments inactive, the Jira change
// request Rolled Back then Closed with the reason, the wave messages final.
func TestRollbackFromSlackAsksForAReasonAndUndoesTheRelease(t *testing.T) {
	c := newCluster(t)
	s := startSaaS(t, c)
	const id = "slack-rollback-1"
	spec := markerSpec(id, 1, 2, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com"}, 1
	spec.ReviewDelay = release.Duration(10 * time.Minute)
	spec = signed(t, spec)
	ctx := context.Background()
	c.startAtApproval(spec)
	s.approveInSlack(t, c, id, "U1", "bob@example.com")
	c.waitFor(id, "review wait", func(st workflows.Status) bool { return st.Phase == workflows.PhaseReview })

	first := slack.WaveKey(id, 0)
	require.Eventually(t, func() bool {
		m := s.message(first)
		return strings.Contains(string(m.Blocks), "completed") && strings.Contains(string(m.Blocks), slack.ActionRollback)
	}, 30*time.Second, 50*time.Millisecond, "a finished wave keeps Roll back while the release is open")
	assert.Contains(t, string(s.message(first).Blocks), `"confirm"`, "Roll back confirms before anything else")

	resp, err := s.caller.Send(ctx, s.caller.Click("U2", slack.ActionRollback, id), 0)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var view slack.FakeView
	require.Eventually(t, func() bool {
		for _, v := range s.slack.Views() {
			if v.CallbackID == slack.CallbackReason && strings.Contains(v.PrivateMetadata, id) {
				view = v
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the reason dialog opens")
	resp, err = s.caller.Send(ctx, s.caller.Submit("U2", view, "error budget burning"), 0)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	res := releaseResult(t, c, id)
	require.Equal(t, workflows.OutcomeRolledBack, res.Outcome, res.Reason)
	assert.Contains(t, res.Reason, "carol@example.com: error budget burning")

	deps := s.github.Deployments()
	require.Len(t, deps, 2)
	for _, d := range deps {
		require.NotEmpty(t, d.Statuses)
		assert.Equal(t, github.StateInactive, d.Statuses[len(d.Statuses)-1], "%s: rolled back", d.Environment)
	}
	issues := s.jira.Issues()
	require.Len(t, issues, 1)
	assert.Equal(t, []string{"Open", "Awaiting Approval", "Implementing", "Rolled Back", "Closed"}, issues[0].History)
	assert.True(t, strings.Contains(strings.Join(issues[0].Comments, "\n"), "error budget burning"), "the reason is on the change request")
	for i := range 2 {
		m := s.message(slack.WaveKey(id, i))
		assert.NotContains(t, string(m.Blocks), slack.ActionRollback, "wave %d: no controls once the release closed", i)
		assert.Contains(t, string(m.Blocks), "release rolled-back", "wave %d", i)
	}
}

// TestASlackRequestReplayedOnAnotherReplicaActsOnce: a pause sent through one Tollgate replica
// is undone with a resume; the same signed request then reaches a second replica, whose memory
// has never seen it. Temporal's Update ID (the body's digest) makes it the same pause, already
// done, so the release stays resumed.
func TestASlackRequestReplayedOnAnotherReplicaActsOnce(t *testing.T) {
	c := newCluster(t)
	s := startSaaS(t, c)
	const id = "slack-replay-1"
	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com"}, 1
	spec = signed(t, spec)
	ctx := context.Background()
	c.startAtApproval(spec)

	replica := func() (*web.Slack, string) {
		sc := slack.New(slack.Options{Token: e2eSlackToken, APIURL: s.slack.APIURL(), ResponseURLPrefix: s.slack.ResponseURLPrefix()})
		h := web.NewSlack(web.SlackOptions{SigningSecret: e2eSigning, Slack: sc, Control: c.ctl, Logger: quietLogger()})
		mux := http.NewServeMux()
		h.Mount(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return h, srv.URL
	}
	one, oneURL := replica()
	two, twoURL := replica()
	pause := s.caller.Command("U1", "pause "+id+" checking the graphs")
	send := func(url string) {
		caller := *s.caller
		caller.Endpoint = url
		resp, err := caller.Send(ctx, pause, 0)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	send(oneURL)
	require.NoError(t, one.Shutdown(ctx))
	c.waitFor(id, "paused", func(st workflows.Status) bool { return st.Paused })
	_, err := c.ctl.Control(ctx, id, workflows.UpdateResume, workflows.Request{Actor: "oncall@example.com"})
	require.NoError(t, err)

	send(twoURL)
	require.NoError(t, two.Shutdown(ctx))
	st, err := c.ctl.Status(ctx, id)
	require.NoError(t, err)
	assert.False(t, st.Paused, "the replayed pause acted again")
	var pauses int
	for _, ev := range st.Timeline {
		if ev.Kind == "paused" {
			pauses++
		}
	}
	assert.Equal(t, 1, pauses)
}

// TestWithoutJiraTheChangeRecordIsInTheStore: a worker without Jira keeps each release's change
// record in its store, moved through the phases and commented on once per event.
func TestWithoutJiraTheChangeRecordIsInTheStore(t *testing.T) {
	c := newCluster(t)
	acts := scriptActivities(t, t.TempDir())
	acts.EvidenceStore = &activities.MemEvidenceStore{}
	changes := acts.Store.(store.ChangeRecords)
	acts.Jira.Local = activities.LocalChanges{Store: changes}
	c.startWorker(acts)
	const id = "local-change-1"
	spec := signed(t, markerSpec(id, 2, 2, "true"))
	ctx := context.Background()
	c.startAtApproval(spec)
	c.approve(id, "bob")
	res := releaseResult(t, c, id)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	rec, err := changes.GetChange(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Closed (completed)", rec.Status)
	assert.Equal(t, []string{"svc-00", "svc-01"}, rec.Services)
	assert.NotEqual(t, "pending", rec.RiskClass, "the assessed risk replaced the placeholder")
	var path []string
	for _, tr := range rec.Transitions {
		path = append(path, tr.To)
	}
	assert.Equal(t, []string{"Awaiting approval", "Implementing", "Closed (completed)"}, path)
	seen := map[string]bool{}
	var bodies []string
	for _, cm := range rec.Comments {
		assert.False(t, seen[cm.Marker], "comment %s twice", cm.Marker)
		seen[cm.Marker] = true
		bodies = append(bodies, cm.Body)
	}
	all := strings.Join(bodies, "\n")
	for _, want := range []string{"Approval approved by bob", "Wave wave-env-1 completed", "24-hour review filed to the knowledge base", "Release completed"} {
		assert.Contains(t, all, want)
	}
	st, err := c.ctl.Status(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, st.Records)
	assert.Equal(t, rec.Key, st.Records.ChangeKey)
	assert.Empty(t, st.Records.Failures)
}

// TestAnAuthorsSlackApprovalIsRefusedToThemAlone: the workflow's own validator refuses the
// author's click, and the reason reaches the clicker as an ephemeral answer; the approval
// message does not count it.
func TestAnAuthorsSlackApprovalIsRefusedToThemAlone(t *testing.T) {
	c := newCluster(t)
	s := startSaaS(t, c)
	const id = "slack-author-1"
	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob@example.com", "carol@example.com"}, 1
	spec.Authors = []string{"bob@example.com"}
	spec = signed(t, spec)
	ctx := context.Background()
	c.startAtApproval(spec)

	resp, err := s.caller.Send(ctx, s.caller.Click("U1", slack.ActionApprove, id), 0)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "Slack gets its acknowledgement whatever the decision")
	var answer string
	require.Eventually(t, func() bool {
		for _, r := range s.slack.Responses() {
			if strings.HasPrefix(r.Text, "Refused:") {
				answer = r.Text
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the refusal reaches the clicker")
	assert.Contains(t, answer, `bob@example.com authored a change in release "slack-author-1" and cannot approve it`)
	st, err := c.ctl.Status(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, st.Approval.Approved, "a refused approval counts for nothing")
	assert.Contains(t, string(s.message(slack.ApprovalKey(id)).Blocks), "0 of 1 approved")
}

// TestAFreezeExceptionGrantedInSlack: a freeze holds the release's only wave; its Slack message
// offers Grant exception; an executive clicks it, gives a justification and a duration in the
// dialog, and the wave goes ahead at once.
func TestAFreezeExceptionGrantedInSlack(t *testing.T) {
	c := newCluster(t)
	dir := t.TempDir()
	now := time.Now().UTC()
	calendarFile := filepath.Join(dir, "calendar.yaml")
	require.NoError(t, os.WriteFile(calendarFile, []byte(`freezes:
  - id: peak
    reason: peak sales
    timeZone: UTC
    start: "`+now.Add(-time.Hour).Format("2006-01-02T15:04")+`"
    end: "`+now.Add(48*time.Hour).Format("2006-01-02T15:04")+`"
`), 0o600))
	directoryFile := filepath.Join(dir, "directory.yaml")
	require.NoError(t, os.WriteFile(directoryFile, []byte(`people:
  - {id: bob, email: bob@example.com, slack: U1, groups: [approvers]}
  - {id: carol, email: carol@example.com, slack: U2, groups: [approvers]}
  - {id: vic, email: vic@example.com, slack: U3, roles: [exec]}
`), 0o600))
	s := startSaaSWith(t, c, func(acts *activities.Activities) {
		acts.Governance = activities.GovernanceConfig{CalendarPath: calendarFile, DirectoryPath: directoryFile}
	})
	s.slack.AddUser("U3", "vic@example.com")
	const id = "slack-exception-1"
	spec := markerSpec(id, 1, 1, "true")
	spec.Approval.Approvers, spec.Approval.Required = []string{"bob", "carol"}, 1
	spec = signed(t, spec)
	ctx := context.Background()
	c.startAtApproval(spec)
	c.approve(id, "bob")
	c.waitFor(id, "held by the freeze", func(st workflows.Status) bool { return strings.Contains(st.Waiting, "peak") })

	key := slack.ExceptionKey(id, 0)
	require.Eventually(t, func() bool { return strings.Contains(string(s.message(key).Blocks), slack.ActionGrantException) },
		30*time.Second, 50*time.Millisecond, "the exception gate is in Slack")
	resp, err := s.caller.Send(ctx, s.caller.Click("U3", slack.ActionGrantException, id+"|peak"), 0)
	require.NoError(t, err)
	resp.Body.Close()
	var view slack.FakeView
	require.Eventually(t, func() bool {
		for _, v := range s.slack.Views() {
			if v.CallbackID == slack.CallbackException {
				view = v
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the exception dialog opens")
	resp, err = s.caller.Send(ctx, s.caller.SubmitException("U3", view, "security fix for CVE-2026-1", "12h"), 0)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	res := releaseResult(t, c, id)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)
	st, err := c.ctl.Status(ctx, id)
	require.NoError(t, err)
	require.Len(t, st.Exceptions, 1)
	assert.Equal(t, "vic", st.Exceptions[0].GrantedBy)
	assert.Equal(t, "security fix for CVE-2026-1", st.Exceptions[0].Justification)
	gate := string(s.message(key).Blocks)
	assert.Contains(t, gate, "exception granted by vic")
	assert.NotContains(t, gate, slack.ActionGrantException, "the gate closed")
}
