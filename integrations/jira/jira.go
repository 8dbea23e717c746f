// Package jira is Tollgate's Jira integration: the change request issue created at intake, its
// transitions following the release's phases, comments recording what happened, and the
// incident search used for defect escape. The real client wraps
// github.com/andygrunwald/go-jira; Fake serves the same REST subset over HTTP so tests exercise
// the real client code.
package jira

import (
	"context"
	"strings"
)

// Tollgate's change-request fields, the keys of Config.Fields.
const (
	FieldRisk           = "risk"
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
	// Fields maps Tollgate's fields (Field constants) to Jira field IDs (customfield_10050…);
	// an unmapped field is written as a section of the description.
	Fields map[string]string
	// Transitions maps a release phase (approval, deploying, rolled-back, closed…) to its step.
	Transitions map[string]Step
	// Cloud selects Jira Cloud's incident search (/rest/api/3/search/jql) over Data Center's
	// (/rest/api/2/search).
	Cloud bool
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
}

// Tracker is what Tollgate needs from Jira.
type Tracker interface {
	// CreateChange creates the change request issue, labelled with its marker, and returns its key.
	CreateChange(ctx context.Context, cr ChangeRequest) (string, error)
	// FindChange returns the key of the release's change request, or "" when there is none.
	FindChange(ctx context.Context, releaseID string) (string, error)
	// Transition moves the issue to the phase's status; false when the phase has no step.
	Transition(ctx context.Context, key, phase string) (bool, error)
	// Status returns the name of the issue's current status.
	Status(ctx context.Context, key string) (string, error)
	// Comment adds a comment to the issue.
	Comment(ctx context.Context, key, body string) error
	// SearchIncidents runs jql on the incident search of the configured flavour.
	SearchIncidents(ctx context.Context, jql string) ([]Issue, error)
}

// Marker is the label that finds a release's change request again.
func Marker(releaseID string) string { return "tollgate-" + labelSafe(releaseID) }

// ServiceLabel is the label linking a change request to a service.
func ServiceLabel(service string) string { return "tollgate-service-" + labelSafe(service) }

// labelSafe replaces what Jira labels cannot hold (spaces).
func labelSafe(s string) string { return strings.Join(strings.Fields(s), "_") }
