package policy

import (
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/evidence"
)

// Evidence is everything criteria can read, declared to CEL as the type of the variable
// `evidence`. Field names in expressions are the JSON names (evidence.perf.p99_ms), so the
// schema a criterion author sees is the same as the JSON the API shows.
type Evidence struct {
	CI            evidence.JUnitSummary         `json:"ci"`
	E2E           evidence.JUnitSummary         `json:"e2e"`
	Perf          evidence.PerfSummary          `json:"perf"`
	Security      SecurityEvidence              `json:"security"`
	Pentest       SecurityEvidence              `json:"pentest"`
	Accessibility evidence.AccessibilitySummary `json:"accessibility"`
	Localization  evidence.LocalizationSummary  `json:"localization"`
	Checkpoints   Checkpoints                   `json:"checkpoints"`
	Parity        ParityEvidence                `json:"parity"`
	Rollback      RollbackEvidence              `json:"rollback"`
	DR            DrillEvidence                 `json:"dr"`
	Migration     MigrationEvidence             `json:"migration"`
	// Source is the checks on the release's head commit in GitHub (source.go).
	Source SourceEvidence `json:"source"`
	// Attestations are signed-off compliance documents by control ID.
	Attestations map[string]Attestation `json:"attestations"`
}

// SecurityEvidence holds static-analysis or penetration-test findings.
type SecurityEvidence struct {
	SARIF evidence.SARIFSummary `json:"sarif"`
}

// Checkpoints are the seed practice's checkpoints.
type Checkpoints struct {
	CodeFreeze  CodeFreezeEvidence  `json:"code_freeze"`
	Docs        DocsEvidence        `json:"docs"`
	Environment EnvironmentEvidence `json:"environment"`
}

// Attestation is a compliance document signed off by its owner.
type Attestation struct {
	Attested bool   `json:"attested"`
	By       string `json:"by"`
	Link     string `json:"link"`
	SHA256   string `json:"sha256"`
}

// DrillEvidence is the outcome of a disaster-recovery drill.
type DrillEvidence struct {
	Passed bool `json:"passed"`
	// Restored is true when the restore procedure itself succeeded.
	Restored          bool     `json:"restored"`
	InvariantsChecked int64    `json:"invariants_checked"`
	Failed            []string `json:"failed"`
}

// MigrationEvidence is the outcome of a migration dry run on a sandbox schema.
type MigrationEvidence struct {
	Passed            bool     `json:"passed"`
	Applied           int64    `json:"applied"`
	RolledBack        bool     `json:"rolled_back"`
	InvariantsChecked int64    `json:"invariants_checked"`
	Failed            []string `json:"failed"`
}

// Source names of the evidence namespaces; a criterion's evidence is "collected" per source.
const (
	SourceCI            = "ci"
	SourceE2E           = "e2e"
	SourcePerf          = "perf"
	SourceSecurity      = "security"
	SourcePentest       = "pentest"
	SourceAccessibility = "accessibility"
	SourceLocalization  = "localization"
	SourceCodeFreeze    = "checkpoints.code_freeze"
	SourceDocs          = "checkpoints.docs"
	SourceEnvironment   = "checkpoints.environment"
	SourceParity        = "parity"
	SourceRollback      = "rollback"
	SourceDR            = "dr"
	SourceMigration     = "migration"
	SourceAttestations  = "attestations"
	// SourceSCM is the check runs and commit statuses of the spec's source.head.
	SourceSCM = "source"
)

// Phase is the release phase whose collection produces a source.
type Phase string

// Phases.
const (
	PhaseReadiness Phase = "readiness"
	PhasePreDeploy Phase = "preDeploy"
)

// sourcePhase assigns every source to the phase that collects it.
var sourcePhase = map[string]Phase{
	SourceCI: PhaseReadiness, SourceSecurity: PhaseReadiness, SourceCodeFreeze: PhaseReadiness,
	SourceDocs: PhaseReadiness, SourceEnvironment: PhaseReadiness, SourceParity: PhaseReadiness,
	SourceRollback: PhaseReadiness, SourceAttestations: PhaseReadiness, SourceSCM: PhaseReadiness,
	SourceE2E: PhasePreDeploy, SourcePerf: PhasePreDeploy, SourcePentest: PhasePreDeploy,
	SourceAccessibility: PhasePreDeploy, SourceLocalization: PhasePreDeploy, SourceDR: PhasePreDeploy,
	SourceMigration: PhasePreDeploy,
}

// Sources lists the source names in a stable order.
func Sources() []string {
	names := make([]string, 0, len(sourcePhase))
	for n := range sourcePhase {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SourceOf returns the source an evidence path ("perf.p99_ms", without "evidence.") belongs to.
func SourceOf(path string) string {
	if strings.HasPrefix(path, "checkpoints.") {
		parts := strings.SplitN(path, ".", 3)
		if len(parts) >= 2 {
			return parts[0] + "." + parts[1]
		}
	}
	src, _, _ := strings.Cut(path, ".")
	return src
}

// SourceStatus records how collecting one source went. A source that is not Collected, or
// has an Error, fails every criterion that reads it: evidence that is missing or could not be
// read never passes a gate.
type SourceStatus struct {
	Collected bool `json:"collected"`
	// Error says why the evidence could not be read (malformed report, unreachable URL).
	Error string `json:"error,omitempty"`
	// Link points to the report(s): file paths or URLs.
	Link string `json:"link,omitempty"`
	// Missing lists fields (relative to the source, e.g. "p99_ms") the report did not hold.
	Missing []string `json:"missing,omitempty"`
}

// Collected is evidence with the status of each source.
type Collected struct {
	Evidence Evidence                `json:"evidence"`
	Sources  map[string]SourceStatus `json:"sources"`
}

// Set records the status of a source.
func (c *Collected) Set(source string, st SourceStatus) {
	if c.Sources == nil {
		c.Sources = make(map[string]SourceStatus)
	}
	c.Sources[source] = st
}

// Fail records that a source could not be collected.
func (c *Collected) Fail(source, link string, err error) {
	c.Set(source, SourceStatus{Error: err.Error(), Link: link})
}
