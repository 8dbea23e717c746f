package app

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/workflows"
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
	fields, err := parseFields(ic.JiraFields)
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
// commented on, never transitioned. A phase the workflow never sends is refused: it would
// configure nothing, silently.
func parseTransitions(spec string) (map[string]jira.Step, error) {
	pairs, err := parsePairs("TOLLGATE_JIRA_TRANSITIONS", spec)
	if err != nil {
		return nil, err
	}
	accepted := jiraPhases()
	out := map[string]jira.Step{}
	for _, phase := range slices.Sorted(maps.Keys(pairs)) {
		v := pairs[phase]
		if !slices.Contains(accepted, phase) {
			return nil, fmt.Errorf("TOLLGATE_JIRA_TRANSITIONS: unknown phase %q (accepted: %s)", phase, strings.Join(accepted, ", "))
		}
		transition, status, ok := strings.Cut(v, ":")
		if !ok || transition == "" || status == "" {
			return nil, fmt.Errorf("TOLLGATE_JIRA_TRANSITIONS: %s=%q: want Transition:Status", phase, v)
		}
		out[phase] = jira.Step{Transition: transition, Status: status}
	}
	return out, nil
}

// jiraPhases are the phases the release workflow moves its change request through: closing
// takes "closed/<outcome>" first, then "closed" (jira.Config.Transitions); a duplicate change
// request is closed with "closed/duplicate".
func jiraPhases() []string {
	phases := []string{workflows.JiraPhaseApproval, workflows.JiraPhaseDeploying, workflows.JiraPhaseRolledBack, workflows.JiraPhaseClosed}
	for _, o := range workflows.Outcomes {
		phases = append(phases, workflows.JiraPhaseClosed+"/"+string(o))
	}
	return append(phases, jira.PhaseDuplicate)
}

// parseFields reads "field=target,…" (jira.Config.Fields), refusing a field Tollgate does not
// have or a target that cannot hold it, so a typo fails the start instead of the first release.
func parseFields(spec string) (map[string]string, error) {
	pairs, err := parsePairs("TOLLGATE_JIRA_FIELDS", spec)
	if err != nil {
		return nil, err
	}
	for _, key := range slices.Sorted(maps.Keys(pairs)) {
		if err := jira.CheckField(key, pairs[key]); err != nil {
			return nil, fmt.Errorf("TOLLGATE_JIRA_FIELDS: %w", err)
		}
	}
	return pairs, nil
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
