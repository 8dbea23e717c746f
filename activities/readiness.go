package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

// CollectEvidenceInput names the release, its spec and the phase whose evidence to collect.
type CollectEvidenceInput struct {
	ReleaseID string       `json:"releaseId"`
	Spec      release.Spec `json:"spec"`
	// BaseDir resolves the spec's relative paths (the spec file's directory on the worker).
	BaseDir string       `json:"baseDir"`
	Phase   policy.Phase `json:"phase"`
	// At is workflow.Now: the time backups, freezes and probe windows are judged at.
	At time.Time `json:"at"`
	// ConfigSnapshot is what RecordConfigSnapshot returned at release start.
	ConfigSnapshot map[string]string `json:"configSnapshot,omitempty"`
	// SourceHeadSHA is SourceChangeResult.HeadSHA: the source checks are read for that commit.
	SourceHeadSHA string `json:"sourceHeadSha,omitempty"`
}

// CollectEvidenceResult is the digest of the stored evidence and a small status per source;
// the evidence itself stays out of workflow history.
type CollectEvidenceResult struct {
	Digest  string                         `json:"digest"`
	Sources map[string]policy.SourceStatus `json:"sources"`
	// SourceSHA is the commit whose source checks this evidence judged (Evidence.Source.SHA):
	// CollectEvidenceInput.SourceHeadSHA when given, else the commit source.head named when
	// they were read. Empty without source checks or when the head could not be resolved.
	// Compare and deploy this commit (SourceChangeInput.HeadSHA), not the name.
	SourceSHA string `json:"sourceSha,omitempty"`
}

// CollectEvidence reads the declared reports, git history, documents, probes and attestations,
// runs the load test, DR drill and migration dry run the spec asks for, stores the evidence and
// returns its digest. Malformed evidence is recorded per source (it fails its criteria); the
// activity itself fails only when the evidence cannot be stored.
func (a *Activities) CollectEvidence(ctx context.Context, in CollectEvidenceInput) (CollectEvidenceResult, error) {
	col, err := Gather(ctx, GatherInput{Spec: in.Spec, BaseDir: in.BaseDir, Phase: in.Phase, At: in.At,
		ConfigSnapshot: in.ConfigSnapshot, HTTP: a.HTTP, GitHub: a.GitHub.Deployer, SourceHeadSHA: in.SourceHeadSHA})
	if err != nil {
		return CollectEvidenceResult{}, fmt.Errorf("collect evidence of %q: %w", in.ReleaseID, err)
	}
	data, err := json.Marshal(col)
	if err != nil {
		return CollectEvidenceResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("collect evidence of %q: encode: %v", in.ReleaseID, err), ErrStoreFailure, err)
	}
	store, err := a.evidenceStore()
	if err != nil {
		return CollectEvidenceResult{}, err
	}
	digest, err := store.PutEvidence(ctx, data)
	if err != nil {
		return CollectEvidenceResult{}, fmt.Errorf("collect evidence of %q: store: %w", in.ReleaseID, err)
	}
	a.logger().InfoContext(ctx, "evidence collected", "release", in.ReleaseID, "phase", in.Phase, "digest", digest, "sources", len(col.Sources))
	return CollectEvidenceResult{Digest: digest, Sources: col.Sources, SourceSHA: col.Evidence.Source.SHA}, nil
}

// EvaluateReadinessInput names the evidence to judge and the phase's criteria.
type EvaluateReadinessInput struct {
	ReleaseID string       `json:"releaseId"`
	Spec      release.Spec `json:"spec"`
	BaseDir   string       `json:"baseDir"`
	Phase     policy.Phase `json:"phase"`
	// Digest is CollectEvidenceResult.Digest.
	Digest string `json:"digest"`
}

// EvaluateReadinessResult is the gate table. Blocked is true when a blocking criterion failed.
type EvaluateReadinessResult struct {
	Table   policy.Table `json:"table"`
	Blocked bool         `json:"blocked"`
	Summary string       `json:"summary"`
}

// EvaluateReadiness compiles the release's criteria (spec, policy file, built-ins, compliance
// catalog) and evaluates those of the phase over the stored evidence. An invalid policy file
// or catalog is a permanent ErrInvalidSpec failure.
func (a *Activities) EvaluateReadiness(ctx context.Context, in EvaluateReadinessInput) (EvaluateReadinessResult, error) {
	set, err := CompileReadiness(in.Spec, in.BaseDir)
	if err != nil {
		return EvaluateReadinessResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %q: readiness criteria: %v", in.ReleaseID, err), ErrInvalidSpec, nil)
	}
	store, err := a.evidenceStore()
	if err != nil {
		return EvaluateReadinessResult{}, err
	}
	data, err := store.GetEvidence(ctx, in.Digest)
	if errors.Is(err, ErrEvidenceNotFound) {
		return EvaluateReadinessResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %q: %v: collect again", in.ReleaseID, err), ErrEvidenceMissing, nil)
	}
	if err != nil {
		return EvaluateReadinessResult{}, fmt.Errorf("release %q: %w", in.ReleaseID, err)
	}
	var col policy.Collected
	if err := json.Unmarshal(data, &col); err != nil {
		return EvaluateReadinessResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %q: evidence %s: %v", in.ReleaseID, in.Digest, err), ErrEvidenceMissing, nil)
	}
	t := set.Evaluate(&col, in.Phase)
	return EvaluateReadinessResult{Table: t, Blocked: t.Blocked(), Summary: t.Summary()}, nil
}

// CompileReadiness loads the spec's policy file and compliance catalog (relative to baseDir)
// and compiles every criterion of the release.
func CompileReadiness(spec release.Spec, baseDir string) (*policy.Set, error) {
	var fromFile []policy.Criterion
	if f := spec.Readiness.PolicyFile; f != "" {
		data, err := readSmallFile(resolve(baseDir, f))
		if err != nil {
			return nil, fmt.Errorf("policy file %s: %w", f, err)
		}
		if fromFile, err = policy.ParsePolicyFile(data); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	catalog := policy.DefaultCatalog()
	if f := spec.Readiness.Compliance.CatalogFile; f != "" {
		data, err := readSmallFile(resolve(baseDir, f))
		if err != nil {
			return nil, fmt.Errorf("compliance catalog %s: %w", f, err)
		}
		if catalog, err = policy.ParseCatalog(data); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return policy.Compile(spec.ReadinessCriteria(fromFile, catalog))
}

func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, release.MaxSpecBytes+1))
	if err == nil && len(data) > release.MaxSpecBytes {
		err = fmt.Errorf("over the %d MiB limit", release.MaxSpecBytes>>20)
	}
	return data, err
}

// RollbackPrerequisitesInput names the release whose rollback prerequisites to check.
type RollbackPrerequisitesInput struct {
	ReleaseID      string            `json:"releaseId"`
	Spec           release.Spec      `json:"spec"`
	BaseDir        string            `json:"baseDir"`
	At             time.Time         `json:"at"`
	ConfigSnapshot map[string]string `json:"configSnapshot,omitempty"`
}

// CheckRollbackPrerequisites verifies the backup (exists, fresh, checksum, restores in a
// sandbox), the configuration snapshot against the digests recorded at release start, and the
// rollback script (present, executable, dry run). Call it again right before a rollback uses
// them: Ready false means the rollback must not rely on them.
func (a *Activities) CheckRollbackPrerequisites(ctx context.Context, in RollbackPrerequisitesInput) (policy.RollbackEvidence, error) {
	g := &gatherer{in: GatherInput{Spec: in.Spec, BaseDir: in.BaseDir, At: in.At, ConfigSnapshot: in.ConfigSnapshot},
		out: &policy.Collected{}}
	if in.Spec.RollbackPrerequisites.Owner == "" {
		return policy.RollbackEvidence{}, nil
	}
	g.rollback(ctx)
	return g.out.Evidence.Rollback, ctx.Err()
}

// ConfigSnapshotInput names the configuration files to snapshot.
type ConfigSnapshotInput struct {
	ReleaseID string   `json:"releaseId"`
	BaseDir   string   `json:"baseDir"`
	Paths     []string `json:"paths"`
}

// ConfigSnapshotResult is path → sha256, to be kept in the release's state and record.
type ConfigSnapshotResult struct {
	Files map[string]string `json:"files"`
}

// RecordConfigSnapshot hashes the declared configuration files at release start. A missing
// file is a permanent failure: a snapshot with a hole cannot back a rollback.
func (a *Activities) RecordConfigSnapshot(ctx context.Context, in ConfigSnapshotInput) (ConfigSnapshotResult, error) {
	files, err := SnapshotFiles(in.BaseDir, in.Paths)
	if err != nil {
		return ConfigSnapshotResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("release %q: %v", in.ReleaseID, err), ErrEvidenceMissing, nil)
	}
	a.logger().InfoContext(ctx, "config snapshot recorded", "release", in.ReleaseID, "files", len(files))
	return ConfigSnapshotResult{Files: files}, nil
}

// DrillRestoreInput is a disaster-recovery drill.
type DrillRestoreInput struct {
	ReleaseID string            `json:"releaseId"`
	BaseDir   string            `json:"baseDir"`
	Drill     release.DrillSpec `json:"drill"`
}

// DrillRestore runs the declared restore procedure against the backup in a sandbox directory
// and checks the invariants (checksums, row counts) of the restored files.
func (a *Activities) DrillRestore(ctx context.Context, in DrillRestoreInput) (policy.DrillEvidence, error) {
	ev, _ := drill(ctx, in.BaseDir, in.Drill)
	return ev, ctx.Err()
}

// ValidateMigrationInput is a migration dry run.
type ValidateMigrationInput struct {
	ReleaseID  string                 `json:"releaseId"`
	BaseDir    string                 `json:"baseDir"`
	Migrations release.MigrationsSpec `json:"migrations"`
}

// ValidateMigration applies the release's migrations to a sandbox schema on the PostgreSQL
// server named by Migrations.DSNEnv, checks the invariants, rolls back and checks again. A
// migration that breaks an invariant or cannot roll back is a result with Passed false; a
// server that cannot be reached is a retryable error.
func (a *Activities) ValidateMigration(ctx context.Context, in ValidateMigrationInput) (policy.MigrationEvidence, error) {
	ev, err := validateMigrations(ctx, in.BaseDir, in.ReleaseID, in.Migrations, os.Getenv(in.Migrations.DSNEnv))
	if err != nil {
		return ev, fmt.Errorf("release %q: %w", in.ReleaseID, err)
	}
	return ev, nil
}

func (a *Activities) evidenceStore() (EvidenceStore, error) {
	if a.EvidenceStore == nil {
		return nil, temporal.NewNonRetryableApplicationError("no evidence store configured on the worker", ErrStoreFailure, nil)
	}
	return a.EvidenceStore, nil
}
