package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// RecordReleaseInput is the intake record of a release.
type RecordReleaseInput struct {
	Spec      release.Spec `json:"spec"`
	Initiator string       `json:"initiator"`
	StartedAt time.Time    `json:"startedAt"`
}

// RecordReleaseResult reports what intake stored.
type RecordReleaseResult struct {
	SpecDigest string `json:"specDigest"`
	// Integrations are the worker's configured integrations, recorded so the workflow's
	// notifications replay deterministically; empty in histories recorded before them.
	Integrations Integrations `json:"integrations,omitzero"`
}

// RecordRelease validates the spec again on the worker's side (the workflow input may come from
// any client) and records it. An invalid spec is a permanent failure.
func (a *Activities) RecordRelease(ctx context.Context, in RecordReleaseInput) (RecordReleaseResult, error) {
	spec := in.Spec
	spec.Normalize()
	if err := release.Validate(&spec); err != nil {
		return RecordReleaseResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %q: invalid spec: %v", spec.Metadata.ID, err), ErrInvalidSpec, nil)
	}
	digest := spec.Digest()
	err := a.Store.SaveRelease(ctx, store.ReleaseRecord{
		ID:         spec.Metadata.ID,
		Title:      spec.Metadata.Title,
		Owner:      spec.Metadata.Owner,
		Initiator:  in.Initiator,
		Spec:       spec,
		SpecDigest: digest,
		StartedAt:  in.StartedAt,
	})
	if err != nil {
		return RecordReleaseResult{}, fmt.Errorf("record release %q: %w", spec.Metadata.ID, err)
	}
	a.logger().InfoContext(ctx, "release recorded", "release", spec.Metadata.ID, "digest", digest)
	return RecordReleaseResult{SpecDigest: digest, Integrations: a.integrations()}, nil
}

// CloseReleaseInput is the final record of a release.
type CloseReleaseInput struct {
	ReleaseID string    `json:"releaseId"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason,omitempty"`
	ClosedAt  time.Time `json:"closedAt"`
	// Status is the release's final status as the workflow's status query shows it, kept for
	// auditors. It is encoded here, not in the workflow, where encoding/json is off limits.
	Status any `json:"status"`
}

// CloseRelease stores the outcome and the final timeline. It is idempotent.
func (a *Activities) CloseRelease(ctx context.Context, in CloseReleaseInput) error {
	status, err := json.Marshal(in.Status)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("close release %q: encode status: %v", in.ReleaseID, err), ErrStoreFailure, err)
	}
	err = a.Store.CloseRelease(ctx, store.Closing{
		ID: in.ReleaseID, Outcome: in.Outcome, Reason: in.Reason, ClosedAt: in.ClosedAt, Status: status,
	})
	if errors.Is(err, store.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("close release %q: no intake record", in.ReleaseID), ErrStoreFailure, err)
	}
	if err != nil {
		return fmt.Errorf("close release %q: %w", in.ReleaseID, err)
	}
	a.logger().InfoContext(ctx, "release closed", "release", in.ReleaseID, "outcome", in.Outcome)
	return nil
}
