package jira

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	jiraapi "github.com/andygrunwald/go-jira"
)

// skewMinutes widens the relative creation bound so a Jira clock a little ahead of ours loses
// nothing; the exact bound is applied to the answer.
const skewMinutes = 5

// SearchIncidents implements Tracker through NewRequest: Cloud's /rest/api/3/search/jql has no
// wrapper in go-jira v1.17.0, and Data Center's /rest/api/2/search answers the same issue shape.
//
// The creation bound is sent relative to now in whole minutes, rounded up ("created >= -90m"):
// an absolute date in JQL is read in the Jira user's time zone and could move by hours. The
// answer is then filtered on its exact created time, newest first.
func (c *Client) SearchIncidents(ctx context.Context, q IncidentQuery) ([]Issue, error) {
	op := "incident search for label " + q.Label
	path := "rest/api/2/search"
	if c.cfg.Cloud {
		path = "rest/api/3/search/jql"
	}
	v := url.Values{"jql": {incidentJQL(c.cfg.IncidentType, q.Label, c.now().Sub(q.Since))},
		"fields":     {"summary,status,labels,created,resolutiondate,priority"},
		"maxResults": {strconv.Itoa(IncidentLimit)}}
	req, err := c.api.NewRequestWithContext(ctx, http.MethodGet, path+"?"+v.Encode(), nil)
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	var res searchAnswer
	resp, err := c.api.Do(req, &res)
	if err != nil {
		return nil, wrap(op, resp, err)
	}
	out := make([]Issue, 0, len(res.Issues))
	complete := false
	for _, is := range res.Issues {
		created := time.Time(is.Fields.Created)
		if created.Before(q.Since) {
			complete = true // newest first: everything after this is older still
			continue
		}
		out = append(out, Issue{Key: is.Key, Summary: is.Fields.Summary, Status: is.Fields.Status.Name, Labels: is.Fields.Labels,
			Created: created, Resolved: time.Time(is.Fields.Resolved), Priority: is.Fields.Priority.Name})
	}
	if !complete && res.more(c.cfg.Cloud) {
		return out, &Error{Op: op, Err: fmt.Errorf("%w: the %d newest are used", ErrTruncated, len(out))}
	}
	return out, nil
}

// incidentJQL is the incident query: type, label and a creation bound relative to now.
func incidentJQL(issueType, label string, age time.Duration) string {
	minutes := max(int(math.Ceil(age.Minutes())), 0) + skewMinutes
	return fmt.Sprintf("issuetype = %s AND labels = %s AND created >= -%dm ORDER BY created DESC",
		jqlString(issueType), jqlString(label), minutes)
}

// searchAnswer is both flavours' answer: Data Center counts (total), Cloud pages by token.
type searchAnswer struct {
	Total         *int   `json:"total"`
	IsLast        *bool  `json:"isLast"`
	NextPageToken string `json:"nextPageToken"`
	Issues        []struct {
		Key    string `json:"key"`
		Fields struct {
			Summary string   `json:"summary"`
			Labels  []string `json:"labels"`
			Status  struct {
				Name string `json:"name"`
			} `json:"status"`
			Priority struct {
				Name string `json:"name"`
			} `json:"priority"`
			Created  jiraapi.Time `json:"created"`
			Resolved jiraapi.Time `json:"resolutiondate"`
		} `json:"fields"`
	} `json:"issues"`
}

// more reports whether the search matched more issues than it returned.
func (a searchAnswer) more(cloud bool) bool {
	if cloud {
		return a.NextPageToken != "" || (a.IsLast != nil && !*a.IsLast)
	}
	return a.Total != nil && *a.Total > len(a.Issues)
}
