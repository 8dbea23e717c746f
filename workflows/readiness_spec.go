package workflows

import "github.com/tollgate-dev/tollgate/release"

// Which gates a spec declares. Field by field rather than reflect.Value.IsZero, which
// workflowcheck cannot prove deterministic; a field added to these blocks is added here too.

// declaresReadiness reports whether the spec declares a block the readiness gate judges.
func declaresReadiness(s release.Spec) bool {
	r := s.Readiness
	c := r.Checkpoints
	return r.PolicyFile != "" || len(r.Criteria) > 0 || r.Users != "" || len(r.DataCategories) > 0 ||
		c.CodeFreeze != (release.CodeFreezeSpec{}) || c.Docs.Owner != "" || len(c.Docs.Files) > 0 ||
		c.Environment != (release.StabilitySpec{}) ||
		r.Compliance.CatalogFile != "" || len(r.Compliance.Attestations) > 0 || r.Parity != (release.ParitySpec{}) ||
		len(s.Evidence.JUnit) > 0 || len(s.Evidence.SARIF) > 0 ||
		(s.Source != nil && s.Source.Checks.Owner != "") ||
		declaresRollbackPrerequisites(s)
}

// declaresPreDeploy reports whether the pre-deploy gate has anything to judge. Declared
// criteria may read pre-deploy evidence, so they run the gate too: without the preDeploy
// block they fail with "no evidence" instead of being silently skipped.
func declaresPreDeploy(s release.Spec) bool {
	d := s.PreDeploy
	return d.Owner != "" || len(d.JUnit) > 0 || d.K6Summary != "" || d.Load != (release.LoadSpec{}) ||
		len(d.SARIF) > 0 || d.DRDrill.Backup != "" || d.DRDrill.Restore != "" || len(d.DRDrill.Invariants) > 0 ||
		d.Migrations.Dir != "" || d.Migrations.Baseline != "" || d.Migrations.DSNEnv != "" || len(d.Migrations.Invariants) > 0 ||
		len(d.Accessibility) > 0 || len(d.Localization.Catalogs) > 0 || d.Localization.Base != "" ||
		d.Thresholds != (release.LoadThresholdSpec{}) ||
		len(s.Readiness.Criteria) > 0 || s.Readiness.PolicyFile != ""
}

// declaresRollbackPrerequisites reports whether the spec declares rollback prerequisites.
func declaresRollbackPrerequisites(s release.Spec) bool {
	rb := s.RollbackPrerequisites
	return rb.Owner != "" || rb.Backup != (release.BackupSpec{}) || len(rb.ConfigSnapshot) > 0 || rb.Script != (release.RollbackScript{})
}
