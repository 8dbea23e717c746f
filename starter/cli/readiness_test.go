package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const readinessBlock = `
readiness:
  criteria:
    - id: ci-green
      owner: qa
      expr: evidence.ci.all_passed
    - id: sast-clean
      owner: appsec
      severity: advisory
      expr: evidence.security.sarif.errors == 0
  checkpoints:
    docs: {owner: tech-writers, files: [docs/release-notes.md, docs/runbook.md]}
evidence:
  junit: [reports/unit.xml]
  sarif: [reports/scan.sarif]
`

func readinessFixture(t *testing.T, runbook string) string {
	t.Helper()
	dir := t.TempDir()
	base, err := os.ReadFile("../../release/testdata/valid.yaml")
	require.NoError(t, err)
	files := map[string]string{
		"release.yaml":          string(base) + readinessBlock,
		"reports/unit.xml":      `<testsuite name="unit"><testcase classname="ledger" name="posts"/></testsuite>`,
		"reports/scan.sarif":    `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":"G101","level":"error"}]}]}`,
		"docs/release-notes.md": "# Notes\n",
		"docs/runbook.md":       runbook,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return filepath.Join(dir, "release.yaml")
}

func runReadinessCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errOut})
	root.SetArgs(args)
	code := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		errOut.WriteString(err.Error())
		code = 1
	}
	return out.String(), errOut.String(), code
}

func TestReadinessCommand(t *testing.T) {
	tests := []struct {
		name     string
		runbook  string
		code     int
		contains []string
		stderr   string
	}{
		{name: "ready, advisory failure shown", runbook: "# Runbook\n", code: 0, contains: []string{
			"RESULT  CRITERION", "pass    ci-green", "FAIL    sast-clean", "evidence.security.sarif.errors = 1", "reports/scan.sarif",
			"sast-clean (advisory, owner appsec): expression is false",
			"2 of 3 criteria passed, 0 blocking and 1 advisory failed"}},
		{name: "empty runbook blocks", runbook: "", code: 1, contains: []string{
			"FAIL    checkpoint.docs-complete  tech-writers", "evidence.checkpoints.docs.complete = false"},
			stderr: `readiness blocked: checkpoint.docs-complete`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runReadinessCLI(t, "readiness", "-f", readinessFixture(t, tt.runbook))
			assert.Equal(t, tt.code, code, "stderr: %s", errOut)
			for _, c := range tt.contains {
				assert.Contains(t, out, c)
			}
			assert.Contains(t, errOut, tt.stderr)
		})
	}
}

func TestReadinessCommandJSON(t *testing.T) {
	out, errOut, code := runReadinessCLI(t, "readiness", "-f", readinessFixture(t, "x"), "-o", "json", "--phase", "readiness")
	require.Equal(t, 0, code, errOut)
	var rep readinessReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "payments-2026.11.3", rep.Release)
	assert.False(t, rep.Blocked)
	require.Len(t, rep.Rows, 3)
	assert.Equal(t, "ci-green", rep.Rows[0].Criterion)
	assert.Equal(t, "evidence.ci.all_passed", rep.Rows[0].Expected)
	assert.Equal(t, "evidence.ci.all_passed", rep.Rows[0].Observed[0].Path)
	assert.Equal(t, "true", rep.Rows[0].Observed[0].Value)
	assert.True(t, rep.Sources["ci"].Collected)
}

func TestReadinessCommandFlags(t *testing.T) {
	_, errOut, code := runReadinessCLI(t, "readiness", "-f", readinessFixture(t, "x"), "--phase", "later")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `--phase "later": want readiness, preDeploy or all`)
	_, errOut, _ = runReadinessCLI(t, "readiness", "-f", readinessFixture(t, "x"), "--at", "noon")
	assert.Contains(t, errOut, `--at "noon"`)
}
