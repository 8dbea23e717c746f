package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/audit"
)

// ErrAuditConflict means an append reused the idempotency key (workflow ID, event sequence) of
// an entry with different content: a bug in the caller, never a retry.
var ErrAuditConflict = errors.New("audit key reused with different content")

// ErrNoAuditKey means the store was opened without the installation key and cannot sign.
var ErrNoAuditKey = errors.New("no audit key configured: appends need the installation key (tollgate audit keygen)")

// AppendResult is what an append wrote, or found already written.
type AppendResult struct {
	Entry audit.Entry
	// Existing is true when the same (workflow ID, event sequence) was appended before: a retry.
	Existing bool
	// Checkpoint is set when this append was followed by a signed checkpoint.
	Checkpoint *audit.Checkpoint
}

// AuditStore persists the audit trail. It is separate from Store so that read-only tools
// (`tollgate audit verify`) open it without the signing key.
type AuditStore interface {
	// AppendAudit appends d; it is durable when it returns. Appending the same (WorkflowID,
	// EventSeq) again returns the first entry with Existing set, or ErrAuditConflict if the
	// content differs. A checkpoint is signed in the same transaction whenever the configured
	// interval of entries followed the previous one.
	AppendAudit(ctx context.Context, d audit.Draft) (AppendResult, error)
	// SignAuditCheckpoint signs a checkpoint at the current head unless one is there already, so
	// that a closed release is covered without waiting for the interval. ok is false on an
	// empty log.
	SignAuditCheckpoint(ctx context.Context) (c audit.Checkpoint, ok bool, err error)
	// AuditEntries returns entries with from ≤ seq ≤ to in seq order; to = 0 means to the end.
	AuditEntries(ctx context.Context, from, to int64) ([]audit.Entry, error)
	// AuditReleaseEntries returns the entries of one release in seq order.
	AuditReleaseEntries(ctx context.Context, releaseID string) ([]audit.Entry, error)
	// AuditCheckpoints returns every checkpoint in seq order.
	AuditCheckpoints(ctx context.Context) ([]audit.Checkpoint, error)
	Close() error
}

// ReleaseProof builds the offline proof of one release's entries: the entries, the links from
// its first entry to the first checkpoint at or after its last, and that checkpoint.
func ReleaseProof(ctx context.Context, s AuditStore, releaseID string) (audit.Proof, error) {
	mine, err := s.AuditReleaseEntries(ctx, releaseID)
	if err != nil {
		return audit.Proof{}, err
	}
	if len(mine) == 0 {
		return audit.Proof{}, fmt.Errorf("release %q: no audit entries: %w", releaseID, ErrNotFound)
	}
	cps, err := s.AuditCheckpoints(ctx)
	if err != nil {
		return audit.Proof{}, err
	}
	last := mine[len(mine)-1].Seq
	var cover *audit.Checkpoint
	for i := range cps {
		if cps[i].Seq >= last {
			cover = &cps[i]
			break
		}
	}
	var to int64
	if cover != nil {
		to = cover.Seq
	}
	segment, err := s.AuditEntries(ctx, mine[0].Seq, to)
	if err != nil {
		return audit.Proof{}, err
	}
	return audit.BuildProof(releaseID, segment, cover), nil
}
