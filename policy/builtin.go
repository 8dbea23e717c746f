package policy

import (
	"fmt"
	"strconv"
)

// Built-in criterion IDs, so the workflow and the UI can recognise them.
const (
	IDCodeFreeze     = "checkpoint.code-freeze"
	IDDocs           = "checkpoint.docs-complete"
	IDEnvironment    = "checkpoint.environment-stable"
	IDSourceChecks   = "checkpoint.source-checks"
	IDParity         = "parity.staging-canary"
	IDBackup         = "rollback.backup-valid"
	IDConfigSnapshot = "rollback.config-snapshot"
	IDRollbackScript = "rollback.script-ready"
	IDE2E            = "predeploy.e2e-passed"
	IDLoad           = "predeploy.load"
	IDPentest        = "predeploy.pentest"
	IDDRDrill        = "predeploy.dr-drill"
	IDMigration      = "predeploy.migration"
	IDAccessibility  = "predeploy.accessibility"
	IDLocalization   = "predeploy.localization"
)

// builtin makes a blocking criterion. Built-in expressions also read the reason fields (the
// differing fields, the offending commits, the failed invariants) so the gate table's observed
// column says why, not only that, a check failed.
func builtin(id, owner, desc, expr string) Criterion {
	return Criterion{ID: id, Owner: owner, Severity: Blocking, Description: desc, Expr: expr}
}

// CodeFreezeCriterion: no commit on the release branch after the freeze.
func CodeFreezeCriterion(owner string) Criterion {
	return builtin(IDCodeFreeze, owner, "No commits on the release branch after the code freeze", "evidence.checkpoints.code_freeze.frozen && size(evidence.checkpoints.code_freeze.commits) == 0")
}

// DocsCriterion: the named documents exist and are non-empty.
func DocsCriterion(owner string) Criterion {
	return builtin(IDDocs, owner, "Release notes, runbook and the other named documents exist and are non-empty", "evidence.checkpoints.docs.complete && size(evidence.checkpoints.docs.missing) == 0 && size(evidence.checkpoints.docs.empty) == 0")
}

// EnvironmentCriterion: the target environment's health probe was healthy for the window.
func EnvironmentCriterion(owner string) Criterion {
	return builtin(IDEnvironment, owner, "Target environment healthy by its probe for the whole window", "evidence.checkpoints.environment.stable && evidence.checkpoints.environment.reason == \"\"")
}

// SourceChecksCriterion: every check run and commit status on the release's head commit passed
// and every required one was reported.
func SourceChecksCriterion(owner string) Criterion {
	return builtin(IDSourceChecks, owner, "Every check run and commit status on the release's head commit passed, the required ones included", "evidence.source.all_passed && size(evidence.source.failed) == 0 && size(evidence.source.missing) == 0")
}

// ParityCriterion: staging and canary passed identical test conditions.
func ParityCriterion(owner string) Criterion {
	return builtin(IDParity, owner, "Staging and canary passed the identical suite (name, version, config hash)", "evidence.parity.identical && size(evidence.parity.differences) == 0")
}

// RollbackCriteria: backup valid, configuration snapshot recorded, rollback script ready. Only
// the prerequisites the spec declares are returned.
func RollbackCriteria(owner string, backup, snapshot, script bool) []Criterion {
	var out []Criterion
	if backup {
		out = append(out, builtin(IDBackup, owner, "Backup exists, is fresh, matches its checksum and restores in a sandbox", "evidence.rollback.backup.valid && evidence.rollback.backup.reason == \"\""))
	}
	if snapshot {
		out = append(out, builtin(IDConfigSnapshot, owner, "Configuration snapshot recorded and unchanged", "evidence.rollback.config_snapshot.verified && size(evidence.rollback.config_snapshot.changed) == 0"))
	}
	if script {
		out = append(out, builtin(IDRollbackScript, owner, "Rollback script present, executable, dry run succeeds", "evidence.rollback.script.ready && evidence.rollback.script.reason == \"\""))
	}
	return out
}

// E2ECriterion: the end-to-end and integration suites passed.
func E2ECriterion(owner string) Criterion {
	return builtin(IDE2E, owner, "End-to-end and integration tests passed in the production-mirrored environment", "evidence.e2e.all_passed")
}

// LoadCriterion: latency and error rate under simulated peak load within thresholds. Zero
// thresholds are left out; with neither, the criterion asks that requests were served.
func LoadCriterion(owner string, maxP99MS, maxErrorRate float64) Criterion {
	expr := "evidence.perf.requests > 0"
	if maxP99MS > 0 {
		expr += " && evidence.perf.p99_ms <= " + strconv.FormatFloat(maxP99MS, 'f', -1, 64)
	}
	if maxErrorRate > 0 {
		expr += " && evidence.perf.error_rate <= " + strconv.FormatFloat(maxErrorRate, 'f', -1, 64)
	}
	return builtin(IDLoad, owner, "Performance under simulated peak load within thresholds", expr)
}

// PentestCriterion: no error-level penetration-test findings.
func PentestCriterion(owner string) Criterion {
	return builtin(IDPentest, owner, "No error-level penetration-test findings", "evidence.pentest.sarif.errors == 0")
}

// DRCriterion: the disaster-recovery drill restored the backup and its invariants held.
func DRCriterion(owner string) Criterion {
	return builtin(IDDRDrill, owner, "Disaster-recovery drill restores the backup and its invariants hold", "evidence.dr.passed && size(evidence.dr.failed) == 0")
}

// MigrationCriterion: migrations apply on a sandbox, keep the invariants and roll back.
func MigrationCriterion(owner string) Criterion {
	return builtin(IDMigration, owner, "Migrations apply on a sandbox schema, keep the invariants and roll back cleanly", "evidence.migration.passed && evidence.migration.rolled_back && size(evidence.migration.failed) == 0")
}

// AccessibilityCriterion: no critical or serious axe-core violations.
func AccessibilityCriterion(owner string) Criterion {
	return builtin(IDAccessibility, owner, "No critical or serious accessibility violations", "evidence.accessibility.critical == 0 && evidence.accessibility.serious == 0")
}

// LocalizationCriterion: every locale has every key of the base locale.
func LocalizationCriterion(owner string) Criterion {
	return builtin(IDLocalization, owner, "Every locale's catalog has every message of the base locale", "evidence.localization.complete")
}

// String formats a criterion for logs.
func (c Criterion) String() string {
	return fmt.Sprintf("%s (%s, %s): %s", c.ID, c.Owner, c.Severity, c.Expr)
}
