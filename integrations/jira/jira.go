// Package jira is Tollgate's Jira integration: the change request issue created at intake, its
// transitions following the release's phases, comments recording what happened, and the
// incident search used for defect escape. The real client wraps
// github.com/andygrunwald/go-jira; Fake serves the same REST subset over HTTP so tests exercise
// the real client code.
package jira

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Tollgate's change-request fields, the keys of Config.Fields. FieldRisk is the class with its
// explanation as text; FieldRiskClass the class alone (for a select), written only when mapped,
// since the risk section of the description already names the class.
const (
	FieldRisk           = "risk"
	FieldRiskClass      = "riskClass"
	FieldImplementation = "implementation"
	FieldBackout        = "backout"
	FieldTest           = "test"
	FieldServices       = "services"
)

// Step is one phase's move in the Jira workflow: the transition to take and the status it
// leads to. An issue already in Status needs no transition, which makes a retried transition
// after a lost answer a no-op.
type Step struct {
	Transition string `json:"transition"`
	Status     string `json:"status"`
}

// Config says where change requests go and how they move.
type Config struct {
	Project   string
	IssueType string // default "Change"
	// Fields maps Tollgate's fields (Field constants) to Jira fields, each target one of
	//   customfield_10050           text (the default; services joined by ", ")
	//   customfield_10051:text      the same, said explicitly
	//   customfield_10051:option    single select, {"value": v}; not for services, a list
	//   customfield_10052:options   multi select, [{"value": a}, …] (each service)
	//   customfield_10053:labels    labels field, ["a", …] (spaces become "_")
	//   components                  the system field, [{"name": service}, …]; services only
	// (CheckField says which are accepted). An unmapped field is written as a section of the
	// description, except riskClass, which the risk section already holds.
	Fields map[string]string
	// Transitions maps a release phase (approval, deploying, rolled-back, closed…) to its step.
	// A phase with an outcome, "closed/completed", "closed/rolled-back"…, takes its own entry
	// when there is one, else the entry of the part before the first "/" ("closed"): one close
	// for every outcome unless some need another resolution.
	Transitions map[string]Step
	// Cloud selects Jira Cloud's search (/rest/api/3/search/jql, paged by nextPageToken) over
	// Data Center's (/rest/api/2/search, paged by startAt), for FindChange and SearchIncidents.
	// Cloud answers 410 Gone on /rest/api/2/search since Atlassian removed it (CHANGE-2046).
	Cloud bool
	// IncidentType is the issue type of incidents (default "Incident"); SearchIncidents looks
	// at no other type.
	IncidentType string
}

// ChangeRequest is the content of a release's change request issue.
type ChangeRequest struct {
	ReleaseID       string
	Summary         string
	Description     string
	RiskClass       string
	RiskExplanation string
	Implementation  string
	Backout         string
	Test            string
	Services        []string
}

// Issue is an issue found by a search.
type Issue struct {
	Key     string
	Summary string
	Status  string
	Labels  []string
	// Created is when the issue was opened; Resolved (resolutiondate) is zero while it is open.
	Created  time.Time
	Resolved time.Time
	// Priority is the priority's name ("High", "P1"…); empty when the issue has none.
	Priority string
}

// IncidentQuery asks for the incidents carrying Label created at or after Since. Incidents are
// linked by label: a release's carry Marker(release), a service's ServiceLabel(service).
type IncidentQuery struct {
	Label string
	Since time.Time
}

// IncidentLimit caps an incident search: more matches than this are reported as ErrTruncated.
const IncidentLimit = 100

// ErrTruncated is returned, wrapped, together with the IncidentLimit newest incidents when more
// match the query. A caller that can use a partial list checks errors.Is(err, ErrTruncated);
// Classify calls it permanent, since asking again gives the same answer.
var ErrTruncated = errors.New("more incidents match than the search returns")

// Tracker is what Tollgate needs from Jira.
type Tracker interface {
	// CreateChange creates the change request issue, labelled with its marker, and returns its key.
	CreateChange(ctx context.Context, cr ChangeRequest) (string, error)
	// UpdateChange writes the change request's content again (the risk, once assessed).
	UpdateChange(ctx context.Context, key string, cr ChangeRequest) error
	// FindChange returns the key of the release's change request, or "" when the search finds
	// none. Jira's search is eventually consistent: an issue created moments ago may not be
	// found yet (the caller retrying a create looks again before creating).
	FindChange(ctx context.Context, releaseID string) (string, error)
	// FindChanges returns every change request carrying the release's marker, oldest first:
	// more than one only when the search index lagged past a retried create's wait (see
	// PhaseDuplicate), and possibly missing an issue the index does not show yet.
	FindChanges(ctx context.Context, releaseID string) ([]string, error)
	// Transition moves the issue to the phase's status; false when the phase has no step
	// (Config.Transitions says how "closed/<outcome>" falls back to "closed").
	Transition(ctx context.Context, key, phase string) (bool, error)
	// Status returns the name of the issue's current status.
	Status(ctx context.Context, key string) (string, error)
	// Comment adds body to the issue once per marker: when a comment carrying the marker's
	// CommentRef line exists (a retry after a lost answer), it does nothing. An empty marker
	// adds the comment unchecked (activities scheduled before markers existed).
	Comment(ctx context.Context, key, marker, body string) error
	// SearchIncidents returns the incidents matching q on the search of the configured flavour,
	// newest first, at most IncidentLimit of them (see ErrTruncated).
	SearchIncidents(ctx context.Context, q IncidentQuery) ([]Issue, error)
}

// PhaseDuplicate is the phase a duplicate change request is closed with: its own entry in
// Config.Transitions when there is one, else the "closed" entry.
const PhaseDuplicate = "closed/duplicate"

// CommentRef is the footer line that makes a comment findable by its marker. It sits on a line
// of its own and is compared whole, so "r1/comment-1" never matches "r1/comment-10"; it is plain
// text, which survives Jira's wiki-markup and ADF conversions unchanged.
func CommentRef(marker string) string { return "tollgate-ref: " + marker }

// Marker is the label that finds a release's change request again.
func Marker(releaseID string) string { return "tollgate-" + labelSafe(releaseID) }

// ServiceLabel is the label linking a change request to a service.
func ServiceLabel(service string) string { return "tollgate-service-" + labelSafe(service) }

// labelSafe replaces what Jira labels cannot hold (spaces).
func labelSafe(s string) string { return strings.Join(strings.Fields(s), "_") }
