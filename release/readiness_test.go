package release

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/policy"
)

func readinessYAML(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/readiness.yaml")
	require.NoError(t, err)
	return validYAML(t) + "\n" + string(b)
}

func TestReadinessValid(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(readinessYAML(t)))
	require.NoError(t, err)
	crits := spec.ReadinessCriteria(nil, policy.DefaultCatalog())
	var ids []string
	for _, c := range crits {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{"perf-p99", "sast-clean", "ci-green",
		policy.IDCodeFreeze, policy.IDDocs, policy.IDEnvironment,
		"compliance.gdpr-dpia", "compliance.gdpr-retention", "compliance.soc2-cc8.1", "compliance.soc2-cc7.2",
		policy.IDParity, policy.IDBackup, policy.IDConfigSnapshot, policy.IDRollbackScript,
		policy.IDE2E, policy.IDLoad, policy.IDPentest, policy.IDDRDrill, policy.IDMigration, policy.IDAccessibility, policy.IDLocalization}, ids)
	_, err = policy.Compile(crits)
	require.NoError(t, err)
	assert.Contains(t, crits[15].Expr, "evidence.perf.p99_ms <= 250 && evidence.perf.error_rate <= 0.001")
}

func TestReadinessDigestUnchangedWithoutBlock(t *testing.T) {
	// Specs written before readiness existed keep their digest (json omitzero).
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	raw, err := json.Marshal(spec)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "readiness")
	assert.NotContains(t, string(raw), "preDeploy")
}

func TestReadinessProblems(t *testing.T) {
	base := readinessYAML(t)
	tests := []struct {
		name     string
		old, new string
		path     string
		fragment string
	}{
		{"unknown evidence field", "evidence.perf.p99_ms <= 250", "evidence.perf.p98_ms <= 250",
			"readiness.criteria[0].expr", `criterion "perf-p99": undefined field 'p98_ms'`},
		{"missing owner", "      owner: perf-team\n", "",
			"readiness.criteria[0].owner", `criterion "perf-p99" has no owner`},
		{"severity", "severity: advisory", "severity: fatal", "readiness.criteria[1].severity", `unknown severity "fatal"`},
		{"duplicate id", "id: ci-green", "id: perf-p99", "readiness.criteria[2].id", `duplicate criterion ID "perf-p99"`},
		{"users", "users: global", "users: everyone", "readiness.users", `unknown users "everyone"`},
		{"global needs a11y", "  accessibility: [reports/axe.json]\n", "", "preDeploy.accessibility", `readiness.users is "global"`},
		{"freeze time", `freezeAt: "2026-11-01T18:00:00Z"`, `freezeAt: "tomorrow"`, "readiness.checkpoints.codeFreeze.freezeAt", "want RFC 3339"},
		{"window", "window: 30m", "window: 0s", "readiness.checkpoints.environment.window", "required"},
		{"backup checksum", `sha256: "sha256:9f86`, `sha256: "md5:9f86`, "rollbackPrerequisites.backup.sha256", "invalid SHA-256"},
		{"rollback owner", "  owner: sre\n  backup:", "  backup:", "rollbackPrerequisites.owner", "required"},
		{"dry run", "dryRun: ./rollback.sh --dry-run", "dryRun: ''", "rollbackPrerequisites.script.dryRun", "required"},
		{"load rate", "rate: 50", "rate: 0", "preDeploy.load.rate", "at least 1"},
		{"load url", `target: "http://127.0.0.1:8080/checkout"`, `target: "ftp://x"`, "preDeploy.load.target", "invalid URL"},
		{"both load sources", "  load:", "  k6Summary: k6.json\n  load:", "preDeploy.load", "not both"},
		{"error rate", `maxErrorRate: "0.001"`, `maxErrorRate: "2"`, "preDeploy.thresholds.maxErrorRate", "between 0 and 1"},
		{"drill invariant", "{path: ledger.csv, rows: 1000}", "{path: ledger.csv}", "preDeploy.drDrill.invariants[0]", "set sha256 or rows"},
		{"dsn env", "dsnEnv: TOLLGATE_MIGRATION_DSN", "dsnEnv: postgres://u:p@h/db", "preDeploy.migrations.dsnEnv", "invalid variable name"},
		{"invariant query", `query: "select count(*) from accounts"`, `query: ""`, "preDeploy.migrations.invariants[0].query", "required"},
		{"l10n base", "base: en,", "base: fr,", "preDeploy.localization.catalogs", `no catalog for the base locale "fr"`},
		{"predeploy owner", "preDeploy:\n  owner: qa\n", "preDeploy:\n", "preDeploy.owner", "required"},
		{"unknown field", "  thresholds:", "  treshold: 1\n  thresholds:", "preDeploy.treshold", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("release.yaml", []byte(edit(t, base, tt.old, tt.new)))
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				if p.Path == tt.path && strings.Contains(p.Message, tt.fragment) {
					found = true
					assert.Positive(t, p.Line, "problem %s has a line", p.Error())
				}
			}
			assert.True(t, found, "want %s containing %q; got:\n%s", tt.path, tt.fragment, ps.Error())
		})
	}
}
