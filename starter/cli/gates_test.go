package cli

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/workflows"
)

func TestWaiveFlags(t *testing.T) {
	dialed := false
	env := Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Dial: func(context.Context) (*control.Client, func(), error) {
		dialed = true
		return nil, nil, errors.New("no server in this test")
	}}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no criterion", []string{"waive", "rel-1", "--reason", "r", "--as", "quinn"}, `waive release "rel-1": --criterion is required`},
		{"no reason", []string{"waive", "rel-1", "--criterion", "ci-green", "--as", "quinn"}, `waive release "rel-1": --reason is required`},
		{"no release", []string{"waive", "--criterion", "ci-green", "--reason", "r", "--as", "quinn"}, "accepts 1 arg(s), received 0"},
		{"complete", []string{"waive", "rel-1", "--criterion", "ci-green", "--reason", "r", "--as", "quinn"}, "no server in this test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dialed = false
			root := NewRoot(env)
			root.SetArgs(c.args)
			err := root.ExecuteContext(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Equal(t, c.name == "complete", dialed, "only a complete request reaches the server")
		})
	}
}

func TestStatusPrintsGateTable(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	row := func(id, owner string, sev policy.Severity, passed bool, msg string) workflows.GateRow {
		return workflows.GateRow{Row: policy.Row{Criterion: id, Owner: owner, Severity: sev, Expected: "evidence.ci.all_passed",
			Observed: []policy.Observation{{Path: "evidence.ci.all_passed", Value: "false"}}, Evidence: "reports/junit.xml", Passed: passed, Message: msg}}
	}
	waived := row("no-sast-errors", "sam", policy.Blocking, false, "expression is false")
	waived.Waiver = &workflows.Waiver{Criterion: "no-sast-errors", Actor: "sam", Reason: "false positive", Time: at}
	st := workflows.Status{ReleaseID: "rel-1", Phase: workflows.PhaseReadinessBlocked, Readiness: &workflows.ReadinessStatus{
		ConfigSnapshot: map[string]string{"config/app.yaml": "sha256:ab"}, SnapshotAt: at,
		Gates: []workflows.GateStatus{{Phase: workflows.PhaseReadiness, Blocked: true, Summary: "1 of 3 criteria passed",
			Rows: []workflows.GateRow{
				row("ci-green", "quinn", policy.Blocking, false, "expression is false"),
				waived,
				row("docs-reviewed", "dora", policy.Advisory, true, ""),
			}}},
	}}
	var out bytes.Buffer
	printStatus(&out, st)
	text := out.String()
	assert.Contains(t, text, "Config    snapshot of 1 file(s)")
	assert.Contains(t, text, "Gate      readiness: BLOCKED — 1 of 3 criteria passed")
	assert.Regexp(t, `RESULT\s+CRITERION\s+OWNER\s+SEVERITY\s+EXPECTED\s+OBSERVED\s+EVIDENCE\s+WAIVED BY`, text)
	assert.Regexp(t, `FAIL\s+ci-green\s+quinn\s+blocking\s+evidence.ci.all_passed\s+evidence.ci.all_passed = false\s+reports/junit.xml`, text)
	assert.Regexp(t, `waived\s+no-sast-errors\s+sam\s+blocking\s+.*\s+sam\n`, text)
	assert.Contains(t, text, "ci-green (blocking, owner quinn): expression is false")
	assert.Contains(t, text, "no-sast-errors: waived by sam at")
	assert.Contains(t, text, "tollgate recheck ID")
}
