package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/store"
)

// AcquireTargetsInput asks for the (environment, service) targets a wave is about to deploy.
type AcquireTargetsInput struct {
	ReleaseID   string   `json:"releaseId"`
	Environment string   `json:"environment"`
	Services    []string `json:"services"`
}

// AcquireTargetsResult lists the targets other running releases hold; empty means acquired.
type AcquireTargetsResult struct {
	Conflicts []store.Conflict `json:"conflicts,omitempty"`
}

// AcquireTargets takes a wave's targets for the release, all or none, so two releases never
// deploy the same service to the same environment at the same time.
func (a *Activities) AcquireTargets(ctx context.Context, in AcquireTargetsInput) (AcquireTargetsResult, error) {
	c, err := a.Store.AcquireTargets(ctx, in.ReleaseID, in.Environment, in.Services, time.Now())
	if err != nil {
		return AcquireTargetsResult{}, fmt.Errorf("acquire targets of %q in %s: %w", in.ReleaseID, in.Environment, err)
	}
	return AcquireTargetsResult{Conflicts: c}, nil
}

// ReleaseTargetsInput names the release whose targets are freed.
type ReleaseTargetsInput struct {
	ReleaseID string `json:"releaseId"`
}

// ReleaseTargets frees every target the release holds; it is idempotent.
func (a *Activities) ReleaseTargets(ctx context.Context, in ReleaseTargetsInput) error {
	if err := a.Store.ReleaseTargets(ctx, in.ReleaseID); err != nil {
		return fmt.Errorf("release targets of %q: %w", in.ReleaseID, err)
	}
	return nil
}
