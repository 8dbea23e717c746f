package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

func TestJiraMappingsRefuseUnknownKeysAtStart(t *testing.T) {
	base := config.Integrations{JiraURL: "https://jira.example/", JiraProject: "CHG", JiraUser: "u", JiraToken: "t"}
	tests := []struct {
		name        string
		transitions string
		fields      string
		err         []string
	}{
		{"every phase and outcome", "approval=A:B,deploying=A:B,rolled-back=A:B,closed=A:B,closed/completed=A:B,closed/rejected=A:B," +
			"closed/rolled-back=A:B,closed/approval-expired=A:B,closed/rollback-failed=A:B,closed/invalid=A:B," +
			"closed/integrity-failed=A:B,closed/readiness-blocked=A:B,closed/duplicate=A:B", "", nil},
		{"every field", "", "risk=customfield_1,riskClass=customfield_2:option,implementation=customfield_3,backout=customfield_4:text," +
			"test=customfield_5,services=components", nil},
		{"unknown phase", "aproval=Request approval:Awaiting Approval", "",
			[]string{"TOLLGATE_JIRA_TRANSITIONS", `unknown phase "aproval"`, "accepted: approval, deploying, rolled-back, closed, closed/completed,"}},
		{"unknown outcome", "closed/done=Close:Closed", "", []string{"TOLLGATE_JIRA_TRANSITIONS", `"closed/done"`, "closed/rolled-back"}},
		{"summary is not mappable", "", "summary=customfield_10050",
			[]string{"TOLLGATE_JIRA_FIELDS", `unknown field "summary"`, "accepted: risk, riskClass, implementation, backout, test, services"}},
		{"a select for services", "", "services=customfield_10052:option", []string{"TOLLGATE_JIRA_FIELDS", `"services"`, "single select"}},
		{"an unknown kind", "", "risk=customfield_10052:date", []string{"TOLLGATE_JIRA_FIELDS", `unknown kind "date"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic := base
			ic.JiraTransitions, ic.JiraFields = tt.transitions, tt.fields
			acts := &activities.Activities{}
			err := wireITSM(acts, ic)
			if tt.err == nil {
				require.NoError(t, err)
				assert.NotNil(t, acts.Jira.Tracker)
				return
			}
			require.Error(t, err)
			for _, s := range tt.err {
				assert.Contains(t, err.Error(), s)
			}
			assert.Nil(t, acts.Jira.Tracker)
		})
	}
}

// A closed/<outcome> entry configured at start is the one the workflow's close takes.
func TestJiraOutcomeTransitionWired(t *testing.T) {
	fake := jira.NewFake("u", "t", "Open", jira.FakeChangeWorkflow...)
	defer fake.Close()
	acts := &activities.Activities{}
	require.NoError(t, wireITSM(acts, config.Integrations{JiraURL: fake.URL(), JiraProject: "CHG", JiraUser: "u", JiraToken: "t",
		JiraTransitions: "closed=Close:Closed,closed/rolled-back=Roll back:Rolled Back"}))
	ctx := context.Background()
	for _, r := range []string{"r1", "r2"} {
		_, err := acts.Jira.Tracker.CreateChange(ctx, jira.ChangeRequest{ReleaseID: r, Summary: "Release " + r})
		require.NoError(t, err)
	}
	for key, phase := range map[string]string{"CHG-1": "closed/completed", "CHG-2": "closed/rolled-back"} {
		moved, err := acts.Jira.Tracker.Transition(ctx, key, phase)
		require.NoError(t, err)
		assert.True(t, moved, phase)
	}
	assert.Equal(t, "Closed", fake.Issues()[0].Status)
	assert.Equal(t, "Rolled Back", fake.Issues()[1].Status)
}
