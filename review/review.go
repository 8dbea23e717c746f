// Package review builds a release's 24-hour review report in Markdown and HTML: timeline, gate
// outcomes with evidence, anomalies, alerts and whether they were confirmed, monitoring gaps,
// incidents and the release's own DORA figures.
//
// The package is pure: the workflow assembles the Input from its state, an activity renders
// and files the report.
package review

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is one line of the release timeline.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor,omitempty"`
	Message string    `json:"message"`
}

// Gate is one gate's outcome with a summary of its evidence.
type Gate struct {
	Name     string `json:"name"`
	Outcome  string `json:"outcome"`
	Evidence string `json:"evidence,omitempty"`
}

// Alert is a breaching evaluation of the health watch; unconfirmed ones never paged.
type Alert struct {
	Time        time.Time `json:"time"`
	Environment string    `json:"environment"`
	Service     string    `json:"service"`
	Indicator   string    `json:"indicator"`
	Value       float64   `json:"value"`
	Limit       float64   `json:"limit"`
	Confirmed   bool      `json:"confirmed"`
	Reason      string    `json:"reason,omitempty"`
}

// Anomaly is something unusual that was not an alert: a held rollout, a telemetry lag, a
// failed audit append, an escalation.
type Anomaly struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
}

// Incident is an incident linked to the release by an incident source.
type Incident struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Severity string    `json:"severity,omitempty"`
	Opened   time.Time `json:"opened"`
	Resolved time.Time `json:"resolved,omitzero"`
}

// Input is everything a review needs, gathered from the release's state.
type Input struct {
	ReleaseID string `json:"releaseId"`
	Title     string `json:"title"`
	Owner     string `json:"owner"`
	// Outcome is where the release stands at review time (deployed, rolled-back…).
	Outcome    string    `json:"outcome"`
	ReviewedAt time.Time `json:"reviewedAt"`
	// CommitTimes are the times of the release's commits (spec commits), for lead time.
	CommitTimes []time.Time `json:"commitTimes,omitempty"`
	// DeployStarted and DeployFinished bound the deployment waves.
	DeployStarted  time.Time `json:"deployStarted,omitzero"`
	DeployFinished time.Time `json:"deployFinished,omitzero"`
	// RolledBack is true when the release was rolled back; FailureDetected and Restored time
	// the recovery.
	RolledBack      bool      `json:"rolledBack,omitempty"`
	FailureDetected time.Time `json:"failureDetected,omitzero"`
	Restored        time.Time `json:"restored,omitzero"`
	Timeline        []Event   `json:"timeline"`
	Gates           []Gate    `json:"gates,omitempty"`
	Anomalies       []Anomaly `json:"anomalies,omitempty"`
	Alerts          []Alert   `json:"alerts,omitempty"`
	// Gaps are watched indicators that returned no data (environment/service/indicator).
	Gaps []string `json:"gaps,omitempty"`
	// IncidentSource names where incidents come from; empty means none is configured.
	IncidentSource string     `json:"incidentSource,omitempty"`
	Incidents      []Incident `json:"incidents,omitempty"`
	// IncidentError is why the incident source could not be searched; the report says so
	// instead of claiming there were no incidents.
	IncidentError string `json:"incidentError,omitempty"`
}

// DORA are the release's own DORA figures. Nil durations are unknown, never zero.
type DORA struct {
	// LeadTime runs from the earliest commit to the end of deployment.
	LeadTime *time.Duration `json:"leadTime,omitempty"`
	// DeploymentDuration runs from the first wave's start to the last wave's end.
	DeploymentDuration *time.Duration `json:"deploymentDuration,omitempty"`
	// ChangeFailure is true when the release was rolled back or an incident is linked to it.
	// DORA counts a deployment that caused a failure in production needing remediation, not
	// only failed tasks: an incident that escaped the gates is such a failure.
	ChangeFailure bool `json:"changeFailure"`
	// ChangeFailureWhy explains ChangeFailure for people: what made it a failure, or why "no"
	// is not certain (the incident search failed).
	ChangeFailureWhy string `json:"changeFailureWhy,omitempty"`
	// RecoveryTime runs from the detected failure to the restored service: for a rollback, the
	// rollback; for incidents alone, the first opened to the last resolved, once all are.
	RecoveryTime *time.Duration `json:"recoveryTime,omitempty"`
}

// Report is a review ready to render.
type Report struct {
	Input
	DORA DORA `json:"dora"`
}

// Build computes the report's derived figures.
func Build(in Input) Report {
	r := Report{Input: in}
	d := &r.DORA
	if !in.DeployFinished.IsZero() && len(in.CommitTimes) > 0 {
		lead := in.DeployFinished.Sub(slices.MinFunc(in.CommitTimes, func(a, b time.Time) int { return a.Compare(b) }))
		d.LeadTime = &lead
	}
	if !in.DeployStarted.IsZero() && !in.DeployFinished.IsZero() {
		dur := in.DeployFinished.Sub(in.DeployStarted)
		d.DeploymentDuration = &dur
	}
	d.ChangeFailure = in.RolledBack || len(in.Incidents) > 0
	d.ChangeFailureWhy = changeFailureWhy(in)
	switch {
	case in.RolledBack && !in.FailureDetected.IsZero() && !in.Restored.IsZero():
		rec := in.Restored.Sub(in.FailureDetected)
		d.RecoveryTime = &rec
	case !in.RolledBack && len(in.Incidents) > 0:
		d.RecoveryTime = incidentRecovery(in.Incidents)
	}
	return r
}

// changeFailureWhy names the causes of a change failure, or the doubt about its absence.
func changeFailureWhy(in Input) string {
	var why []string
	if in.RolledBack {
		why = append(why, "rolled back")
	}
	if n := len(in.Incidents); n > 0 {
		ids := make([]string, 0, n)
		for _, inc := range in.Incidents {
			ids = append(ids, inc.ID)
		}
		why = append(why, fmt.Sprintf("%d incident(s) linked: %s", n, strings.Join(ids, ", ")))
	}
	if len(why) == 0 && in.IncidentError != "" {
		return "incidents unknown: the incident search failed"
	}
	return strings.Join(why, "; ")
}

// incidentRecovery runs from the first incident opened to the last resolved; nil (unknown)
// while any is open.
func incidentRecovery(incs []Incident) *time.Duration {
	first, last := incs[0].Opened, incs[0].Resolved
	for _, inc := range incs {
		if inc.Resolved.IsZero() {
			return nil
		}
		if inc.Opened.Before(first) {
			first = inc.Opened
		}
		if inc.Resolved.After(last) {
			last = inc.Resolved
		}
	}
	rec := last.Sub(first)
	return &rec
}

// Confirmed counts confirmed alerts.
func (r Report) Confirmed() int {
	n := 0
	for _, a := range r.Alerts {
		if a.Confirmed {
			n++
		}
	}
	return n
}
