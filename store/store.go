// Package store persists what Tollgate must never lose outside Temporal: release records,
// outcomes and the ledger of completed runbook steps. SQLite is the embedded default.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/tollgate-dev/tollgate/release"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ReleaseRecord is a release as recorded at intake, with its outcome once closed.
type ReleaseRecord struct {
	ID         string
	Title      string
	Owner      string
	Initiator  string
	Spec       release.Spec
	SpecDigest string
	StartedAt  time.Time
	Outcome    string
	Reason     string
	ClosedAt   time.Time
	// Status is the final status JSON kept at close.
	Status []byte
}

// Closing is the final record of a release.
type Closing struct {
	ID       string
	Outcome  string
	Reason   string
	ClosedAt time.Time
	Status   []byte
}

// StepRecord is a runbook step that completed successfully.
type StepRecord struct {
	Key        string
	ReleaseID  string
	Step       string
	Output     string
	ExitCode   int
	DurationMS int64
	FinishedAt time.Time
}

// Deployed is a service version left running in an environment by a release.
type Deployed struct {
	Environment string
	Service     string
	Version     string
	ReleaseID   string
	DeployedAt  time.Time
}

// Store is everything Tollgate persists.
type Store interface {
	// SaveRelease records a release at intake; saving the same ID again keeps the first record
	// unless its spec digest differs, which is an error.
	SaveRelease(ctx context.Context, r ReleaseRecord) error
	GetRelease(ctx context.Context, id string) (ReleaseRecord, error)
	ListReleases(ctx context.Context, limit int) ([]ReleaseRecord, error)
	CloseRelease(ctx context.Context, c Closing) error
	// CompletedStep returns the record of a step that already completed.
	CompletedStep(ctx context.Context, key string) (StepRecord, bool, error)
	// RecordStep stores a completed step; recording the same key twice keeps the first.
	RecordStep(ctx context.Context, s StepRecord) error
	// TargetLocks coordinate releases that touch the same targets.
	TargetLocks
	// ChangeRecords are the change requests of releases on a worker without Jira.
	ChangeRecords
	// RecordDeployed records that a release left a service at a version in an environment
	// (called at the end of each successful wave); the latest record per pair wins.
	RecordDeployed(ctx context.Context, d Deployed) error
	// DeployedVersions returns environment → service → version currently deployed, which the
	// integrity phase uses to refuse downgrades.
	DeployedVersions(ctx context.Context) (map[string]map[string]string, error)
	Close() error
}
