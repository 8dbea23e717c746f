package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	jiraapi "github.com/andygrunwald/go-jira"
	"github.com/trivago/tgo/tcontainer"
)

// Options configure the real client. Token (an API token or password) is handed to the basic
// auth transport and never logged or put in an error.
type Options struct {
	BaseURL, User, Token string
	Config               Config
	// HTTP is the transport used under basic auth; nil means http.DefaultTransport.
	HTTP http.RoundTripper
	// Now is the clock incident searches count their relative bound from; nil means time.Now.
	Now func() time.Time
}

// Client is the real Tracker.
type Client struct {
	api    *jiraapi.Client
	cfg    Config
	fields map[string]fieldTarget
	now    func() time.Time
}

// New builds a Client. go-jira retries nothing; Temporal is the only retry layer.
func New(o Options) (*Client, error) {
	if o.Config.Project == "" {
		return nil, errors.New("jira: project is required (TOLLGATE_JIRA_PROJECT)")
	}
	if o.Config.IssueType == "" {
		o.Config.IssueType = "Change"
	}
	if o.Config.IncidentType == "" {
		o.Config.IncidentType = "Incident"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	fields, err := checkFields(o.Config.Fields)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &jiraapi.BasicAuthTransport{Username: o.User, Password: o.Token, Transport: o.HTTP}}
	api, err := jiraapi.NewClient(hc, o.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("jira base URL %q: %w", o.BaseURL, err)
	}
	return &Client{api: api, cfg: o.Config, fields: fields, now: o.Now}, nil
}

// CreateChange implements Tracker.
func (c *Client) CreateChange(ctx context.Context, cr ChangeRequest) (string, error) {
	labels := []string{Marker(cr.ReleaseID)}
	for _, s := range cr.Services {
		labels = append(labels, ServiceLabel(s))
	}
	description, custom := c.content(cr)
	unknowns := tcontainer.MarshalMap(custom)
	issue := &jiraapi.Issue{Fields: &jiraapi.IssueFields{
		Project:     jiraapi.Project{Key: c.cfg.Project},
		Type:        jiraapi.IssueType{Name: c.cfg.IssueType},
		Summary:     cr.Summary,
		Description: description,
		Labels:      labels,
		Unknowns:    unknowns,
	}}
	created, resp, err := c.api.Issue.CreateWithContext(ctx, issue)
	if err != nil {
		return "", wrap("create change request for "+cr.ReleaseID, resp, err)
	}
	return created.Key, nil
}

// UpdateChange implements Tracker: the summary, description and mapped fields are set again
// from cr (PUT, so a retry after a lost answer writes the same content).
func (c *Client) UpdateChange(ctx context.Context, key string, cr ChangeRequest) error {
	description, custom := c.content(cr)
	fields := map[string]any{"summary": cr.Summary, "description": description}
	for id, v := range custom {
		fields[id] = v
	}
	req, err := c.api.NewRequestWithContext(ctx, http.MethodPut, "rest/api/2/issue/"+url.PathEscape(key), map[string]any{"fields": fields})
	if err != nil {
		return &Error{Op: "update " + key, Err: err}
	}
	resp, err := c.api.Do(req, nil)
	if err != nil {
		return wrap("update "+key, resp, err)
	}
	return nil
}

// FindChange implements Tracker: the marker label finds the issue a lost answer hid. The issue
// type is part of the query because the release's incidents carry the same label. It searches
// the configured flavour's endpoint, as SearchIncidents does: go-jira's Issue.Search calls
// /rest/api/2/search, which Jira Cloud answers 410 Gone.
func (c *Client) FindChange(ctx context.Context, releaseID string) (string, error) {
	jql := fmt.Sprintf("project = %s AND issuetype = %s AND labels = %s",
		jqlString(c.cfg.Project), jqlString(c.cfg.IssueType), jqlString(Marker(releaseID)))
	res, err := c.searchPage(ctx, "find change request for "+releaseID, jql, "status", 1, "")
	if err != nil {
		return "", err
	}
	if len(res.Issues) == 0 {
		return "", nil
	}
	return res.Issues[0].Key, nil
}

// FindChanges implements Tracker: every issue Tollgate's account created with the release's
// marker, oldest first, up to duplicateLimit of them (one page; more than two would mean a
// create retried in a loop). An issue someone else labelled is never taken for a duplicate.
func (c *Client) FindChanges(ctx context.Context, releaseID string) ([]string, error) {
	jql := fmt.Sprintf("project = %s AND issuetype = %s AND labels = %s AND creator = currentUser() ORDER BY created ASC",
		jqlString(c.cfg.Project), jqlString(c.cfg.IssueType), jqlString(Marker(releaseID)))
	res, err := c.searchPage(ctx, "find change requests for "+releaseID, jql, "status", duplicateLimit, "")
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(res.Issues))
	for _, is := range res.Issues {
		keys = append(keys, is.Key)
	}
	return keys, nil
}

// duplicateLimit bounds the search for duplicate change requests.
const duplicateLimit = 20

// Transition implements Tracker.
func (c *Client) Transition(ctx context.Context, key, phase string) (bool, error) {
	step, ok := c.cfg.step(phase)
	if !ok {
		return false, nil
	}
	issue, resp, err := c.api.Issue.GetWithContext(ctx, key, &jiraapi.GetQueryOptions{Fields: "status"})
	if err != nil {
		return false, wrap("get "+key, resp, err)
	}
	if issue.Fields != nil && issue.Fields.Status != nil && strings.EqualFold(issue.Fields.Status.Name, step.Status) {
		return true, nil // already there: a retry after the transition took effect
	}
	ts, resp, err := c.api.Issue.GetTransitionsWithContext(ctx, key)
	if err != nil {
		return false, wrap("transitions of "+key, resp, err)
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, step.Transition) {
			resp, err := c.api.Issue.DoTransitionWithContext(ctx, key, t.ID)
			if err != nil {
				return false, wrap("transition "+key+" "+t.Name, resp, err)
			}
			return true, nil
		}
	}
	return false, &Error{Op: "transition " + key, Status: http.StatusConflict,
		Err: fmt.Errorf("transition %q (phase %s) not offered from the issue's status", step.Transition, phase)}
}

// Status implements Tracker.
func (c *Client) Status(ctx context.Context, key string) (string, error) {
	issue, resp, err := c.api.Issue.GetWithContext(ctx, key, &jiraapi.GetQueryOptions{Fields: "status"})
	if err != nil {
		return "", wrap("status of "+key, resp, err)
	}
	if issue.Fields == nil || issue.Fields.Status == nil {
		return "", &Error{Op: "status of " + key, Err: errors.New("the answer carries no status field")}
	}
	return issue.Fields.Status.Name, nil
}

// step is the phase's step: its own, else that of the part before the first "/".
func (c Config) step(phase string) (Step, bool) {
	if s, ok := c.Transitions[phase]; ok {
		return s, true
	}
	if base, _, found := strings.Cut(phase, "/"); found {
		s, ok := c.Transitions[base]
		return s, ok
	}
	return Step{}, false
}

// jqlString quotes s as a JQL string literal.
func jqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
