package app

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// wireITSM gives the activities GitHub and Jira clients when they are configured; intake
// records which ones exist, so releases started without them run no extra commands.
func wireITSM(acts *activities.Activities, ic config.Integrations) error {
	if ic.GitHubToken != "" && ic.GitHubRepo != "" {
		gc, err := github.New(github.Options{Token: ic.GitHubToken, Repo: ic.GitHubRepo, BaseURL: ic.GitHubAPIURL})
		if err != nil {
			return fmt.Errorf("GitHub (TOLLGATE_GITHUB_REPO=%s): %w", ic.GitHubRepo, err)
		}
		acts.GitHub.Deployer = gc
	}
	if ic.JiraURL == "" || ic.JiraProject == "" {
		return nil
	}
	steps, err := parseTransitions(ic.JiraTransitions)
	if err != nil {
		return err
	}
	fields, err := parsePairs("TOLLGATE_JIRA_FIELDS", ic.JiraFields)
	if err != nil {
		return err
	}
	jc, err := jira.New(jira.Options{BaseURL: ic.JiraURL, User: ic.JiraUser, Token: ic.JiraToken, Config: jira.Config{
		Project: ic.JiraProject, IssueType: ic.JiraIssueType, Fields: fields, Transitions: steps, Cloud: ic.JiraCloud,
		IncidentType: ic.JiraIncidentType,
	}})
	if err != nil {
		return fmt.Errorf("Jira (TOLLGATE_JIRA_URL=%s): %w", ic.JiraURL, err)
	}
	acts.Jira.Tracker = jc
	return nil
}

// parseTransitions reads "phase=Transition:Status,…"; without a mapping the phases are only
// commented on, never transitioned.
func parseTransitions(spec string) (map[string]jira.Step, error) {
	pairs, err := parsePairs("TOLLGATE_JIRA_TRANSITIONS", spec)
	if err != nil {
		return nil, err
	}
	out := map[string]jira.Step{}
	for phase, v := range pairs {
		transition, status, ok := strings.Cut(v, ":")
		if !ok || transition == "" || status == "" {
			return nil, fmt.Errorf("TOLLGATE_JIRA_TRANSITIONS: %s=%q: want Transition:Status", phase, v)
		}
		out[phase] = jira.Step{Transition: transition, Status: status}
	}
	return out, nil
}

func parsePairs(variable, spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s: %q: want key=value", variable, pair)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}
