package app

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

func TestParseTransitions(t *testing.T) {
	got, err := parseTransitions("approval=Request approval:Awaiting Approval, closed=Close:Closed")
	require.NoError(t, err)
	assert.Equal(t, map[string]jira.Step{
		"approval": {Transition: "Request approval", Status: "Awaiting Approval"},
		"closed":   {Transition: "Close", Status: "Closed"},
	}, got)
	_, err = parseTransitions("approval=Request approval")
	assert.ErrorContains(t, err, "TOLLGATE_JIRA_TRANSITIONS: approval=")
	_, err = parsePairs("TOLLGATE_JIRA_FIELDS", "risk")
	assert.ErrorContains(t, err, "TOLLGATE_JIRA_FIELDS")
}

func TestWireITSMOnlyWhatIsConfigured(t *testing.T) {
	acts := &activities.Activities{}
	require.NoError(t, wireITSM(acts, config.Integrations{}))
	assert.Nil(t, acts.GitHub.Deployer)
	assert.Nil(t, acts.Jira.Tracker)
	require.NoError(t, wireITSM(acts, config.Integrations{GitHubToken: "t", GitHubRepo: "acme/shop",
		JiraURL: "https://jira.example", JiraProject: "CHG", JiraUser: "u", JiraToken: "t"}))
	assert.NotNil(t, acts.GitHub.Deployer)
	assert.NotNil(t, acts.Jira.Tracker)
	assert.Error(t, wireITSM(&activities.Activities{}, config.Integrations{GitHubToken: "t", GitHubRepo: "no-slash"}))
}

func TestWireITSMJiraIncidentType(t *testing.T) {
	fake := jira.NewFake("u", "t", "Open")
	defer fake.Close()
	fake.AddIssue(jira.FakeIssue{Key: "OUT-1", Type: "Outage", Labels: []string{"tollgate-r1"}, Created: time.Now()})
	fake.AddIssue(jira.FakeIssue{Key: "INC-1", Type: "Incident", Labels: []string{"tollgate-r1"}, Created: time.Now()})
	acts := &activities.Activities{}
	require.NoError(t, wireITSM(acts, config.Integrations{JiraURL: fake.URL(), JiraProject: "CHG", JiraUser: "u", JiraToken: "t",
		JiraIncidentType: "Outage"}))
	got, err := acts.Jira.Tracker.SearchIncidents(context.Background(), jira.IncidentQuery{Label: "tollgate-r1", Since: time.Now().Add(-time.Hour)})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "OUT-1", got[0].Key, "TOLLGATE_JIRA_INCIDENT_TYPE selects the incidents' issue type")
}
