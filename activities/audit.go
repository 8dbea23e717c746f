package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/store"
)

// ErrAuditRefused: the audit trail refused an entry for good (its idempotency key was used for
// a different entry, a required field is missing, or no signing key is configured).
const ErrAuditRefused = "AuditRefused"

// AppendAuditInput is one decision or state change of a release.
type AppendAuditInput struct {
	// WorkflowID and EventSeq are the idempotency key: the workflow numbers its audit events
	// 1, 2, 3… in its own state (carried across continue-as-new), so a retried or replayed
	// append finds the entry written the first time.
	WorkflowID string    `json:"workflowId"`
	EventSeq   int64     `json:"eventSeq"`
	ReleaseID  string    `json:"releaseId"`
	Time       time.Time `json:"time"` // workflow.Now when the event happened
	Actor      string    `json:"actor"`
	Kind       string    `json:"kind"` // one of the audit.Kind… constants
	Reason     string    `json:"reason,omitempty"`
	// Payload is the decision's detail (gate result, approval policy, exception…). Only its
	// SHA-256 over its JSON encoding is chained; keep it small.
	Payload any `json:"payload,omitempty"`
}

// AppendAuditResult locates the entry in the chain.
type AppendAuditResult struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	// Existing is true when this was a retry of an append that had already committed.
	Existing bool `json:"existing"`
}

// AppendAudit appends one entry; it is idempotent on (WorkflowID, EventSeq) and durable when
// it returns.
func (a *Activities) AppendAudit(ctx context.Context, in AppendAuditInput) (AppendAuditResult, error) {
	if a.Audit == nil {
		return AppendAuditResult{}, temporal.NewNonRetryableApplicationError("audit trail not configured", ErrAuditRefused, nil)
	}
	d := audit.Draft{Time: in.Time.UTC(), ReleaseID: in.ReleaseID, WorkflowID: in.WorkflowID, EventSeq: in.EventSeq,
		Actor: in.Actor, Kind: in.Kind, Reason: in.Reason}
	if in.Payload != nil {
		raw, err := json.Marshal(in.Payload)
		if err != nil {
			return AppendAuditResult{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("audit entry %s/%d: encode payload: %v", in.WorkflowID, in.EventSeq, err), ErrAuditRefused, err)
		}
		sum := sha256.Sum256(raw)
		d.PayloadDigest = "sha256:" + hex.EncodeToString(sum[:])
	}
	res, err := a.Audit.AppendAudit(ctx, d)
	switch {
	case errors.Is(err, store.ErrAuditConflict), errors.Is(err, store.ErrNoAuditKey):
		return AppendAuditResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrAuditRefused, err)
	case err != nil && isDraftError(err):
		return AppendAuditResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrAuditRefused, err)
	case err != nil:
		return AppendAuditResult{}, fmt.Errorf("audit entry %s/%d: %w", in.WorkflowID, in.EventSeq, err)
	}
	return AppendAuditResult{Seq: res.Entry.Seq, Hash: res.Entry.Hash, Existing: res.Existing}, nil
}

// isDraftError recognises the store's validation errors (missing fields): permanent.
func isDraftError(err error) bool {
	var de *store.DraftError
	return errors.As(err, &de)
}

// SealAuditInput asks for a checkpoint at the current head, e.g. when a release closes.
type SealAuditInput struct {
	ReleaseID string `json:"releaseId"`
}

// SealAuditResult is the checkpoint that now covers the release's entries.
type SealAuditResult struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// SealAudit signs a checkpoint at the head of the log, so a closed release's entries are
// covered by a signature (and truncation below it is detectable) without waiting for the
// interval. Signing twice at the same head is a no-op.
func (a *Activities) SealAudit(ctx context.Context, in SealAuditInput) (SealAuditResult, error) {
	if a.Audit == nil {
		return SealAuditResult{}, temporal.NewNonRetryableApplicationError("audit trail not configured", ErrAuditRefused, nil)
	}
	c, ok, err := a.Audit.SignAuditCheckpoint(ctx)
	if errors.Is(err, store.ErrNoAuditKey) {
		return SealAuditResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrAuditRefused, err)
	}
	if err != nil {
		return SealAuditResult{}, fmt.Errorf("seal audit for release %q: %w", in.ReleaseID, err)
	}
	if !ok { // a checkpoint is already at the head, or the log is empty
		cps, err := a.Audit.AuditCheckpoints(ctx)
		if err != nil || len(cps) == 0 {
			return SealAuditResult{}, err
		}
		c = cps[len(cps)-1]
	}
	return SealAuditResult{Seq: c.Seq, Hash: c.Hash}, nil
}
