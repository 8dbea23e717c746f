// Package test holds Tollgate's end-to-end suites: a real in-process Temporal server
// (go.temporal.io/server/temporaltest), the real worker registration and activities, the real
// HTTP handlers and the CLI's own code paths.
package test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrity/signtest"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/starter/cli"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/worker/app"
	"github.com/tollgate-dev/tollgate/workflows"
)

// cluster is one temporaltest server with Tollgate's search attributes registered.
type cluster struct {
	t      *testing.T
	ts     *temporaltest.TestServer
	client client.Client
	ctl    *control.Client
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	ts := temporaltest.NewServer(temporaltest.WithT(t),
		temporaltest.WithBaseClientOptions(client.Options{Logger: tlog.NewStructuredLogger(quietLogger())}))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ts.GetDefaultNamespace(), SearchAttributes: app.SearchAttributes,
	})
	require.NoError(t, err)
	return &cluster{t: t, ts: ts, client: c, ctl: &control.Client{Temporal: c}}
}

// startWorker runs the production registration with the given activities; the caller may stop
// it early (the crash test does), otherwise it stops with the test.
func (c *cluster) startWorker(acts *activities.Activities) worker.Worker {
	w := worker.New(c.client, workflows.TaskQueue, worker.Options{})
	app.Register(w, acts)
	require.NoError(c.t, w.Start())
	c.t.Cleanup(w.Stop)
	return w
}

func openStore(t *testing.T) store.Store {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "tollgate.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// cliRun runs the tollgate CLI in-process against the cluster and returns its output and exit code.
func (c *cluster) cliRun(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errb, Dial: func(context.Context) (*control.Client, func(), error) {
		return c.ctl, func() {}, nil
	}}
	root := cli.NewRoot(env)
	root.SetArgs(args)
	code = 0
	if err := root.ExecuteContext(ctx); err != nil {
		errb.WriteString("error: " + err.Error() + "\n")
		code = 1
	}
	return out.String(), errb.String(), code
}

// startAtApproval starts spec as alice and returns once its approval gate is open.
func (c *cluster) startAtApproval(spec release.Spec) {
	c.t.Helper()
	_, err := c.ctl.Start(context.Background(), &spec, "alice")
	require.NoError(c.t, err)
	c.waitFor(spec.Metadata.ID, "approval", func(st workflows.Status) bool { return st.Phase == workflows.PhaseApproval })
}

// approve approves release id as actor through the control client.
func (c *cluster) approve(id, actor string) {
	c.t.Helper()
	_, err := c.ctl.Control(context.Background(), id, workflows.UpdateApprove, workflows.Request{Actor: actor})
	require.NoError(c.t, err)
}

// waitFor polls the status query until cond holds, for up to 90 s, and fails naming the last
// phase and error seen.
func (c *cluster) waitFor(id string, what string, cond func(workflows.Status) bool) workflows.Status {
	c.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		st, err := c.ctl.Status(context.Background(), id)
		if err == nil && cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			require.FailNowf(c.t, "release never reached "+what, "release %s: last phase %q, last error %v", id, st.Phase, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// repoRoot is the module root, where example runbooks are run from.
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// buildDemo compiles the demo service for the example releases.
func buildDemo(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "demosvc")
	cmd := exec.Command("go", "build", "-o", bin, "./examples/demo/demosvc")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func scriptActivities(t *testing.T, dir string, env ...string) *activities.Activities {
	return &activities.Activities{
		Store:     openStore(t),
		Deployer:  &deploy.Script{Dir: dir, BaseEnv: append(os.Environ(), env...), ProgressEvery: 200 * time.Millisecond},
		HTTP:      &http.Client{},
		Logger:    quietLogger(),
		Audit:     openAudit(t),
		Artifacts: artifacts.New(artifacts.Options{BaseDir: repoRoot(t)}),
	}
}

// openAudit opens an audit trail signed by a fresh key.
func openAudit(t *testing.T) *store.AuditSQLite {
	a, _ := openAuditKey(t)
	return a
}

// openAuditKey also returns the public key, for tests that verify the trail.
func openAuditKey(t *testing.T) (*store.AuditSQLite, ed25519.PublicKey) {
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	a, err := store.OpenAuditSQLite(filepath.Join(t.TempDir(), "audit.db"), priv, store.AuditOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	return a, pub
}

// signed gives every artifact of spec a real file, digest and key signature, and the policy
// that trusts the key, so the integrity phase verifies it as it would a CI pipeline's output.
func signed(t *testing.T, spec release.Spec) release.Spec {
	s, err := signtest.New(t.TempDir())
	require.NoError(t, err)
	spec.Services = append([]release.Service(nil), spec.Services...)
	require.NoError(t, s.SignSpec(&spec))
	return spec
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }

func activitiesRunStep(spec release.Spec, step string) activities.RunStepInput {
	return activities.RunStepInput{ReleaseID: spec.Metadata.ID, Step: step, Service: spec.Services[0], Environment: spec.Environments[0]}
}

// retried reports whether any activity of a workflow needed more than one attempt.
func (c *cluster) retried(workflowID string) bool {
	it := c.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(c.t, err)
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
			return true
		}
	}
	return false
}
