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

// incidentPages bounds the pages one incident search reads, whatever the server's page size:
// a server ignoring the cursor must not hold the search in a loop.
const incidentPages = IncidentLimit + 1

// SearchIncidents implements Tracker through searchPage, following the flavour's pages until
// IncidentLimit incidents are collected, an incident older than the bound shows up or the
// pages end. Jira caps a page below what is asked (Cloud at 100 with fields, Data Center at
// its configured maximum), so one page is not the answer.
//
// The creation bound is sent relative to now in whole minutes, rounded up ("created >= -90m"):
// an absolute date in JQL is read in the Jira user's time zone and could move by hours. The
// answer is then filtered on its exact created time, newest first.
func (c *Client) SearchIncidents(ctx context.Context, q IncidentQuery) ([]Issue, error) {
	op := "incident search for label " + q.Label
	jql := incidentJQL(c.cfg.IncidentType, q.Label, c.now().Sub(q.Since))
	out := []Issue{}
	cursor := ""
	for range incidentPages {
		res, err := c.searchPage(ctx, op, jql, "summary,status,labels,created,resolutiondate,priority", IncidentLimit, cursor)
		if err != nil {
			return nil, err
		}
		for _, is := range res.Issues {
			created := time.Time(is.Fields.Created)
			if created.Before(q.Since) {
				return out, nil // newest first: everything after this is older still
			}
			if len(out) == IncidentLimit {
				return out, &Error{Op: op, Err: fmt.Errorf("%w: the %d newest are used", ErrTruncated, len(out))}
			}
			out = append(out, Issue{Key: is.Key, Summary: is.Fields.Summary, Status: is.Fields.Status.Name, Labels: is.Fields.Labels,
				Created: created, Resolved: time.Time(is.Fields.Resolved), Priority: is.Fields.Priority.Name})
		}
		next, more := res.next(c.cfg.Cloud, cursor)
		if !more || len(res.Issues) == 0 {
			return out, nil
		}
		cursor = next
	}
	return out, &Error{Op: op, Err: fmt.Errorf("%w: the search still had pages after %d", ErrTruncated, incidentPages)}
}

// searchPage asks one page of the configured flavour's search through NewRequest: Cloud's
// /rest/api/3/search/jql has no wrapper in go-jira v1.17.0, and Data Center's
// /rest/api/2/search answers the same issue shape. cursor is the page to read: "" for the
// first, else what next returned (Cloud's nextPageToken, Data Center's startAt).
func (c *Client) searchPage(ctx context.Context, op, jql, fields string, maxResults int, cursor string) (searchAnswer, error) {
	path := "rest/api/2/search"
	v := url.Values{"jql": {jql}, "fields": {fields}, "maxResults": {strconv.Itoa(maxResults)}}
	if c.cfg.Cloud {
		path = "rest/api/3/search/jql"
		if cursor != "" {
			v.Set("nextPageToken", cursor)
		}
	} else if cursor != "" {
		v.Set("startAt", cursor)
	}
	req, err := c.api.NewRequestWithContext(ctx, http.MethodGet, path+"?"+v.Encode(), nil)
	if err != nil {
		return searchAnswer{}, &Error{Op: op, Err: err}
	}
	var res searchAnswer
	resp, err := c.api.Do(req, &res)
	if err != nil {
		return searchAnswer{}, wrap(op, resp, err)
	}
	return res, nil
}

// incidentJQL is the incident query: type, label and a creation bound relative to now.
func incidentJQL(issueType, label string, age time.Duration) string {
	minutes := max(int(math.Ceil(age.Minutes())), 0) + skewMinutes
	return fmt.Sprintf("issuetype = %s AND labels = %s AND created >= -%dm ORDER BY created DESC",
		jqlString(issueType), jqlString(label), minutes)
}

// searchAnswer is both flavours' answer: Data Center counts (total), Cloud pages by token.
type searchAnswer struct {
	StartAt       *int   `json:"startAt"`
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

// next is the cursor of the page after this one, read with cursor, and whether there is one.
// Cloud says so with a nextPageToken (isLast true ends it even when a token comes along); Data
// Center with total, counted from startAt.
func (a searchAnswer) next(cloud bool, cursor string) (string, bool) {
	if cloud {
		if a.NextPageToken == "" || a.NextPageToken == cursor || (a.IsLast != nil && *a.IsLast) {
			return "", false
		}
		return a.NextPageToken, true
	}
	start, _ := strconv.Atoi(cursor)
	if a.StartAt != nil {
		start = *a.StartAt
	}
	end := start + len(a.Issues)
	if a.Total == nil || end >= *a.Total {
		return "", false
	}
	return strconv.Itoa(end), true
}
