package config

import "os"

// Integrations configure Slack, GitHub and Jira. Tokens and secrets are read from the
// environment only and never logged: String hides them.
type Integrations struct {
	// SlackBotToken (TOLLGATE_SLACK_BOT_TOKEN, xoxb-…), SlackSigningSecret
	// (TOLLGATE_SLACK_SIGNING_SECRET) and SlackChannel (TOLLGATE_SLACK_CHANNEL, a channel ID)
	// together turn Slack on.
	SlackBotToken, SlackSigningSecret, SlackChannel string
	// SlackSupportChannel receives support handoffs, their reminders and escalations
	// (TOLLGATE_SLACK_SUPPORT_CHANNEL, a channel ID); empty means SlackChannel.
	SlackSupportChannel string
	// SlackAPIURL overrides https://slack.com/api/ (TOLLGATE_SLACK_API_URL; tests, proxies).
	SlackAPIURL string
	// PublicURL is the address people reach Tollgate's web API at (TOLLGATE_PUBLIC_URL); the
	// Details button links there when set.
	PublicURL string
	// GitHub: TOLLGATE_GITHUB_TOKEN, TOLLGATE_GITHUB_REPO (owner/name),
	// TOLLGATE_GITHUB_WEBHOOK_SECRET (turns on POST /github/webhook).
	GitHubToken, GitHubRepo, GitHubWebhookSecret string
	// GitHubAPIURL is the REST API base (TOLLGATE_GITHUB_API_URL): GitHub Enterprise Server's
	// https://HOST/api/v3/; empty means https://api.github.com/.
	GitHubAPIURL string
	// Demo (TOLLGATE_DEMO_INTEGRATIONS=true, embedded server only) serves in-memory Slack,
	// GitHub and Jira on loopback and points the integrations at them: `make run` shows
	// messages, deployments and change requests without any account.
	Demo bool
	// Jira: TOLLGATE_JIRA_URL, TOLLGATE_JIRA_USER, TOLLGATE_JIRA_TOKEN, TOLLGATE_JIRA_PROJECT.
	JiraURL, JiraUser, JiraToken, JiraProject string
	// JiraIssueType (TOLLGATE_JIRA_ISSUE_TYPE, default "Change"), JiraTransitions
	// (TOLLGATE_JIRA_TRANSITIONS: "phase=Transition:Status,…"), JiraFields
	// (TOLLGATE_JIRA_FIELDS: "field=customfield_10050,…") and JiraCloud (TOLLGATE_JIRA_CLOUD=true
	// for Jira Cloud's search API).
	JiraIssueType, JiraTransitions, JiraFields string
	JiraCloud                                  bool
	// JiraIncidentType (TOLLGATE_JIRA_INCIDENT_TYPE, default "Incident") is the issue type the
	// incident search reads for risk and the review; incidents are linked by label
	// (tollgate-RELEASE, tollgate-service-SERVICE).
	JiraIncidentType string
}

func integrationsFromEnv() Integrations {
	return Integrations{
		SlackBotToken:       os.Getenv("TOLLGATE_SLACK_BOT_TOKEN"),
		SlackSigningSecret:  os.Getenv("TOLLGATE_SLACK_SIGNING_SECRET"),
		SlackChannel:        os.Getenv("TOLLGATE_SLACK_CHANNEL"),
		SlackAPIURL:         os.Getenv("TOLLGATE_SLACK_API_URL"),
		SlackSupportChannel: os.Getenv("TOLLGATE_SLACK_SUPPORT_CHANNEL"),
		PublicURL:           os.Getenv("TOLLGATE_PUBLIC_URL"),
		GitHubToken:         os.Getenv("TOLLGATE_GITHUB_TOKEN"),
		GitHubRepo:          os.Getenv("TOLLGATE_GITHUB_REPO"),
		GitHubWebhookSecret: os.Getenv("TOLLGATE_GITHUB_WEBHOOK_SECRET"),
		GitHubAPIURL:        os.Getenv("TOLLGATE_GITHUB_API_URL"),
		Demo:                os.Getenv("TOLLGATE_DEMO_INTEGRATIONS") == "true",
		JiraURL:             os.Getenv("TOLLGATE_JIRA_URL"),
		JiraUser:            os.Getenv("TOLLGATE_JIRA_USER"),
		JiraToken:           os.Getenv("TOLLGATE_JIRA_TOKEN"),
		JiraProject:         os.Getenv("TOLLGATE_JIRA_PROJECT"),
		JiraIssueType:       os.Getenv("TOLLGATE_JIRA_ISSUE_TYPE"),
		JiraTransitions:     os.Getenv("TOLLGATE_JIRA_TRANSITIONS"),
		JiraFields:          os.Getenv("TOLLGATE_JIRA_FIELDS"),
		JiraCloud:           os.Getenv("TOLLGATE_JIRA_CLOUD") == "true",
		JiraIncidentType:    os.Getenv("TOLLGATE_JIRA_INCIDENT_TYPE"),
	}
}

// Slack reports whether Slack messages and the Slack endpoints are on: all three are needed,
// since a message whose buttons cannot be verified must not be posted.
func (i Integrations) Slack() bool {
	return i.SlackBotToken != "" && i.SlackSigningSecret != "" && i.SlackChannel != ""
}

// String names what is configured without any secret.
func (i Integrations) String() string {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	return "slack=" + on(i.Slack()) + " github-webhook=" + on(i.GitHubWebhookSecret != "") +
		" github=" + on(i.GitHubToken != "" && i.GitHubRepo != "") + " jira=" + on(i.JiraURL != "" && i.JiraProject != "") + map[bool]string{true: " (demo: in-memory fakes)"}[i.Demo]
}
