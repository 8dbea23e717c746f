package test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/workflows"
)

// TestExampleReleasesThroughTheCLI runs both example releases against the demo system the way
// a person does: start, approve, watch; one completes, the other rolls back by itself.
func TestExampleReleasesThroughTheCLI(t *testing.T) {
	c := newCluster(t)
	root := repoRoot(t)
	state := t.TempDir()
	demo := buildDemo(t)
	acts := scriptActivities(t, root, "DEMO_BIN="+demo, "DEMO_STATE="+state)
	trail, pub := openAuditKey(t)
	acts.Audit = trail
	c.startWorker(acts)
	t.Cleanup(func() {
		cmd := exec.Command("sh", "examples/demo/runbook.sh", "stop-all")
		cmd.Dir = root
		cmd.Env = append(cmd.Environ(), "DEMO_BIN="+demo, "DEMO_STATE="+state)
		_ = cmd.Run()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	storefront := filepath.Join(root, "examples/releases/storefront.yaml")
	payments := filepath.Join(root, "examples/releases/payments.yaml")
	out, errOut, code := c.cliRun(ctx, "release", "start", "-f", storefront, "--as", "alice")
	require.Zero(t, code, errOut)
	assert.Contains(t, out, `release "storefront-2026.11.1" started by alice`)
	out, _, code = c.cliRun(ctx, "release", "start", "-f", storefront, "--as", "alice")
	require.Zero(t, code)
	assert.Contains(t, out, "already running", "a second start finds the running release")

	out, errOut, code = c.cliRun(ctx, "release", "wait", "storefront-2026.11.1", "--phase", "approval", "--timeout", "2m")
	require.Zero(t, code, errOut)
	assert.Contains(t, out, "phase approval")
	_, errOut, code = c.cliRun(ctx, "approve", "storefront-2026.11.1", "--as", "alice")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "alice owns release \"storefront-2026.11.1\" and cannot approve it")
	for _, who := range []string{"bob", "carol"} {
		out, errOut, code = c.cliRun(ctx, "approve", "storefront-2026.11.1", "--as", who)
		require.Zero(t, code, errOut)
	}
	assert.Contains(t, out, "approved by carol (2 of 2)")

	_, errOut, code = c.cliRun(ctx, "release", "start", "-f", payments, "--as", "erin", "-o", "json")
	require.Zero(t, code, errOut)
	_, errOut, code = c.cliRun(ctx, "release", "wait", "payments-2026.11.2", "--timeout", "2m")
	require.Zero(t, code, errOut)
	for _, who := range []string{"bob", "dave"} {
		_, errOut, code = c.cliRun(ctx, "approve", "payments-2026.11.2", "--as", who)
		require.Zero(t, code, errOut)
	}

	// The JSON API lists both and shows live status while they run.
	api := httptest.NewServer(web.Handler(c.ctl, func() error { return nil }, quietLogger()))
	defer api.Close()
	resp, err := http.Get(api.URL + "/api/releases")
	require.NoError(t, err)
	var list struct {
		Releases []struct{ ReleaseID string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	assert.Len(t, list.Releases, 2)
	resp, err = http.Get(api.URL + "/api/releases/no-such-release")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	out, errOut, code = c.cliRun(ctx, "release", "watch", "payments-2026.11.2")
	assert.Equal(t, 1, code, "watch exits non-zero when the release does not complete")
	assert.Contains(t, out, "smoke check \"health\" of payments-api in staging")
	assert.Contains(t, out, `release "payments-2026.11.2" ended: rolled-back`)

	out, errOut, code = c.cliRun(ctx, "release", "watch", "storefront-2026.11.1")
	require.Zero(t, code, errOut+out)
	assert.Contains(t, out, `release "storefront-2026.11.1" ended: completed`)

	out, _, code = c.cliRun(ctx, "release", "status", "storefront-2026.11.1", "-o", "json")
	require.Zero(t, code)
	var st workflows.Status
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	assert.Equal(t, workflows.OutcomeCompleted, st.Outcome)
	for _, w := range st.Waves {
		for _, e := range w.Environments {
			for _, s := range e.Services {
				assert.Equal(t, workflows.ServiceDeployed, s.State, "%s/%s", e.Name, s.Name)
			}
		}
	}
	// The demo services really run the new version.
	resp, err = http.Get("http://127.0.0.1:18413/version")
	require.NoError(t, err)
	body := make([]byte, 64)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	assert.Equal(t, "2.0.0", strings.TrimSpace(string(body[:n])))
	// payments never reached production.
	_, err = http.Get("http://127.0.0.1:18321/version")
	assert.Error(t, err, "payments must not be running in prod-eu")

	// Every decision is in the audit trail, chained and sealed under a signed checkpoint. The
	// seal is among the last things a release does after it shows as closed, so wait for the
	// workflows themselves to finish first.
	for _, id := range []string{"storefront-2026.11.1", "payments-2026.11.2"} {
		_, err := c.ctl.Result(ctx, id)
		require.NoError(t, err)
	}
	entries, err := trail.AuditEntries(ctx, 1, 1<<62)
	require.NoError(t, err)
	checkpoints, err := trail.AuditCheckpoints(ctx)
	require.NoError(t, err)
	rep := audit.Verify(entries, checkpoints, pub)
	require.True(t, rep.OK(), "%v", rep.Err())
	assert.Zero(t, rep.Unsigned, "closing a release seals its entries")
	kinds := map[string]int{}
	for _, e := range entries {
		kinds[e.ReleaseID+" "+e.Kind]++
	}
	assert.Equal(t, 2, kinds["storefront-2026.11.1 approval"])
	assert.Equal(t, 2, kinds["payments-2026.11.2 approval"])
	assert.Positive(t, kinds["payments-2026.11.2 phase"])

	out, _, code = c.cliRun(ctx, "release", "list")
	require.Zero(t, code)
	assert.Contains(t, out, "payments-2026.11.2")
	assert.Contains(t, out, "storefront-2026.11.1")
}
