package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

// Demo channel IDs, repository and project of the in-memory integrations.
const (
	DemoSlackChannel   = "CDEMO"
	DemoSupportChannel = "CSUPPORT"
	DemoGitHubRepo     = "demo/shop"
	DemoJiraProject    = "CHG"
	DemoJiraUser       = "tollgate"
	// DemoEnvFile, in the data directory, tells scripts where the fakes listen and how to sign in.
	DemoEnvFile = "demo-integrations.env"
)

// demoJiraWorkflow is the fake's change workflow plus the change board's own moves, which the
// demo makes through Jira's REST API as a CAB member would in Jira's screens.
var demoJiraWorkflow = append(slices.Clone(jira.FakeChangeWorkflow),
	jira.FakeTransition{ID: "51", Name: "Schedule", To: "Scheduled"},
	jira.FakeTransition{ID: "61", Name: "Reject", To: "Rejected"},
)

// startDemoIntegrations serves the in-memory Slack, GitHub and Jira on loopback, points ic at
// them with fresh random credentials, and writes DemoEnvFile (mode 0600) for scripts. It is
// the embedded default's stand-in for real accounts; a worker on a real cluster refuses it.
// slackResponsePrefix is where the fake Slack's response_urls live: the Slack client must accept
// it, or answers to clickers (refusals included) are never shown in the demo.
func startDemoIntegrations(ic *config.Integrations, dataDir string, embedded bool, logger *slog.Logger) (stop func(), slackResponsePrefix string, err error) {
	if !embedded {
		return nil, "", errors.New("TOLLGATE_DEMO_INTEGRATIONS is for the embedded server only: a worker on a real cluster must not talk to in-memory fakes")
	}
	slackToken, githubToken, jiraToken, signing := "xoxb-"+randomHex(), "ghp_"+randomHex(), randomHex(), randomHex()
	sf := slack.NewFake(slackToken, DemoSlackChannel, DemoSupportChannel)
	gf := github.NewFake(githubToken, "demo", "shop")
	jf := jira.NewFake(DemoJiraUser, jiraToken, "Open", demoJiraWorkflow...)
	stop = func() { sf.Close(); gf.Close(); jf.Close() }

	ic.SlackBotToken, ic.SlackSigningSecret, ic.SlackAPIURL = slackToken, signing, sf.APIURL()
	ic.SlackChannel, ic.SlackSupportChannel = DemoSlackChannel, DemoSupportChannel
	ic.GitHubToken, ic.GitHubRepo, ic.GitHubAPIURL = githubToken, DemoGitHubRepo, gf.URL()
	ic.JiraURL, ic.JiraUser, ic.JiraToken, ic.JiraProject = jf.URL(), DemoJiraUser, jiraToken, DemoJiraProject
	ic.JiraTransitions = "approval=Request approval:Awaiting Approval,deploying=Implement:Implementing," +
		"rolled-back=Roll back:Rolled Back,closed=Close:Closed"

	env := fmt.Sprintf("TOLLGATE_DEMO_SLACK_URL=%s\nTOLLGATE_DEMO_SLACK_TOKEN=%s\nTOLLGATE_DEMO_GITHUB_URL=%s\nTOLLGATE_DEMO_GITHUB_TOKEN=%s\n"+
		"TOLLGATE_DEMO_JIRA_URL=%s\nTOLLGATE_DEMO_JIRA_USER=%s\nTOLLGATE_DEMO_JIRA_TOKEN=%s\n",
		sf.APIURL(), slackToken, gf.URL(), githubToken, jf.URL(), DemoJiraUser, jiraToken)
	path := filepath.Join(dataDir, DemoEnvFile)
	if err := os.WriteFile(path, []byte(env), 0o600); err != nil {
		stop()
		return nil, "", fmt.Errorf("demo integrations: %w", err)
	}
	logger.Info("demo integrations: in-memory Slack, GitHub and Jira on loopback", "slack", sf.APIURL(), "github", gf.URL(), "jira", jf.URL(), "credentials", path)
	return stop, sf.ResponseURLPrefix(), nil
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
