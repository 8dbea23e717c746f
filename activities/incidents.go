package activities

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tollgate-dev/tollgate/integrations/jira"
	"github.com/tollgate-dev/tollgate/review"
	"github.com/tollgate-dev/tollgate/risk"
)

// incidentSearchAttempts bounds how long a Jira outage holds up the activities that read
// incidents: a transient failure is returned (Temporal retries the activity) until this
// attempt, after which the activity goes on without incidents and says so. Risk and the review
// are then honest about the gap instead of waiting on Jira indefinitely.
const incidentSearchAttempts = 5

// riskIncidentWindow is how far back a service's incidents count for risk (risk.History).
const riskIncidentWindow = 30 * 24 * time.Hour

// incidentSearch is what an incident search gave: the incidents, or why there are none to
// trust (Failed, the search's error).
type incidentSearch struct {
	Issues    []jira.Issue
	Truncated bool
	Failed    string
}

// searchIncidents asks Jira, retrying transient failures through Temporal for
// incidentSearchAttempts attempts; a permanent failure, or the last attempt's, is reported in
// Failed rather than failing the caller.
func (a *Activities) searchIncidents(ctx context.Context, q jira.IncidentQuery) (incidentSearch, error) {
	issues, err := a.Jira.Tracker.SearchIncidents(ctx, q)
	switch {
	case err == nil:
		return incidentSearch{Issues: issues}, nil
	case errors.Is(err, jira.ErrTruncated):
		return incidentSearch{Issues: issues, Truncated: true}, nil
	case retryIncidentSearch(err, attempt(ctx)):
		return incidentSearch{}, jiraError(err)
	}
	a.logger().WarnContext(ctx, "incident search failed; going on without incidents", "label", q.Label, "error", err)
	return incidentSearch{Failed: err.Error()}, nil
}

// retryIncidentSearch says whether a failed search is worth another activity attempt.
func retryIncidentSearch(err error, attempt int32) bool {
	cls, _ := jira.Classify(err)
	return cls != jira.Permanent && attempt < incidentSearchAttempts
}

// attempt is the activity's attempt, 1 outside an activity (a direct call in a test or a CLI).
func attempt(ctx context.Context) int32 {
	if activity.IsActivity(ctx) {
		return activity.GetInfo(ctx).Attempt
	}
	return 1
}

// reviewIncidents fills the review's incidents from Jira: those labelled with the release's
// marker, opened since the deployment started (or in the 24 hours before the review when
// nothing was deployed). A failed search is recorded in the review, which is filed regardless.
func (a *Activities) reviewIncidents(ctx context.Context, rv *review.Input) error {
	label := jira.Marker(rv.ReleaseID)
	since := rv.DeployStarted
	if since.IsZero() {
		since = rv.ReviewedAt.Add(-24 * time.Hour)
	}
	res, err := a.searchIncidents(ctx, jira.IncidentQuery{Label: label, Since: since})
	if err != nil {
		return err
	}
	rv.IncidentSource, rv.IncidentError = "Jira, label "+label, res.Failed
	if res.Truncated {
		rv.IncidentSource += " (the newest only: more incidents match)"
	}
	for _, is := range slices.Backward(res.Issues) { // Jira answers newest first; the report reads in time order
		rv.Incidents = append(rv.Incidents, review.Incident{ID: is.Key, Title: is.Summary, Severity: is.Priority,
			Opened: is.Created, Resolved: is.Resolved})
	}
	return nil
}

// serviceIncidents sets a service's incident count for risk, or says why it is unknown.
func (a *Activities) serviceIncidents(ctx context.Context, h *risk.History, now time.Time) error {
	res, err := a.searchIncidents(ctx, jira.IncidentQuery{Label: jira.ServiceLabel(h.Service), Since: now.Add(-riskIncidentWindow)})
	if err != nil {
		return err
	}
	if res.Failed != "" {
		h.IncidentsUnknown = "jira search failed: " + res.Failed
		return nil
	}
	h.Incidents = len(res.Issues)
	return nil
}
