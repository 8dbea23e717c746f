package workflows

import (
	"maps"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/integrations/github"
)

// recordsChange marks releases whose Slack, GitHub and Jira records follow the current design:
//   - wave messages keep Pause / Resume / Roll back until the release closes, and show a pause;
//   - the approval message closes when a rejection arrives after the approval phase;
//   - a wave a freeze holds gets an exception gate message (notify_exception.go);
//   - GitHub deployments are created queued when approval is asked, and end in error for the
//     environments the release never reached;
//   - the change request hears the review outcome and the rollback of a wave that failed to
//     roll back, gets its closing comment before its closing transition, and closes through
//     the outcome's own step ("closed/<outcome>", falling back to "closed");
//   - a record that could not be written is an audit entry, not only a log line.
//
// It is asked once, at intake, only by releases with an integration on, so releases without
// one record no marker and every history recorded before it replays unchanged.
const (
	recordsChange  = "integration-records"
	recordsVersion = 1
)

// RecordsStatus is what the release wrote to the systems around it, as the status query shows
// it: the change request, the GitHub deployments, and every record that could not be written.
type RecordsStatus struct {
	// ChangeKey is the change request (a Jira issue, or a change record in Tollgate's store).
	ChangeKey string `json:"changeKey,omitempty"`
	// Deployments are the GitHub deployment IDs by environment.
	Deployments map[string]int64 `json:"deployments,omitempty"`
	// Failures are the records given up on after their retries, oldest first.
	Failures []RecordFailure `json:"failures,omitempty"`
}

// RecordFailure is one record that was not written.
type RecordFailure struct {
	System string `json:"system"` // github, jira
	Record string `json:"record"` // what it was: "change request", "comment", "deployment prod-eu in_progress"…
	Error  string `json:"error"`
}

// decideRecords asks the records version once the integrations are known.
func (r *releaseRun) decideRecords(ctx workflow.Context) {
	if !r.notify.on && !r.itsm.github && !r.itsm.jira {
		return
	}
	r.records = workflow.GetVersion(ctx, recordsChange, workflow.DefaultVersion, recordsVersion) >= recordsVersion
}

// noteRecord mirrors what the ITSM coroutine learnt into the status.
func (r *releaseRun) noteRecord(ctx workflow.Context, system, record string, err error) {
	if r.status.Records == nil {
		r.status.Records = &RecordsStatus{}
	}
	rs := r.status.Records
	rs.ChangeKey = r.itsm.jiraKey
	if len(r.itsm.deployments) > 0 {
		rs.Deployments = maps.Clone(r.itsm.deployments)
	}
	if err == nil {
		return
	}
	f := RecordFailure{System: system, Record: record, Error: errorMessage(err)}
	rs.Failures = append(rs.Failures, f)
	r.event(ctx, "record-failed", "", f.System+" "+f.Record+" not written: "+f.Error)
	if r.records {
		r.audit(ctx, "record-failed", "", f.System+" "+f.Record+" not written: "+f.Error, f)
	}
}

// currentWave is the wave a pause or resume concerns: the running one, else the last one
// started (a pause between waves holds the next one).
func (r *releaseRun) currentWave() int {
	last := -1
	for i, ws := range r.status.Waves {
		if ws.State == WaveRunning {
			return i
		}
		if ws.State != WavePending {
			last = i
		}
	}
	return last
}

// notifyPaused shows a pause or resume on the current wave's message.
func (r *releaseRun) notifyPaused(text string) {
	if !r.records {
		return
	}
	r.notifyWave(r.currentWave(), text)
}

// finalWaveMessages takes the controls off every wave message once the release is closing.
func (r *releaseRun) finalWaveMessages(reason string) {
	if !r.records {
		return
	}
	for i, ws := range r.status.Waves {
		if ws.State != WavePending {
			r.notifyWave(i, reason)
		}
	}
}

// waveFinal says whether wave i's message has lost its controls: once the release is closing
// for releases with the records version, when the wave stopped running before it.
func (r *releaseRun) waveFinal(state WaveState) bool {
	if r.records {
		return r.status.Phase == PhaseClosed
	}
	return state != WaveRunning
}

// itsmQueued creates every environment's GitHub deployment, queued, once the release asks for
// approval: developers see where it is going before it goes, and the deployments point at the
// commit the risk phase compared, not at a branch that may move (records version).
func (r *releaseRun) itsmQueued() {
	if !r.records {
		return
	}
	for i := range r.spec.Waves {
		r.itsmDeployments(i, []github.State{github.StateQueued}, "release "+r.spec.Metadata.ID+" waiting for approval")
	}
}

// itsmNotDeployed closes the deployments of waves the release never started (it ended before
// them): error, with the release's outcome as the reason.
func (r *releaseRun) itsmNotDeployed(outcome Outcome, reason string) {
	if !r.records {
		return
	}
	for i, ws := range r.status.Waves {
		if ws.State == WavePending {
			r.itsmDeployments(i, []github.State{github.StateError}, "not deployed: release "+string(outcome)+reasonSuffix(reason))
		}
	}
}

// itsmReviewed records the 24-hour review's outcome on the change request.
func (r *releaseRun) itsmReviewed(summary string) {
	rv := r.status.Review
	if !r.records || rv == nil {
		return
	}
	if rv.Error != "" {
		r.itsmJira("", "24-hour review: the report could not be filed: "+rv.Error)
		return
	}
	r.itsmJira("", "24-hour review filed to the knowledge base ("+rv.Link+"): "+summary)
}
