package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrity"
)

// integrityVersion marks the release shape that verifies artifacts before approval; releases
// recorded before it (DefaultVersion) skip the phase on replay.
const (
	integrityChange  = "integrity-phase"
	integrityVersion = 1
	// integrityTimeout bounds one verification of every artifact of a release, streaming
	// included; heartbeats carry progress.
	integrityTimeout       = 30 * time.Minute
	integrityHeartbeat     = time.Minute
	integrityFetchAttempts = 5
)

// IntegrityStatus is the integrity phase as the status query shows it.
type IntegrityStatus struct {
	Passed     bool                       `json:"passed"`
	VerifiedAt time.Time                  `json:"verifiedAt,omitzero"`
	Artifacts  []integrity.ArtifactReport `json:"artifacts"`
	Release    []integrity.Result         `json:"release,omitempty"`
}

// integrityGate verifies every artifact (digest, signature, attestations, SBOM, licenses,
// vulnerabilities, shared libraries, configuration, manifest). It fails closed: any failed
// check, or an error that is not a transient fetch failure, ends the release.
func (r *releaseRun) integrityGate(ctx workflow.Context) (Outcome, string, bool) {
	if workflow.GetVersion(ctx, integrityChange, workflow.DefaultVersion, integrityVersion) == workflow.DefaultVersion {
		return "", "", true
	}
	r.setPhase(ctx, PhaseIntegrity)
	targets := make([]string, 0, len(r.spec.Environments))
	for _, e := range r.spec.Environments {
		targets = append(targets, e.Name)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: integrityTimeout,
		HeartbeatTimeout:    integrityHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: integrityFetchAttempts, InitialInterval: 5 * time.Second},
	})
	var a *activities.Activities
	var res activities.VerifyArtifactsResult
	err := workflow.ExecuteActivity(actx, a.VerifyArtifacts, activities.VerifyArtifactsInput{
		ReleaseID: r.spec.Metadata.ID, Services: r.spec.Services, Integrity: r.spec.Integrity, Targets: targets,
	}).Get(ctx, &res)
	if err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.HasDetails() {
			_ = app.Details(&res) // the failed checks, for the status
		}
		r.status.Integrity = &IntegrityStatus{Passed: false, VerifiedAt: res.VerifiedAt, Artifacts: res.Artifacts, Release: res.Release}
		r.event(ctx, "integrity-failed", "", errorMessage(err))
		return OutcomeIntegrityFailed, "integrity: " + errorMessage(err), false
	}
	r.status.Integrity = &IntegrityStatus{Passed: res.Passed, VerifiedAt: res.VerifiedAt, Artifacts: res.Artifacts, Release: res.Release}
	if !res.Passed { // VerifyArtifacts returns an error on failure; never trust a result that says otherwise
		r.event(ctx, "integrity-failed", "", "integrity checks did not pass")
		return OutcomeIntegrityFailed, "integrity checks did not pass", false
	}
	r.event(ctx, "integrity-passed", "", "every artifact verified")
	return "", "", true
}
