package test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
	"github.com/tollgate-dev/tollgate/worker/app"
	"github.com/tollgate-dev/tollgate/workflows"
)

// TestRecordHistories runs representative releases on a real server and replays each
// execution's history against the current workflow code. With TOLLGATE_RECORD_HISTORIES=1
// (`make histories`) it also writes them to workflows/testdata/histories, where
// workflows/replay_test.go replays them in every CI run: commit them when a release shape
// changes, never regenerate them to hide a determinism failure.
func TestRecordHistories(t *testing.T) {
	c := newCluster(t)
	fake := deploy.NewFake()
	fake.Delay = 100 * time.Millisecond
	fake.Fail(-1, errors.New("verify: wrong version answering"), func(s deploy.Step) bool {
		return s.Env["RELEASE_ID"] == "history-rolled-back" && deploy.MatchService("svc-01", "verify", "env-1")(s)
	})
	ghFake, ghConfig, jiraFake, jiraConfig := recordingSaaS(t)
	slackFake := slack.NewFake(e2eSlackToken, "C1")
	t.Cleanup(slackFake.Close)
	slackClient := slack.New(slack.Options{Token: e2eSlackToken, APIURL: slackFake.APIURL(), ResponseURLPrefix: slackFake.ResponseURLPrefix()})
	c.startWorker(&activities.Activities{Store: openStore(t), Deployer: fake, Traffic: fake, Logger: quietLogger(),
		Audit: openAudit(t), Artifacts: artifacts.New(artifacts.Options{}), EvidenceStore: &activities.MemEvidenceStore{},
		GitHub: ghConfig, Jira: jiraConfig, Slack: activities.SlackConfig{Messenger: slackClient, Channel: "C1"}})
	ctx := context.Background()

	// completed: approval by quorum, a pause and a resume in the middle of the first wave.
	done := signed(t, markerSpec("history-completed", 3, 2, "true"))
	done.Approval.Approvers = []string{"bob", "carol"}
	_, err := c.ctl.Start(ctx, &done, "alice")
	require.NoError(t, err)
	c.waitFor(done.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
	_, err = c.ctl.Control(ctx, done.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	require.NoError(t, err)
	c.waitFor(done.Metadata.ID, "first wave running", func(st workflows.Status) bool { return st.Waves[0].State == workflows.WaveRunning })
	_, err = c.ctl.Control(ctx, done.Metadata.ID, workflows.UpdatePause, workflows.Request{Actor: "oncall", Reason: "looking"})
	require.NoError(t, err)
	_, err = c.ctl.Control(ctx, done.Metadata.ID, workflows.UpdateResume, workflows.Request{Actor: "oncall"})
	require.NoError(t, err)
	res, err := c.ctl.Result(ctx, done.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	// rolled back: svc-01's verify fails in env-1, so both waves roll back.
	failed := signed(t, markerSpec("history-rolled-back", 2, 2, "true"))
	_, err = c.ctl.Start(ctx, &failed, "alice")
	require.NoError(t, err)
	c.waitFor(failed.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
	_, err = c.ctl.Control(ctx, failed.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	require.NoError(t, err)
	res, err = c.ctl.Result(ctx, failed.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeRolledBack, res.Outcome, res.Reason)
	assert.Equal(t, "", fake.Version("env-0", "svc-00"), "rollback restores env-0")

	// canary: one service through weights 50 and 100 with bakes, as a rollout child.
	canary := markerSpec("history-canary", 1, 1, "true")
	canary.Services[0].Strategy = &release.Strategy{
		Canary:   &release.Canary{Replicas: 2, Steps: []release.CanaryStep{{Weight: 50, Bake: release.Duration(time.Second)}, {Weight: 100, Bake: release.Duration(time.Second)}}},
		Commands: release.TrafficCommands{Scale: "true", Weight: "true", Switch: "true", Observe: "true"},
	}
	canary = signed(t, canary)
	fake.SetTargetState("env-0", "svc-00", rollout.Initial(rollout.Snapshot{Version: "0.9.0", Replicas: 2}, false))
	_, err = c.ctl.Start(ctx, &canary, "alice")
	require.NoError(t, err)
	c.waitFor(canary.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
	_, err = c.ctl.Control(ctx, canary.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	require.NoError(t, err)
	res, err = c.ctl.Result(ctx, canary.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	// itsm: GitHub source checks and compare, then a Jira change request the CAB schedules.
	itsm := markerSpec("history-itsm", 1, 1, "true")
	itsm.Source = &release.Source{Base: "v1.0.0", Head: "9f2c4e1", Checks: release.SourceChecks{Owner: "quinn", Required: []string{"build"}}}
	itsm.ChangeControl = &release.ChangeControl{WaitFor: "Scheduled", RejectOn: []string{"Rejected"}, PollEvery: release.Duration(time.Second)}
	itsm.Handoff.Members = []string{"sam"}
	itsm.Normalize()
	itsm = signed(t, itsm)
	ghFake.SetCompare("v1.0.0", "9f2c4e1", github.FakeComparison{Files: []string{"a.go"}, Additions: 10,
		Commits: []github.FakeCommit{{SHA: "9f2c4e1", Login: "dana-gh", Time: time.Now().Add(-time.Hour)}}})
	ghFake.SetChecks("9f2c4e1", []github.Check{{Name: "build", Conclusion: "success"}}, nil)
	_, err = c.ctl.Start(ctx, &itsm, "alice")
	require.NoError(t, err)
	c.waitFor(itsm.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
	_, err = c.ctl.Control(ctx, itsm.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	require.NoError(t, err)
	st := c.waitFor(itsm.Metadata.ID, "change-control", func(st workflows.Status) bool {
		return st.ChangeControl != nil && st.ChangeControl.Key != ""
	})
	require.True(t, jiraFake.SetStatus(st.ChangeControl.Key, "Scheduled"))
	c.waitFor(itsm.Metadata.ID, "handoff", func(st workflows.Status) bool { return st.Phase == workflows.PhaseHandoff && st.Handoff != nil })
	_, err = c.ctl.Control(ctx, itsm.Metadata.ID, workflows.UpdateAcknowledgeHandoff, workflows.Request{Actor: "sam"})
	require.NoError(t, err)
	res, err = c.ctl.Result(ctx, itsm.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	// cancelled: cancelled through Temporal while it waits for approval; it still closes.
	cancelled := signed(t, markerSpec("history-cancelled", 1, 2, "true"))
	_, err = c.ctl.Start(ctx, &cancelled, "alice")
	require.NoError(t, err)
	c.waitFor(cancelled.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
	require.NoError(t, c.client.CancelWorkflow(ctx, cancelled.Metadata.ID, ""))
	res, err = c.ctl.Result(ctx, cancelled.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeCancelled, res.Outcome, res.Reason)

	ids := []string{
		cancelled.Metadata.ID,
		itsm.Metadata.ID,
		canary.Metadata.ID, workflows.RolloutWorkflowID(canary.Metadata.ID, 0, "env-0", "svc-00"),
		done.Metadata.ID, workflows.WaveWorkflowID(done.Metadata.ID, 0, workflows.WaveDeploy),
		failed.Metadata.ID, workflows.WaveWorkflowID(failed.Metadata.ID, 1, workflows.WaveRollback),
	}
	record := os.Getenv("TOLLGATE_RECORD_HISTORIES") == "1"
	dir := filepath.Join(repoRoot(t), "workflows", "testdata", "histories")
	for _, id := range ids {
		data := c.historyJSON(id)
		replayer := worker.NewWorkflowReplayer()
		app.RegisterWorkflows(replayer)
		hist, err := historyFromJSON(data)
		require.NoError(t, err)
		require.NoError(t, replayer.ReplayWorkflowHistory(nil, hist), "replay %s", id)
		if record {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			name := filepath.Join(dir, sanitize(id)+"."+historyShape+".json")
			require.NoError(t, os.WriteFile(name, data, 0o644))
			t.Logf("recorded %s", name)
		}
	}
}

// historyShape names the workflow shape the recordings capture. Bump it when a versioned
// change alters the command sequence, so new recordings sit beside the old ones instead of
// replacing them: old files prove that releases started before the change still resume.
// v1 (files without a shape): waves only. v2: integrity, risk, freezes, locks, audit trail.
// v3: after the deploy (review, handoff, archive), with GitHub and Jira records on (the risk
// written into the change request), and a release with a source (checks, compare) in
// ITSM-driven mode whose handoff is acknowledged. v4: Slack on as well, and the integration
// records version (wave messages open until the release closes and showing pauses, the review
// commented on the change request, the closing comment before the outcome's close step, the
// change request read before each wave of an ITSM-driven release), and a release cancelled
// through Temporal that still closes (cancel-closes).
const historyShape = "v4"

// recordingSaaS serves fake GitHub and Jira for the recordings and returns them with the
// activities' configuration of their real clients.
func recordingSaaS(t *testing.T) (*github.Fake, activities.GitHubConfig, *jira.Fake, activities.JiraConfig) {
	gf := github.NewFake(e2eGitHubTok, "acme", "shop")
	t.Cleanup(gf.Close)
	gc, err := github.New(github.Options{Token: e2eGitHubTok, Repo: "acme/shop", BaseURL: gf.URL()})
	require.NoError(t, err)
	jf := jira.NewFake("tollgate", e2eJiraTok, "Open", jira.FakeChangeWorkflow...)
	t.Cleanup(jf.Close)
	jc, err := jira.New(jira.Options{BaseURL: jf.URL(), User: "tollgate", Token: e2eJiraTok,
		Config: jira.Config{Project: "CHG", Transitions: jira.FakeSteps()}})
	require.NoError(t, err)
	return gf, activities.GitHubConfig{Deployer: gc}, jf, activities.JiraConfig{Tracker: jc}
}

func (c *cluster) historyJSON(id string) []byte {
	it := c.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(c.t, err)
		h.Events = append(h.Events, ev)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	require.NoError(c.t, err)
	return data
}

func historyFromJSON(data []byte) (*historypb.History, error) {
	h := &historypb.History{}
	return h, protojson.Unmarshal(data, h)
}

func sanitize(id string) string {
	out := []rune(id)
	for i, r := range out {
		if r == '/' {
			out[i] = '_'
		}
	}
	return string(out)
}
