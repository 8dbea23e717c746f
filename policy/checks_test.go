package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func TestCodeFreeze(t *testing.T) {
	commits := []Commit{
		{Hash: "a1b2c3d4e5f6a7b8", Time: t0.Add(-2 * time.Hour), Subject: "prepare release"},
		{Hash: "ffee", Time: t0.Add(time.Minute), Subject: "hotfix typo"},
	}
	ev := CodeFreeze(commits, t0)
	assert.False(t, ev.Frozen)
	assert.Equal(t, int64(1), ev.CommitsAfterFreeze)
	assert.Equal(t, []string{"ffee hotfix typo"}, ev.Commits)
	assert.True(t, CodeFreeze(commits[:1], t0).Frozen)
	assert.True(t, CodeFreeze(nil, t0).Frozen)
}

func TestDocsComplete(t *testing.T) {
	tests := []struct {
		name string
		docs []Document
		want DocsEvidence
	}{
		{"complete", []Document{{"notes", true, 10}, {"runbook", true, 3}}, DocsEvidence{Complete: true, Missing: []string{}, Empty: []string{}}},
		{"missing and empty", []Document{{"notes", false, 0}, {"runbook", true, 0}}, DocsEvidence{Missing: []string{"notes"}, Empty: []string{"runbook"}}},
		{"none declared", nil, DocsEvidence{Missing: []string{}, Empty: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, DocsComplete(tt.docs)) })
	}
}

func TestEnvironmentStable(t *testing.T) {
	every := func(from, to time.Duration, step time.Duration, healthy bool) []ProbeSample {
		var s []ProbeSample
		for d := from; d <= to; d += step {
			s = append(s, ProbeSample{At: t0.Add(-d), Healthy: healthy})
		}
		return s
	}
	tests := []struct {
		name    string
		samples []ProbeSample
		stable  bool
		reason  string
	}{
		{"healthy throughout", every(0, 35*time.Minute, time.Minute, true), true, ""},
		{"one bad probe", append(every(0, 35*time.Minute, time.Minute, true), ProbeSample{At: t0.Add(-10 * time.Minute)}), false, "1 of 32 probes unhealthy"},
		{"history too short", every(0, 10*time.Minute, time.Minute, true), false, "probes cover only the last 10m0s of 30m0s"},
		{"stale", every(10*time.Minute, 40*time.Minute, time.Minute, true), false, "last probe 10m0s ago"},
		{"gap", append(every(0, 5*time.Minute, time.Minute, true), every(20*time.Minute, 40*time.Minute, time.Minute, true)...), false, "no probe for 15m0s"},
		{"no probes", nil, false, "no health probes in the last 30m0s"},
		{"bad before window", append(every(0, 30*time.Minute, time.Minute, true), ProbeSample{At: t0.Add(-45 * time.Minute)}), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := EnvironmentStable(tt.samples, t0, 30*time.Minute, 2*time.Minute)
			assert.Equal(t, tt.stable, ev.Stable, ev.Reason)
			assert.Contains(t, ev.Reason, tt.reason)
		})
	}
	ev := EnvironmentStable(append(every(0, 30*time.Minute, time.Minute, true), ProbeSample{At: t0.Add(-45 * time.Minute)}), t0, 30*time.Minute, 2*time.Minute)
	assert.InDelta(t, 45, ev.HealthyMinutes, 0.01)
}

func TestParity(t *testing.T) {
	s := SuiteIdentity{Name: "e2e", Version: "2.3.1", ConfigHash: "sha256:aa"}
	assert.Equal(t, ParityEvidence{Identical: true, Differences: []string{}}, Parity(s, s))
	c := s
	c.Version = "2.3.0"
	c.ConfigHash = ""
	ev := Parity(s, c)
	assert.False(t, ev.Identical)
	assert.Equal(t, []string{`version: staging "2.3.1", canary "2.3.0"`, `configHash: staging "sha256:aa", canary "" (unknown on one side)`}, ev.Differences)
}

func TestCheckBackup(t *testing.T) {
	const sum = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	good := BackupFacts{Path: "db.dump", Exists: true, ModTime: t0.Add(-2 * time.Hour), SHA256: sum[7:], Restored: true}
	req := BackupRequirement{MaxAge: 24 * time.Hour, SHA256: sum}
	tests := []struct {
		name   string
		facts  func(BackupFacts) BackupFacts
		valid  bool
		reason string
	}{
		{"valid", func(f BackupFacts) BackupFacts { return f }, true, ""},
		{"missing", func(f BackupFacts) BackupFacts { f.Exists = false; return f }, false, "backup db.dump: does not exist"},
		{"old", func(f BackupFacts) BackupFacts { f.ModTime = t0.Add(-48 * time.Hour); return f }, false, "age 48h0m0s exceeds max age 24h0m0s"},
		{"checksum", func(f BackupFacts) BackupFacts { f.SHA256 = "00"; return f }, false, "checksum mismatch: want sha256:9f86d081884c…, got sha256:00"},
		{"restore failed", func(f BackupFacts) BackupFacts { f.RestoreErr = "exit status 3"; return f }, false, "restore failed in sandbox: exit status 3"},
		{"restore not run", func(f BackupFacts) BackupFacts { f.Restored = false; return f }, false, "restore script did not run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := CheckBackup(tt.facts(good), req, t0)
			assert.Equal(t, tt.valid, ev.Valid)
			assert.Contains(t, ev.Reason, tt.reason)
		})
	}
}

func TestVerifySnapshot(t *testing.T) {
	rec := map[string]string{"a.yaml": "sha256:aa", "b.yaml": "BB"}
	assert.True(t, VerifySnapshot(rec, map[string]string{"a.yaml": "aa", "b.yaml": "sha256:bb"}).Verified)
	ev := VerifySnapshot(rec, map[string]string{"a.yaml": "sha256:ab", "c.yaml": "cc"})
	assert.False(t, ev.Verified)
	assert.Equal(t, []string{"a.yaml: digest mismatch: want sha256:aa, got sha256:ab", "b.yaml: missing now", "c.yaml: not in the snapshot"}, ev.Changed)
	assert.False(t, VerifySnapshot(nil, nil).Verified, "an empty snapshot proves nothing")
}

func TestCheckScript(t *testing.T) {
	assert.True(t, CheckScript("rb.sh", true, true, true, "").Ready)
	assert.Contains(t, CheckScript("rb.sh", false, false, false, "").Reason, "not found")
	assert.Contains(t, CheckScript("rb.sh", true, false, false, "").Reason, "not executable")
	assert.Contains(t, CheckScript("rb.sh", true, true, true, "exit status 1").Reason, "dry run failed: exit status 1")
}

func TestComplianceCatalog(t *testing.T) {
	cat := DefaultCatalog()
	ids := func(cs []Control) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	assert.Empty(t, cat.Applicable(nil), "compliance is opt-in through data categories")
	assert.Equal(t, []string{"soc2-cc8.1", "soc2-cc7.2"}, ids(cat.Applicable([]string{"internal-only"})))
	assert.Equal(t, []string{"gdpr-dpia", "gdpr-retention", "soc2-cc8.1", "soc2-cc7.2"}, ids(cat.Applicable([]string{"payment", "personal"})))

	var crits []Criterion
	for _, c := range cat.Applicable([]string{"personal"}) {
		crits = append(crits, c.Criterion())
	}
	set, err := Compile(crits)
	require.NoError(t, err)
	c := collected()
	c.Evidence.Attestations = map[string]Attestation{
		"gdpr-dpia":      {Attested: true, By: "privacy-office", Link: "docs/dpia.pdf"},
		"gdpr-retention": {Attested: true, By: "someone-else"},
		"soc2-cc8.1":     {Attested: true, By: "change-management"},
	}
	c.Set(SourceAttestations, SourceStatus{Collected: true, Link: "docs/"})
	passed := map[string]bool{}
	for _, r := range set.Evaluate(c, "").Rows {
		passed[r.Criterion] = r.Passed
	}
	assert.Equal(t, map[string]bool{"compliance.gdpr-dpia": true, "compliance.gdpr-retention": false,
		"compliance.soc2-cc8.1": true, "compliance.soc2-cc7.2": false}, passed)

	_, err = ParseCatalog([]byte("controls:\n  - id: x\n    title: t\n    appliesTo: ['*']\n"))
	require.ErrorContains(t, err, `controls[0].owner: criterion "compliance.x" has no owner`)
	_, err = ParseCatalog([]byte("controls:\n  - id: x\n    title: t\n    owner: o\n    appliesTo: ['*']\n    requires: evidence.nope\n"))
	require.ErrorContains(t, err, "undefined field 'nope'")
	_, err = ParseCatalog([]byte("controls:\n  - id: x\n    titel: t\n"))
	require.ErrorContains(t, err, "field titel not found")
}

func TestBuiltinsCompile(t *testing.T) {
	crits := []Criterion{CodeFreezeCriterion("rel"), DocsCriterion("docs"), EnvironmentCriterion("sre"), ParityCriterion("qa"),
		E2ECriterion("qa"), LoadCriterion("perf", 250, 0.001), LoadCriterion("perf", 0, 0), PentestCriterion("sec"), DRCriterion("sre"),
		MigrationCriterion("dba"), AccessibilityCriterion("design"), LocalizationCriterion("l10n"), SourceChecksCriterion("platform")}
	crits = append(crits, RollbackCriteria("sre", true, true, true)...)
	for _, c := range crits {
		assert.Empty(t, Check(c), c.String())
	}
	assert.Equal(t, "evidence.perf.requests > 0 && evidence.perf.p99_ms <= 250 && evidence.perf.error_rate <= 0.001", LoadCriterion("p", 250, 0.001).Expr)
}
