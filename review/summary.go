package review

import (
	"fmt"
	"strings"
	"time"
)

// Summary is the report in one line, for the change request's comment and the release's
// timeline: outcome, change failure and why, lead time, anomalies and incidents.
func (r Report) Summary() string {
	parts := []string{"outcome " + r.Outcome}
	failure := "change failure: no"
	if r.DORA.ChangeFailure {
		failure = "change failure: yes"
	}
	if r.DORA.ChangeFailureWhy != "" {
		failure += " (" + r.DORA.ChangeFailureWhy + ")"
	}
	parts = append(parts, failure)
	if lt := r.DORA.LeadTime; lt != nil {
		parts = append(parts, "lead time "+lt.Round(time.Minute).String())
	}
	if rt := r.DORA.RecoveryTime; rt != nil {
		parts = append(parts, "time to restore "+rt.Round(time.Second).String())
	}
	parts = append(parts, plural(len(r.Anomalies), "anomaly", "anomalies"))
	incidents := plural(len(r.Incidents), "incident", "incidents")
	if r.IncidentSource == "" {
		incidents += " (no incident source configured)"
	} else if r.IncidentError != "" {
		incidents += " (search failed: " + r.IncidentError + ")"
	}
	return strings.Join(append(parts, incidents), "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
