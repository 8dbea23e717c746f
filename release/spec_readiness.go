package release

import (
	"slices"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/policy"
)

// ReadinessSpec declares the readiness gate: measurable criteria, each with an owner, the
// built-in checkpoints, the compliance checklist and environment parity.
type ReadinessSpec struct {
	// PolicyFile is a shared YAML file of criteria (a list under "criteria:"), relative to the
	// spec file; its criteria join those declared here.
	PolicyFile string          `yaml:"policyFile,omitempty" json:"policyFile,omitempty"`
	Criteria   []CriterionSpec `yaml:"criteria,omitempty" json:"criteria,omitempty"`
	// Users is who the release serves: internal, global or regulated. Global and regulated
	// releases must declare accessibility and localization evidence in preDeploy.
	Users string `yaml:"users,omitempty" json:"users,omitempty"`
	// DataCategories the release touches (e.g. personal, payment); they decide which
	// compliance controls apply.
	DataCategories []string        `yaml:"dataCategories,omitempty" json:"dataCategories,omitempty"`
	Checkpoints    CheckpointsSpec `yaml:"checkpoints,omitempty" json:"checkpoints,omitzero"`
	Compliance     ComplianceSpec  `yaml:"compliance,omitempty" json:"compliance,omitzero"`
	Parity         ParitySpec      `yaml:"parity,omitempty" json:"parity,omitzero"`
}

// CriterionSpec is one readiness criterion as written in a spec or policy file.
type CriterionSpec struct {
	ID          string `yaml:"id" json:"id"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Owner       string `yaml:"owner" json:"owner"`
	// Severity is blocking (default) or advisory.
	Severity string `yaml:"severity,omitempty" json:"severity,omitempty"`
	// Expr is CEL over evidence, e.g. `evidence.perf.p99_ms <= 250`.
	Expr string `yaml:"expr" json:"expr"`
}

// CheckpointsSpec configures the built-in checkpoints; each is on when its owner is set.
type CheckpointsSpec struct {
	CodeFreeze  CodeFreezeSpec `yaml:"codeFreeze,omitempty" json:"codeFreeze,omitzero"`
	Docs        DocsSpec       `yaml:"docs,omitempty" json:"docs,omitzero"`
	Environment StabilitySpec  `yaml:"environment,omitempty" json:"environment,omitzero"`
}

// CodeFreezeSpec: no commits on Branch of the git repository at Repo after FreezeAt.
type CodeFreezeSpec struct {
	Owner  string `yaml:"owner" json:"owner"`
	Repo   string `yaml:"repo" json:"repo"`
	Branch string `yaml:"branch" json:"branch"`
	// FreezeAt is an RFC 3339 time, e.g. 2026-11-01T18:00:00Z.
	FreezeAt string `yaml:"freezeAt" json:"freezeAt"`
}

// DocsSpec: every named document exists and is non-empty.
type DocsSpec struct {
	Owner string   `yaml:"owner" json:"owner"`
	Files []string `yaml:"files" json:"files"`
}

// StabilitySpec: the environment's health probe was healthy for the last Window. History is
// a JSON-lines file of {"at": RFC 3339, "healthy": bool} the monitoring writes; URL, when set,
// is probed once more at collection time.
type StabilitySpec struct {
	Owner   string   `yaml:"owner" json:"owner"`
	History string   `yaml:"history" json:"history"`
	URL     string   `yaml:"url,omitempty" json:"url,omitempty"`
	Window  Duration `yaml:"window" json:"window"`
	// MaxGap is the longest interval without a probe that still counts as observed (default 2m).
	MaxGap Duration `yaml:"maxGap,omitempty" json:"maxGap"`
}

// ComplianceSpec: the catalog of controls and the attestations the release supplies.
type ComplianceSpec struct {
	// CatalogFile replaces the shipped catalog (policy/catalog/compliance.yaml).
	CatalogFile  string            `yaml:"catalogFile,omitempty" json:"catalogFile,omitempty"`
	Attestations []AttestationSpec `yaml:"attestations,omitempty" json:"attestations,omitempty"`
}

// AttestationSpec is a signed-off compliance document for one control.
type AttestationSpec struct {
	Control string `yaml:"control" json:"control"`
	File    string `yaml:"file" json:"file"`
	By      string `yaml:"by" json:"by"`
}

// ParitySpec: staging and canary suite identity files (JSON {name, version, configHash}).
type ParitySpec struct {
	Owner   string `yaml:"owner" json:"owner"`
	Staging string `yaml:"staging" json:"staging"`
	Canary  string `yaml:"canary" json:"canary"`
}

// EvidenceSpec declares the readiness evidence sources: CI test reports and static analysis.
type EvidenceSpec struct {
	JUnit []string `yaml:"junit,omitempty" json:"junit,omitempty"`
	SARIF []string `yaml:"sarif,omitempty" json:"sarif,omitempty"`
}

// RollbackSpec declares the rollback prerequisites verified before deploying.
type RollbackSpec struct {
	Owner          string         `yaml:"owner" json:"owner"`
	Backup         BackupSpec     `yaml:"backup,omitempty" json:"backup,omitzero"`
	ConfigSnapshot []string       `yaml:"configSnapshot,omitempty" json:"configSnapshot,omitempty"`
	Script         RollbackScript `yaml:"script,omitempty" json:"script,omitzero"`
}

// BackupSpec is the backup a rollback restores.
type BackupSpec struct {
	Path   string   `yaml:"path" json:"path"`
	MaxAge Duration `yaml:"maxAge" json:"maxAge"`
	SHA256 string   `yaml:"sha256" json:"sha256"`
	// Restore is a shell command run in an empty sandbox directory with BACKUP and SANDBOX set.
	Restore string `yaml:"restore" json:"restore"`
}

// RollbackScript is the release's rollback script and the command that dry-runs it.
type RollbackScript struct {
	Path   string `yaml:"path" json:"path"`
	DryRun string `yaml:"dryRun" json:"dryRun"`
}

// PreDeploySpec declares the pre-deploy validation: evidence produced against the
// production-mirrored environment, each source checked by a built-in criterion owned by Owner.
type PreDeploySpec struct {
	Owner string   `yaml:"owner" json:"owner"`
	JUnit []string `yaml:"junit,omitempty" json:"junit,omitempty"`
	// K6Summary is a k6 JSON summary; Load runs a load test instead. At most one is set.
	K6Summary     string            `yaml:"k6Summary,omitempty" json:"k6Summary,omitempty"`
	Load          LoadSpec          `yaml:"load,omitempty" json:"load,omitzero"`
	SARIF         []string          `yaml:"sarif,omitempty" json:"sarif,omitempty"`
	DRDrill       DrillSpec         `yaml:"drDrill,omitempty" json:"drDrill,omitzero"`
	Migrations    MigrationsSpec    `yaml:"migrations,omitempty" json:"migrations,omitzero"`
	Accessibility []string          `yaml:"accessibility,omitempty" json:"accessibility,omitempty"`
	Localization  LocalizationSpec  `yaml:"localization,omitempty" json:"localization,omitzero"`
	Thresholds    LoadThresholdSpec `yaml:"thresholds,omitempty" json:"thresholds,omitzero"`
}

// LoadSpec is a load test Tollgate runs itself: Rate requests per second for Duration.
type LoadSpec struct {
	Target   string   `yaml:"target" json:"target"`
	Method   string   `yaml:"method,omitempty" json:"method,omitempty"`
	Rate     int      `yaml:"rate" json:"rate"`
	Duration Duration `yaml:"duration" json:"duration"`
}

// LoadThresholdSpec are the limits of the built-in load criterion, written as strings so a
// spec can say "0.001" ("maxP99": "250ms", "maxErrorRate": "0.001").
type LoadThresholdSpec struct {
	MaxP99       Duration `yaml:"maxP99,omitempty" json:"maxP99"`
	MaxErrorRate string   `yaml:"maxErrorRate,omitempty" json:"maxErrorRate,omitempty"`
}

// DrillSpec is a disaster-recovery drill: Restore runs in an empty sandbox directory with
// BACKUP and SANDBOX set, then the invariants are checked on the restored files.
type DrillSpec struct {
	Backup     string          `yaml:"backup" json:"backup"`
	Restore    string          `yaml:"restore" json:"restore"`
	Invariants []FileInvariant `yaml:"invariants" json:"invariants"`
}

// FileInvariant is a property of a restored file: its SHA-256, or its number of rows (lines).
type FileInvariant struct {
	Path   string `yaml:"path" json:"path"`
	SHA256 string `yaml:"sha256,omitempty" json:"sha256,omitempty"`
	Rows   int    `yaml:"rows,omitempty" json:"rows,omitempty"`
}

// MigrationsSpec is a migration dry run on a sandbox schema of a real PostgreSQL server.
// Dir holds NNN_name.up.sql and NNN_name.down.sql; Baseline creates the current schema and
// representative data; DSNEnv names the environment variable holding the server's DSN (the
// DSN itself is a secret and never in the spec).
type MigrationsSpec struct {
	Dir        string         `yaml:"dir" json:"dir"`
	Baseline   string         `yaml:"baseline" json:"baseline"`
	DSNEnv     string         `yaml:"dsnEnv" json:"dsnEnv"`
	Invariants []SQLInvariant `yaml:"invariants" json:"invariants"`
}

// SQLInvariant is a query returning one value that must hold after the migration: Expect when
// set, else the value before the migration (row counts, checksums). After the rollback every
// invariant must again return its value from before.
type SQLInvariant struct {
	Name   string `yaml:"name" json:"name"`
	Query  string `yaml:"query" json:"query"`
	Expect string `yaml:"expect,omitempty" json:"expect,omitempty"`
}

// LocalizationSpec names the message catalogs by locale and the base locale.
type LocalizationSpec struct {
	Base     string            `yaml:"base" json:"base"`
	Catalogs map[string]string `yaml:"catalogs" json:"catalogs"`
}

// Policy converts the criterion to the policy package's form.
func (c CriterionSpec) Policy() policy.Criterion {
	return policy.Criterion{ID: c.ID, Description: c.Description, Owner: c.Owner, Severity: policy.Severity(c.Severity), Expr: c.Expr}
}

// ReadinessCriteria assembles every criterion the release is judged on: those of the policy
// file (already loaded by the caller, who does the I/O), those declared in the spec, the
// checkpoints, the source's checks, the compliance controls that apply to the declared data
// categories, parity, the rollback prerequisites and the pre-deploy validations.
func (s *Spec) ReadinessCriteria(fromPolicyFile []policy.Criterion, catalog policy.Catalog) []policy.Criterion {
	r := s.Readiness
	out := slices.Clone(fromPolicyFile)
	for _, c := range r.Criteria {
		out = append(out, c.Policy())
	}
	if o := r.Checkpoints.CodeFreeze.Owner; o != "" {
		out = append(out, policy.CodeFreezeCriterion(o))
	}
	if o := r.Checkpoints.Docs.Owner; o != "" {
		out = append(out, policy.DocsCriterion(o))
	}
	if o := r.Checkpoints.Environment.Owner; o != "" {
		out = append(out, policy.EnvironmentCriterion(o))
	}
	if src := s.Source; src != nil && src.Checks.Owner != "" {
		out = append(out, policy.SourceChecksCriterion(src.Checks.Owner))
	}
	for _, ctl := range catalog.Applicable(r.DataCategories) {
		out = append(out, ctl.Criterion())
	}
	if o := r.Parity.Owner; o != "" {
		out = append(out, policy.ParityCriterion(o))
	}
	rb := s.RollbackPrerequisites
	if rb.Owner != "" {
		out = append(out, policy.RollbackCriteria(rb.Owner, rb.Backup != (BackupSpec{}), len(rb.ConfigSnapshot) > 0, rb.Script != (RollbackScript{}))...)
	}
	d := s.PreDeploy
	if o := d.Owner; o != "" {
		if len(d.JUnit) > 0 {
			out = append(out, policy.E2ECriterion(o))
		}
		if d.K6Summary != "" || d.Load != (LoadSpec{}) {
			maxRate, _ := strconv.ParseFloat(d.Thresholds.MaxErrorRate, 64)
			out = append(out, policy.LoadCriterion(o, float64(d.Thresholds.MaxP99.D())/float64(time.Millisecond), maxRate))
		}
		if len(d.SARIF) > 0 {
			out = append(out, policy.PentestCriterion(o))
		}
		if d.DRDrill.Backup != "" {
			out = append(out, policy.DRCriterion(o))
		}
		if d.Migrations.Dir != "" {
			out = append(out, policy.MigrationCriterion(o))
		}
		if len(d.Accessibility) > 0 {
			out = append(out, policy.AccessibilityCriterion(o))
		}
		if len(d.Localization.Catalogs) > 0 {
			out = append(out, policy.LocalizationCriterion(o))
		}
	}
	return out
}
