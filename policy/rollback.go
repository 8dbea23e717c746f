package policy

import (
	"fmt"
	"time"
)

// RollbackEvidence holds the rollback prerequisites.
type RollbackEvidence struct {
	Backup         BackupEvidence         `json:"backup"`
	ConfigSnapshot ConfigSnapshotEvidence `json:"config_snapshot"`
	Script         ScriptEvidence         `json:"script"`
}

// BackupFacts is what the collector found about a declared backup.
type BackupFacts struct {
	Path    string
	Exists  bool
	ModTime time.Time
	SHA256  string
	// RestoreErr is the restore script's failure in the sandbox, "" when it succeeded.
	RestoreErr string
	// Restored is true when the restore script ran (it does not run without a backup).
	Restored bool
}

// BackupRequirement is what the spec demands of a backup.
type BackupRequirement struct {
	MaxAge time.Duration
	SHA256 string // "sha256:<hex>" or bare hex
}

// BackupEvidence says whether the backup can be relied on for a rollback.
type BackupEvidence struct {
	Valid      bool    `json:"valid"`
	Exists     bool    `json:"exists"`
	AgeHours   float64 `json:"age_hours"`
	Fresh      bool    `json:"fresh"`
	ChecksumOK bool    `json:"checksum_ok"`
	RestoreOK  bool    `json:"restore_ok"`
	Reason     string  `json:"reason"`
}

// CheckBackup judges a backup against its requirement at now. Every failing condition is named
// in Reason, the first one first.
func CheckBackup(f BackupFacts, req BackupRequirement, now time.Time) BackupEvidence {
	ev := BackupEvidence{Exists: f.Exists}
	var reasons []string
	if !f.Exists {
		ev.Reason = fmt.Sprintf("backup %s: does not exist", f.Path)
		return ev
	}
	age := now.Sub(f.ModTime)
	ev.AgeHours = age.Hours()
	ev.Fresh = req.MaxAge > 0 && age <= req.MaxAge
	if !ev.Fresh {
		reasons = append(reasons, fmt.Sprintf("age %s exceeds max age %s", age.Round(time.Minute), req.MaxAge))
	}
	want := NormalizeDigest(req.SHA256)
	ev.ChecksumOK = want != "" && want == NormalizeDigest(f.SHA256)
	if !ev.ChecksumOK {
		reasons = append(reasons, fmt.Sprintf("checksum mismatch: want %s, got %s", shortDigest(want), shortDigest(NormalizeDigest(f.SHA256))))
	}
	ev.RestoreOK = f.Restored && f.RestoreErr == ""
	if !ev.RestoreOK {
		reason := "restore script did not run"
		if f.RestoreErr != "" {
			reason = "restore failed in sandbox: " + f.RestoreErr
		}
		reasons = append(reasons, reason)
	}
	ev.Valid = ev.Fresh && ev.ChecksumOK && ev.RestoreOK
	if !ev.Valid {
		ev.Reason = fmt.Sprintf("backup %s: %s", f.Path, joinReasons(reasons))
	}
	return ev
}

// ConfigSnapshotEvidence says whether the configuration snapshot was taken and still matches.
type ConfigSnapshotEvidence struct {
	Recorded bool     `json:"recorded"`
	Files    int64    `json:"files"`
	Verified bool     `json:"verified"`
	Changed  []string `json:"changed"`
}

// VerifySnapshot compares current file digests with those recorded at release start. A file
// missing now, or a file not recorded, is a change.
func VerifySnapshot(recorded, current map[string]string) ConfigSnapshotEvidence {
	ev := ConfigSnapshotEvidence{Recorded: len(recorded) > 0, Files: int64(len(recorded)), Changed: []string{}}
	for _, p := range sortedKeys(recorded) {
		got, ok := current[p]
		switch {
		case !ok:
			ev.Changed = append(ev.Changed, p+": missing now")
		case NormalizeDigest(got) != NormalizeDigest(recorded[p]):
			ev.Changed = append(ev.Changed, fmt.Sprintf("%s: digest mismatch: want %s, got %s", p, shortDigest(recorded[p]), shortDigest(got)))
		}
	}
	for _, p := range sortedKeys(current) {
		if _, ok := recorded[p]; !ok {
			ev.Changed = append(ev.Changed, p+": not in the snapshot")
		}
	}
	ev.Verified = ev.Recorded && len(ev.Changed) == 0
	return ev
}

// ScriptEvidence says whether the rollback script is ready.
type ScriptEvidence struct {
	Ready      bool   `json:"ready"`
	Present    bool   `json:"present"`
	Executable bool   `json:"executable"`
	DryRunOK   bool   `json:"dry_run_ok"`
	Reason     string `json:"reason"`
}

// CheckScript judges the rollback script from what the collector found.
func CheckScript(path string, present, executable, dryRanOK bool, dryRunErr string) ScriptEvidence {
	ev := ScriptEvidence{Present: present, Executable: executable, DryRunOK: dryRanOK && dryRunErr == ""}
	switch {
	case !present:
		ev.Reason = fmt.Sprintf("rollback script %s: not found", path)
	case !executable:
		ev.Reason = fmt.Sprintf("rollback script %s: not executable (chmod +x)", path)
	case !ev.DryRunOK:
		ev.Reason = fmt.Sprintf("rollback script %s: dry run failed: %s", path, dryRunErr)
	default:
		ev.Ready = true
	}
	return ev
}
