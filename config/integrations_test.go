package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIntegrationsFromEnvJira(t *testing.T) {
	t.Setenv("TOLLGATE_JIRA_URL", "https://jira.example")
	t.Setenv("TOLLGATE_JIRA_PROJECT", "CHG")
	t.Setenv("TOLLGATE_JIRA_TOKEN", "jira-secret")
	t.Setenv("TOLLGATE_JIRA_CLOUD", "true")
	t.Setenv("TOLLGATE_JIRA_INCIDENT_TYPE", "Outage")
	ic := integrationsFromEnv()
	assert.Equal(t, "Outage", ic.JiraIncidentType)
	assert.True(t, ic.JiraCloud)
	assert.Contains(t, ic.String(), "jira=on")
	assert.NotContains(t, ic.String(), "jira-secret")
}

func TestIntegrationsFromEnvGitHubEnterpriseAndDemo(t *testing.T) {
	t.Setenv("TOLLGATE_GITHUB_API_URL", "https://ghe.example.com/api/v3/")
	t.Setenv("TOLLGATE_DEMO_INTEGRATIONS", "true")
	ic := integrationsFromEnv()
	assert.Equal(t, "https://ghe.example.com/api/v3/", ic.GitHubAPIURL)
	assert.True(t, ic.Demo)
	t.Setenv("TOLLGATE_DEMO_INTEGRATIONS", "1")
	assert.False(t, integrationsFromEnv().Demo, "only the literal true turns the fakes on")
}
