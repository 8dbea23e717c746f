package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

var at = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), mode))
	return p
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

const backupContent = "id,amount\n1,100\n2,200\n3,300\n"

// rollbackFixture writes a backup (modified one hour before at), a restore script and a
// rollback script into dir.
func rollbackFixture(t *testing.T, dir string) release.RollbackSpec {
	t.Helper()
	b := writeFile(t, dir, "backups/ledger.csv", backupContent, 0o644)
	require.NoError(t, os.Chtimes(b, at.Add(-time.Hour), at.Add(-time.Hour)))
	writeFile(t, dir, "rollback.sh", "#!/bin/sh\n[ \"$1\" = --dry-run ] && echo 'would roll back' && exit 0\nexit 1\n", 0o755)
	writeFile(t, dir, "config/app.yaml", "replicas: 3\n", 0o644)
	return release.RollbackSpec{
		Owner:          "sre",
		Backup:         release.BackupSpec{Path: "backups/ledger.csv", MaxAge: release.Duration(24 * time.Hour), SHA256: sha(backupContent), Restore: `cp "$BACKUP" "$SANDBOX/ledger.csv"`},
		ConfigSnapshot: []string{"config/app.yaml"},
		Script:         release.RollbackScript{Path: "rollback.sh", DryRun: "./rollback.sh --dry-run"},
	}
}

func TestCheckRollbackPrerequisites(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string, r *release.RollbackSpec, snap map[string]string)
		check  func(t *testing.T, ev policy.RollbackEvidence)
	}{
		{"all ready", nil, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.True(t, ev.Backup.Valid, ev.Backup.Reason)
			assert.True(t, ev.ConfigSnapshot.Verified)
			assert.True(t, ev.Script.Ready, ev.Script.Reason)
		}},
		{"backup too old", func(t *testing.T, _ string, r *release.RollbackSpec, _ map[string]string) {
			r.Backup.MaxAge = release.Duration(30 * time.Minute)
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.False(t, ev.Backup.Valid)
			assert.Contains(t, ev.Backup.Reason, "age 1h0m0s exceeds max age 30m0s")
		}},
		{"checksum mismatch", func(t *testing.T, _ string, r *release.RollbackSpec, _ map[string]string) {
			r.Backup.SHA256 = sha("other")
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.Contains(t, ev.Backup.Reason, "checksum mismatch")
		}},
		{"restore fails in the sandbox", func(t *testing.T, _ string, r *release.RollbackSpec, _ map[string]string) {
			r.Backup.Restore = "echo 'pg_restore: error: input file is too short' >&2; exit 1"
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.Contains(t, ev.Backup.Reason, "restore failed in sandbox: exit status 1: pg_restore: error: input file is too short")
		}},
		{"config changed since the snapshot", func(t *testing.T, dir string, _ *release.RollbackSpec, _ map[string]string) {
			writeFile(t, dir, "config/app.yaml", "replicas: 9\n", 0o644)
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.False(t, ev.ConfigSnapshot.Verified)
			assert.Contains(t, ev.ConfigSnapshot.Changed[0], "config/app.yaml: digest mismatch")
		}},
		{"script not executable", func(t *testing.T, dir string, _ *release.RollbackSpec, _ map[string]string) {
			require.NoError(t, os.Chmod(filepath.Join(dir, "rollback.sh"), 0o644))
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.Equal(t, "rollback script rollback.sh: not executable (chmod +x)", ev.Script.Reason)
		}},
		{"dry run fails", func(t *testing.T, _ string, r *release.RollbackSpec, _ map[string]string) {
			r.Script.DryRun = "./rollback.sh --really"
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.Equal(t, "rollback script rollback.sh: dry run failed: exit status 1", ev.Script.Reason)
		}},
		{"script missing", func(t *testing.T, _ string, r *release.RollbackSpec, _ map[string]string) {
			r.Script.Path = "nope.sh"
		}, func(t *testing.T, ev policy.RollbackEvidence) {
			assert.Equal(t, "rollback script nope.sh: not found", ev.Script.Reason)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := rollbackFixture(t, dir)
			a := &Activities{}
			snap, err := a.RecordConfigSnapshot(context.Background(), ConfigSnapshotInput{ReleaseID: "r", BaseDir: dir, Paths: r.ConfigSnapshot})
			require.NoError(t, err)
			if tt.change != nil {
				tt.change(t, dir, &r, snap.Files)
			}
			ev, err := a.CheckRollbackPrerequisites(context.Background(), RollbackPrerequisitesInput{
				ReleaseID: "r", Spec: release.Spec{RollbackPrerequisites: r}, BaseDir: dir, At: at, ConfigSnapshot: snap.Files})
			require.NoError(t, err)
			tt.check(t, ev)
		})
	}
}

func TestRecordConfigSnapshotMissingFile(t *testing.T) {
	_, err := (&Activities{}).RecordConfigSnapshot(context.Background(), ConfigSnapshotInput{ReleaseID: "r", BaseDir: t.TempDir(), Paths: []string{"gone.yaml"}})
	require.ErrorContains(t, err, "config snapshot: gone.yaml")
}

func TestDrillRestore(t *testing.T) {
	dir := t.TempDir()
	rollbackFixture(t, dir)
	base := release.DrillSpec{Backup: "backups/ledger.csv", Restore: `cp "$BACKUP" "$SANDBOX/ledger.csv"`,
		Invariants: []release.FileInvariant{{Path: "ledger.csv", Rows: 4}, {Path: "ledger.csv", SHA256: sha(backupContent)}}}
	tests := []struct {
		name   string
		change func(d *release.DrillSpec)
		passed bool
		failed []string
	}{
		{"restores and invariants hold", func(*release.DrillSpec) {}, true, []string{}},
		{"row count differs", func(d *release.DrillSpec) { d.Invariants[0].Rows = 1000 }, false, []string{"ledger.csv: 4 rows, want 1000"}},
		{"truncated restore", func(d *release.DrillSpec) { d.Restore = `head -n 2 "$BACKUP" > ledger.csv` }, false,
			[]string{"ledger.csv: 2 rows, want 4", "ledger.csv: checksum mismatch: want " + sha(backupContent) + ", got " + sha("id,amount\n1,100\n")}},
		{"restore fails", func(d *release.DrillSpec) { d.Restore = "exit 4" }, false, []string{"restore failed: exit status 4"}},
		{"file not restored", func(d *release.DrillSpec) { d.Restore = "true" }, false,
			[]string{"ledger.csv: not restored: open ", "ledger.csv: not restored: open "}},
		{"path escapes sandbox", func(d *release.DrillSpec) { d.Invariants = []release.FileInvariant{{Path: "../x", Rows: 1}} }, false,
			[]string{"invariant ../x: path must stay inside the sandbox"}},
		{"backup missing", func(d *release.DrillSpec) { d.Backup = "nope.csv" }, false, []string{"backup nope.csv: stat "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base
			d.Invariants = append([]release.FileInvariant(nil), base.Invariants...)
			tt.change(&d)
			ev, err := (&Activities{}).DrillRestore(context.Background(), DrillRestoreInput{ReleaseID: "r", BaseDir: dir, Drill: d})
			require.NoError(t, err)
			assert.Equal(t, tt.passed, ev.Passed)
			require.Len(t, ev.Failed, len(tt.failed), "%v", ev.Failed)
			for i, f := range tt.failed {
				assert.True(t, strings.HasPrefix(ev.Failed[i], f), "%q does not start with %q", ev.Failed[i], f)
			}
		})
	}
}

func gitRepo(t *testing.T, dir string, commits map[string]time.Time) {
	t.Helper()
	git := func(env []string, args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), append(env, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git(nil, "init", "-q", "-b", "release/2026.11")
	for _, subject := range []string{"prepare release", "late fix"} {
		when, ok := commits[subject]
		if !ok {
			continue
		}
		d := when.Format(time.RFC3339)
		git([]string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}, "commit", "-q", "--allow-empty", "-m", subject)
	}
}

// readinessSpec declares every readiness and pre-deploy source over files in dir.
func readinessSpec(t *testing.T, dir, loadURL string) release.Spec {
	t.Helper()
	for _, f := range []string{"unit.xml", "clean.sarif", "broken.sarif", "k6-empty.json"} {
		data, err := os.ReadFile(filepath.Join("testdata/readiness", f))
		require.NoError(t, err)
		writeFile(t, dir, "reports/"+f, string(data), 0o644)
	}
	writeFile(t, dir, "docs/release-notes.md", "# Notes\n", 0o644)
	writeFile(t, dir, "docs/runbook.md", "", 0o644)
	writeFile(t, dir, "compliance/dpia.md", "DPIA signed\n", 0o644)
	writeFile(t, dir, "suites/staging.json", `{"name":"e2e","version":"4.2.0","configHash":"sha256:aa"}`, 0o644)
	writeFile(t, dir, "suites/canary.json", `{"name":"e2e","version":"4.1.9","configHash":"sha256:aa"}`, 0o644)
	var probes strings.Builder
	for m := 40; m >= 0; m-- {
		probes.WriteString(`{"at":"` + at.Add(-time.Duration(m)*time.Minute).Format(time.RFC3339) + `","healthy":true}` + "\n")
	}
	writeFile(t, dir, "probes.jsonl", probes.String(), 0o644)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "repo"), 0o755))
	gitRepo(t, filepath.Join(dir, "repo"), map[string]time.Time{"prepare release": at.Add(-48 * time.Hour), "late fix": at.Add(-time.Hour)})
	s := release.Spec{Metadata: release.Metadata{ID: "shop-2026.11.1"}}
	s.Readiness = release.ReadinessSpec{
		DataCategories: []string{"personal"},
		Criteria: []release.CriterionSpec{
			{ID: "ci-green", Owner: "qa", Expr: "evidence.ci.all_passed"},
			{ID: "sast-clean", Owner: "appsec", Expr: "evidence.security.sarif.errors == 0"},
			{ID: "perf-p99", Owner: "perf", Expr: "evidence.perf.p99_ms <= 250 && evidence.perf.error_rate < 0.001"},
		},
		Checkpoints: release.CheckpointsSpec{
			CodeFreeze:  release.CodeFreezeSpec{Owner: "release-eng", Repo: "repo", Branch: "release/2026.11", FreezeAt: at.Add(-24 * time.Hour).Format(time.RFC3339)},
			Docs:        release.DocsSpec{Owner: "writers", Files: []string{"docs/release-notes.md", "docs/runbook.md"}},
			Environment: release.StabilitySpec{Owner: "sre", History: "probes.jsonl", Window: release.Duration(30 * time.Minute)},
		},
		Compliance: release.ComplianceSpec{Attestations: []release.AttestationSpec{{Control: "gdpr-dpia", File: "compliance/dpia.md", By: "privacy-office"}}},
		Parity:     release.ParitySpec{Owner: "qa", Staging: "suites/staging.json", Canary: "suites/canary.json"},
	}
	s.Evidence = release.EvidenceSpec{JUnit: []string{"reports/unit.xml"}, SARIF: []string{"reports/clean.sarif"}}
	s.PreDeploy = release.PreDeploySpec{Owner: "qa", SARIF: []string{"reports/broken.sarif"},
		Load: release.LoadSpec{Target: loadURL, Rate: 50, Duration: release.Duration(time.Second)}}
	return s
}

func TestCollectAndEvaluateReadiness(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	dir := t.TempDir()
	spec := readinessSpec(t, dir, srv.URL)
	a := &Activities{EvidenceStore: &MemEvidenceStore{}}
	ctx := context.Background()

	rows := map[string]policy.Row{}
	for _, phase := range []policy.Phase{policy.PhaseReadiness, policy.PhasePreDeploy} {
		col, err := a.CollectEvidence(ctx, CollectEvidenceInput{ReleaseID: "shop", Spec: spec, BaseDir: dir, Phase: phase, At: at})
		require.NoError(t, err)
		require.Regexp(t, `^sha256:[0-9a-f]{64}$`, col.Digest)
		res, err := a.EvaluateReadiness(ctx, EvaluateReadinessInput{ReleaseID: "shop", Spec: spec, BaseDir: dir, Phase: phase, Digest: col.Digest})
		require.NoError(t, err)
		assert.True(t, res.Blocked)
		for _, r := range res.Table.Rows {
			assert.Equal(t, phase, r.Phase, r.Criterion)
			rows[r.Criterion] = r
		}
	}
	passed := map[string]bool{}
	for id, r := range rows {
		passed[id] = r.Passed
	}
	assert.Equal(t, map[string]bool{
		"ci-green": true, "sast-clean": true, "perf-p99": true,
		policy.IDCodeFreeze: false, policy.IDDocs: false, policy.IDEnvironment: true,
		"compliance.gdpr-dpia": true, "compliance.gdpr-retention": false, "compliance.soc2-cc8.1": false, "compliance.soc2-cc7.2": false,
		policy.IDParity: false, policy.IDLoad: true, policy.IDPentest: false,
	}, passed)
	// Built-ins observe their reasons: the offending commit and the differing suite field.
	assert.Regexp(t, `^evidence.checkpoints.code_freeze.commits = \["[0-9a-f]{12} late fix"\], evidence.checkpoints.code_freeze.frozen = false$`,
		rows[policy.IDCodeFreeze].ObservedText())
	assert.Equal(t, `evidence.parity.differences = ["version: staging \"4.2.0\", canary \"4.1.9\""], evidence.parity.identical = false`,
		rows[policy.IDParity].ObservedText())
	assert.Equal(t, "suites/staging.json, suites/canary.json", rows[policy.IDParity].Evidence)
	assert.Equal(t, `evidence "pentest" unusable: reports/broken.sarif: SARIF: no runs: the log records no analysis`, rows[policy.IDPentest].Message)
	assert.Equal(t, srv.URL, rows["perf-p99"].Evidence)
	assert.Contains(t, rows["perf-p99"].ObservedText(), "evidence.perf.error_rate = 0,")
	assert.Equal(t, "reports/unit.xml", rows["ci-green"].Evidence)
}

func TestGatherDetails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	spec := readinessSpec(t, dir, srv.URL)
	col, err := Gather(context.Background(), GatherInput{Spec: spec, BaseDir: dir, At: at})
	require.NoError(t, err)
	ev := col.Evidence
	assert.Equal(t, int64(1), ev.Checkpoints.CodeFreeze.CommitsAfterFreeze)
	assert.Contains(t, ev.Checkpoints.CodeFreeze.Commits[0], "late fix")
	assert.Equal(t, []string{"docs/runbook.md"}, ev.Checkpoints.Docs.Empty)
	assert.Equal(t, []string{`version: staging "4.2.0", canary "4.1.9"`}, ev.Parity.Differences)
	assert.Equal(t, "vegeta", ev.Perf.Source)
	assert.Equal(t, int64(50), ev.Perf.Requests)

	// An empty k6 summary fails the perf source; it never yields zero latencies that pass.
	spec.PreDeploy.Load = release.LoadSpec{}
	spec.PreDeploy.K6Summary = "reports/k6-empty.json"
	col, err = Gather(context.Background(), GatherInput{Spec: spec, BaseDir: dir, At: at, Phase: policy.PhasePreDeploy})
	require.NoError(t, err)
	assert.Equal(t, "k6 summary: no metrics: empty summary (did the test run?)", col.Sources[policy.SourcePerf].Error)

	// A load target that refuses every request fails the source.
	spec.PreDeploy.K6Summary = ""
	spec.PreDeploy.Load = release.LoadSpec{Target: "http://127.0.0.1:1/", Rate: 5, Duration: release.Duration(200 * time.Millisecond)}
	col, err = Gather(context.Background(), GatherInput{Spec: spec, BaseDir: dir, At: at, Phase: policy.PhasePreDeploy})
	require.NoError(t, err)
	assert.Contains(t, col.Sources[policy.SourcePerf].Error, "load test of http://127.0.0.1:1/: every one of")
}

func TestEvaluateReadinessEvidenceMissing(t *testing.T) {
	a := &Activities{EvidenceStore: &MemEvidenceStore{}}
	_, err := a.EvaluateReadiness(context.Background(), EvaluateReadinessInput{ReleaseID: "r", Digest: sha("nothing")})
	require.ErrorContains(t, err, "evidence not found")
}

func TestDirEvidenceStore(t *testing.T) {
	s := DirEvidenceStore{Dir: filepath.Join(t.TempDir(), "evidence")}
	ctx := context.Background()
	d, err := s.PutEvidence(ctx, []byte(`{"a":1}`))
	require.NoError(t, err)
	got, err := s.GetEvidence(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(got))
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir, d[7:]), []byte("tampered"), 0o644))
	_, err = s.GetEvidence(ctx, d)
	require.ErrorContains(t, err, "digest mismatch")
	_, err = s.GetEvidence(ctx, "../../etc/passwd")
	require.ErrorContains(t, err, "not a sha256 digest")
}
