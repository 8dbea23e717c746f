package release

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/policy"
)

var sha256RE = regexp.MustCompile(`^(sha256:)?[0-9a-fA-F]{64}$`)

// Users values of readiness.users.
const (
	UsersInternal  = "internal"
	UsersGlobal    = "global"
	UsersRegulated = "regulated"
)

// readiness checks the readiness, evidence, rollbackPrerequisites and preDeploy blocks. CEL
// expressions are type-checked here, so a criterion reading an unknown evidence field is a spec
// error naming the criterion, found before the release starts.
func (v *validator) readiness() {
	r := v.spec.Readiness
	var ids []string
	for i, c := range r.Criteria {
		p := indexPath("readiness.criteria", i)
		for _, pr := range policy.Check(c.Policy()) {
			v.add(p+"."+pr.Field, "%s", pr.Message)
		}
		if c.ID != "" && slices.Contains(ids, c.ID) {
			v.add(p+".id", "duplicate criterion ID %q", c.ID)
		}
		ids = append(ids, c.ID)
	}
	switch r.Users {
	case "", UsersInternal:
	case UsersGlobal, UsersRegulated:
		if len(v.spec.PreDeploy.Accessibility) == 0 {
			v.add("preDeploy.accessibility", "required: readiness.users is %q, so accessibility results (axe-core JSON) are needed", r.Users)
		}
		if len(v.spec.PreDeploy.Localization.Catalogs) == 0 {
			v.add("preDeploy.localization", "required: readiness.users is %q, so localization catalogs are needed", r.Users)
		}
	default:
		v.add("readiness.users", "unknown users %q: want internal, global or regulated", clip(r.Users))
	}
	for i, c := range r.DataCategories {
		if c == "" {
			v.add(indexPath("readiness.dataCategories", i), "required: a data category such as personal or payment")
		}
	}
	v.checkpoints(r.Checkpoints)
	for i, a := range r.Compliance.Attestations {
		p := indexPath("readiness.compliance.attestations", i)
		v.required(p+".control", a.Control, "the compliance control ID the document attests, e.g. gdpr-dpia")
		v.required(p+".file", a.File, "the attestation document")
		v.required(p+".by", a.By, "who signed the attestation off (the control's owner)")
	}
	if pa := r.Parity; pa != (ParitySpec{}) {
		v.required("readiness.parity.owner", pa.Owner, "who owns environment parity")
		v.required("readiness.parity.staging", pa.Staging, "the staging suite identity file")
		v.required("readiness.parity.canary", pa.Canary, "the canary suite identity file")
	}
	v.rollbackPrerequisites()
	v.preDeploy()
}

func (v *validator) checkpoints(c CheckpointsSpec) {
	if cf := c.CodeFreeze; cf != (CodeFreezeSpec{}) {
		const p = "readiness.checkpoints.codeFreeze"
		v.required(p+".owner", cf.Owner, "who owns the code freeze")
		v.required(p+".repo", cf.Repo, "the git repository path")
		v.required(p+".branch", cf.Branch, "the release branch")
		if v.required(p+".freezeAt", cf.FreezeAt, "the freeze time, RFC 3339") {
			if _, err := time.Parse(time.RFC3339, cf.FreezeAt); err != nil {
				v.add(p+".freezeAt", "invalid time %q: want RFC 3339 such as 2026-11-01T18:00:00Z", clip(cf.FreezeAt))
			}
		}
	}
	if d := c.Docs; d.Owner != "" || len(d.Files) > 0 {
		v.required("readiness.checkpoints.docs.owner", d.Owner, "who owns the documentation")
		if len(d.Files) == 0 {
			v.add("readiness.checkpoints.docs.files", "at least one document is required, e.g. docs/release-notes.md")
		}
	}
	if e := c.Environment; e != (StabilitySpec{}) {
		const p = "readiness.checkpoints.environment"
		v.required(p+".owner", e.Owner, "who owns the environment's stability")
		v.required(p+".history", e.History, "the health probe history (JSON lines)")
		if e.Window <= 0 {
			v.add(p+".window", "required: how long the environment must have been healthy, e.g. 30m")
		}
		v.nonNegative(p+".maxGap", e.MaxGap)
		v.httpURL(p+".url", e.URL, false)
	}
}

func (v *validator) rollbackPrerequisites() {
	r := v.spec.RollbackPrerequisites
	const p = "rollbackPrerequisites"
	if r.Backup == (BackupSpec{}) && len(r.ConfigSnapshot) == 0 && r.Script == (RollbackScript{}) {
		if r.Owner != "" {
			v.add(p, "declare at least one of backup, configSnapshot or script")
		}
		return
	}
	v.required(p+".owner", r.Owner, "who owns the rollback prerequisites")
	if b := r.Backup; b != (BackupSpec{}) {
		v.required(p+".backup.path", b.Path, "the backup file")
		if b.MaxAge <= 0 {
			v.add(p+".backup.maxAge", "required: the oldest acceptable backup, e.g. 24h")
		}
		if v.required(p+".backup.sha256", b.SHA256, "the backup's SHA-256") && !sha256RE.MatchString(b.SHA256) {
			v.add(p+".backup.sha256", "invalid SHA-256 %q: want 64 hex digits, optionally prefixed sha256:", clip(b.SHA256))
		}
		v.required(p+".backup.restore", b.Restore, "the restore command run in a sandbox")
	}
	for i, f := range r.ConfigSnapshot {
		if f == "" {
			v.add(indexPath(p+".configSnapshot", i), "required: a configuration file path")
		}
	}
	if s := r.Script; s != (RollbackScript{}) {
		v.required(p+".script.path", s.Path, "the rollback script")
		v.required(p+".script.dryRun", s.DryRun, "the command that dry-runs the rollback script")
	}
}

func (v *validator) preDeploy() {
	d := v.spec.PreDeploy
	const p = "preDeploy"
	declared := len(d.JUnit) > 0 || d.K6Summary != "" || d.Load != (LoadSpec{}) || len(d.SARIF) > 0 ||
		d.DRDrill.Backup != "" || d.DRDrill.Restore != "" || d.Migrations.Dir != "" || len(d.Accessibility) > 0 || len(d.Localization.Catalogs) > 0
	if declared {
		v.required(p+".owner", d.Owner, "who owns pre-deploy validation")
	}
	if d.K6Summary != "" && d.Load != (LoadSpec{}) {
		v.add(p+".load", "set either k6Summary or load, not both")
	}
	if l := d.Load; l != (LoadSpec{}) {
		v.httpURL(p+".load.target", l.Target, true)
		if l.Rate < 1 {
			v.add(p+".load.rate", "must be at least 1 request per second, got %d", l.Rate)
		}
		if l.Duration <= 0 {
			v.add(p+".load.duration", "required: how long to run the load, e.g. 30s")
		}
	}
	v.nonNegative(p+".thresholds.maxP99", d.Thresholds.MaxP99)
	if s := d.Thresholds.MaxErrorRate; s != "" {
		if f, err := strconv.ParseFloat(s, 64); err != nil || f < 0 || f > 1 {
			v.add(p+".thresholds.maxErrorRate", "invalid error rate %q: want a fraction between 0 and 1, e.g. 0.001", clip(s))
		}
	}
	if dr := d.DRDrill; dr.Backup != "" || dr.Restore != "" || len(dr.Invariants) > 0 {
		v.required(p+".drDrill.backup", dr.Backup, "the backup the drill restores")
		v.required(p+".drDrill.restore", dr.Restore, "the restore command run in a sandbox")
		if len(dr.Invariants) == 0 {
			v.add(p+".drDrill.invariants", "at least one invariant (a restored file's sha256 or rows) is required")
		}
		for i, inv := range dr.Invariants {
			ip := indexPath(p+".drDrill.invariants", i)
			v.required(ip+".path", inv.Path, "the restored file, relative to the sandbox")
			switch {
			case inv.SHA256 == "" && inv.Rows <= 0:
				v.add(ip, "set sha256 or rows (a positive row count)")
			case inv.SHA256 != "" && !sha256RE.MatchString(inv.SHA256):
				v.add(ip+".sha256", "invalid SHA-256 %q", clip(inv.SHA256))
			}
		}
	}
	if m := d.Migrations; m.Dir != "" || m.Baseline != "" || m.DSNEnv != "" || len(m.Invariants) > 0 {
		v.required(p+".migrations.dir", m.Dir, "the directory of NNN_name.up.sql and NNN_name.down.sql files")
		v.required(p+".migrations.baseline", m.Baseline, "the SQL file creating the current schema and sample data")
		if v.required(p+".migrations.dsnEnv", m.DSNEnv, "the environment variable holding the PostgreSQL DSN") && !varNameRE.MatchString(m.DSNEnv) {
			v.add(p+".migrations.dsnEnv", "invalid variable name %q", clip(m.DSNEnv))
		}
		if len(m.Invariants) == 0 {
			v.add(p+".migrations.invariants", "at least one invariant query is required")
		}
		for i, inv := range m.Invariants {
			ip := indexPath(p+".migrations.invariants", i)
			v.required(ip+".name", inv.Name, "the invariant's name")
			v.required(ip+".query", inv.Query, "a query returning one value")
		}
	}
	if l := d.Localization; l.Base != "" || len(l.Catalogs) > 0 {
		if v.required(p+".localization.base", l.Base, "the base locale, e.g. en") {
			if _, ok := l.Catalogs[l.Base]; !ok {
				v.add(p+".localization.catalogs", "no catalog for the base locale %q", l.Base)
			}
		}
		if len(l.Catalogs) < 2 {
			v.add(p+".localization.catalogs", "at least two locales are required to compare")
		}
	}
}

// httpURL checks an optional (or required) http(s) URL.
func (v *validator) httpURL(path, raw string, required bool) {
	if raw == "" {
		if required {
			v.add(path, "required: an http(s) URL")
		}
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(path, "invalid URL %q: want http(s)://host/path", clip(raw))
	}
}
