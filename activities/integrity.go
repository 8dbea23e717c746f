package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/release"
)

// VerifyArtifactsInput is the integrity phase of one release.
type VerifyArtifactsInput struct {
	ReleaseID string             `json:"releaseId"`
	Services  []release.Service  `json:"services"`
	Integrity *release.Integrity `json:"integrity,omitempty"`
	// Targets are the environments the release deploys to, for the downgrade check.
	Targets []string `json:"targets"`
}

// VerifyArtifactsResult is every check of every artifact: digests, key IDs, identities and SBOM
// summaries, never the SBOMs themselves, so it fits in workflow history and the release record.
type VerifyArtifactsResult struct {
	Passed     bool                       `json:"passed"`
	Artifacts  []integrity.ArtifactReport `json:"artifacts"`
	Release    []integrity.Result         `json:"release"`
	VerifiedAt time.Time                  `json:"verifiedAt"`
}

// VerifyArtifacts runs the integrity checks on every artifact of a release. It fails closed: a
// failed check returns a non-retryable ErrIntegrityFailed whose details are the result (so a
// caller that ignores Passed still stops); a failure that is only "could not fetch" is retried.
// Heartbeats carry the service and bytes streamed so far.
func (a *Activities) VerifyArtifacts(ctx context.Context, in VerifyArtifactsInput) (VerifyArtifactsResult, error) {
	if a.Artifacts == nil {
		return VerifyArtifactsResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("verify artifacts of %q: no artifact fetcher configured", in.ReleaseID), ErrIntegrityFailed, nil)
	}
	deployed, err := a.Store.DeployedVersions(ctx)
	if err != nil {
		return VerifyArtifactsResult{}, temporal.NewApplicationErrorWithCause(
			fmt.Sprintf("verify artifacts of %q: deployed versions: %v", in.ReleaseID, err), ErrStoreFailure, err)
	}
	now := time.Now()
	rep := integrity.Verify(ctx, a.Artifacts, integrity.Input{
		Services: in.Services, Policy: in.Integrity, Deployed: deployed, Targets: in.Targets, Now: now,
		Progress: func(service string, n int64) { activity.RecordHeartbeat(ctx, service, n) },
	})
	res := VerifyArtifactsResult{Passed: rep.Passed, Artifacts: rep.Artifacts, Release: rep.Release, VerifiedAt: now.UTC()}
	if rep.Passed {
		a.logger().Info("artifacts verified", "release", in.ReleaseID, "artifacts", len(rep.Artifacts))
		return res, nil
	}
	failures := rep.Failures()
	msg := fmt.Sprintf("release %q: %d integrity check(s) failed: %s", in.ReleaseID, len(failures), strings.Join(failures, "; "))
	a.logger().Warn("integrity failed", "release", in.ReleaseID, "failures", len(failures))
	if onlyFetchFailures(rep) {
		// The source may be back on the next attempt; nothing has been found wrong with the bytes.
		return res, temporal.NewApplicationError(msg, ErrIntegrityFailed, res)
	}
	return res, temporal.NewNonRetryableApplicationError(msg, ErrIntegrityFailed, nil, res)
}

func onlyFetchFailures(rep integrity.Report) bool {
	n := 0
	for _, ar := range rep.Artifacts {
		for _, c := range ar.Checks {
			if !c.Passed {
				if c.Reason != integrity.ReasonFetchFailed {
					return false
				}
				n++
			}
		}
	}
	for _, c := range rep.Release {
		if !c.Passed {
			return false
		}
	}
	return n > 0
}

// RecordDeployedInput is a wave's outcome for the downgrade check of later releases.
type RecordDeployedInput struct {
	ReleaseID   string            `json:"releaseId"`
	Environment string            `json:"environment"`
	Versions    map[string]string `json:"versions"` // service → version now running
}

// RecordDeployed stores which versions a successful wave (or a rollback) left in an environment.
func (a *Activities) RecordDeployed(ctx context.Context, in RecordDeployedInput) error {
	now := time.Now()
	for _, svc := range sortedServiceNames(in.Versions) {
		err := a.Store.RecordDeployed(ctx, storeDeployed(in, svc, now))
		if err != nil {
			return temporal.NewApplicationErrorWithCause(
				fmt.Sprintf("record deployed %s/%s for %q: %v", in.Environment, svc, in.ReleaseID, err), ErrStoreFailure, err)
		}
	}
	return nil
}
