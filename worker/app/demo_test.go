package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

func TestDemoIntegrationsWireTheRealClientsToTheFakes(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, _, err := startDemoIntegrations(&config.Integrations{}, t.TempDir(), false, quiet)
	require.ErrorContains(t, err, "embedded server only")

	dir := t.TempDir()
	ic := config.Integrations{Demo: true}
	stop, responsePrefix, err := startDemoIntegrations(&ic, dir, true, quiet)
	require.NoError(t, err)
	defer stop()
	assert.True(t, ic.Slack())
	assert.Contains(t, ic.String(), "jira=on (demo: in-memory fakes)")

	acts := &activities.Activities{}
	require.NoError(t, wireITSM(acts, ic))
	sc := wireSlack(acts, ic, responsePrefix)
	require.NotNil(t, sc)
	ctx := context.Background()
	// Answers to clickers (refusals above all) reach the fake Slack, as they reach Slack in production.
	assert.Equal(t, responsePrefix, sc.ResponseURLPrefix())
	require.NoError(t, sc.Respond(ctx, responsePrefix+"1", "Refused: alice authored a change"), "the fake's response_url passes the client's prefix check")
	assert.ErrorIs(t, wireSlack(&activities.Activities{}, ic, "").Respond(ctx, responsePrefix+"1", "x"), slack.ErrResponseURLRefused,
		"without the demo prefix the fake's URLs are refused, as any non-Slack URL is")
	key, err := acts.Jira.Tracker.CreateChange(ctx, jira.ChangeRequest{ReleaseID: "demo-1", Summary: "Release demo-1"})
	require.NoError(t, err, "the Jira client signs in to the fake")
	moved, err := acts.Jira.Tracker.Transition(ctx, key, "approval")
	require.NoError(t, err)
	assert.True(t, moved, "the demo's transition mapping matches the fake's workflow")
	_, err = acts.GitHub.Deployer.FindDeployment(ctx, "staging", "m")
	require.NoError(t, err, "the GitHub client signs in to the fake")

	info, err := os.Stat(filepath.Join(dir, DemoEnvFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the file holds credentials")
	data, err := os.ReadFile(filepath.Join(dir, DemoEnvFile))
	require.NoError(t, err)
	assert.Contains(t, string(data), "TOLLGATE_DEMO_JIRA_URL="+ic.JiraURL)
	assert.Contains(t, string(data), "TOLLGATE_DEMO_JIRA_TOKEN="+ic.JiraToken)
}
