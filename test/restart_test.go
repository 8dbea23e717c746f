package test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/worker/app"
	"github.com/tollgate-dev/tollgate/worker/devserver"
	"github.com/tollgate-dev/tollgate/workflows"
)

// embedded is one life of the embedded default: server, client, worker, on a data directory.
type embedded struct {
	srv    *devserver.Server
	client client.Client
	worker worker.Worker
	store  *store.SQLite
	ctl    *control.Client
}

func startEmbedded(t *testing.T, dir string, port int, fake *deploy.Fake) *embedded {
	srv, err := devserver.Start(devserver.Config{DataDir: dir, FrontendPort: port, Namespace: "default", SearchAttributes: app.SearchAttributes}, quietLogger())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, devserver.WaitReady(ctx, srv.FrontendAddress))
	c, err := client.DialContext(ctx, client.Options{HostPort: srv.FrontendAddress, Namespace: "default", Logger: tlog.NewStructuredLogger(quietLogger())})
	require.NoError(t, err)
	st, err := store.OpenSQLite(filepath.Join(dir, "tollgate.db"))
	require.NoError(t, err)
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	app.Register(w, &activities.Activities{Store: st, Deployer: fake, Logger: quietLogger(),
		Audit: openAudit(t), Artifacts: artifacts.New(artifacts.Options{})})
	require.NoError(t, w.Start())
	return &embedded{srv: srv, client: c, worker: w, store: st, ctl: &control.Client{Temporal: c}}
}

// freePortRange finds n consecutive free loopback ports and returns the first.
func freePortRange(t *testing.T, n int) int {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		base := l.Addr().(*net.TCPAddr).Port
		require.NoError(t, l.Close())
		if base+n > 65535 {
			continue
		}
		free := true
		for p := base; p < base+n && free; p++ {
			c, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				continue
			}
			c.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no range of free ports")
	return 0
}

func (e *embedded) stop() {
	e.worker.Stop()
	e.client.Close()
	e.store.Close()
	_ = e.srv.Stop()
}

// TestEmbeddedServerRestartResumesRelease stops the whole embedded default (server and worker)
// while a release waits for approval, starts it again on the same data directory, and finishes
// the release: its state lived in the SQLite file, not in the process.
func TestEmbeddedServerRestartResumesRelease(t *testing.T) {
	dir := t.TempDir()
	port := freePortRange(t, 8) // the frontend and the seven internal ports after it
	fake := deploy.NewFake()
	ctx := context.Background()

	first := startEmbedded(t, dir, port, fake)
	spec := signed(t, markerSpec("restart-1", 2, 1, "true"))
	_, err := first.ctl.Start(ctx, &spec, "alice")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, err := first.ctl.Status(ctx, spec.Metadata.ID)
		return err == nil && st.Phase == workflows.PhaseApproval
	}, 60*time.Second, 100*time.Millisecond)
	first.stop()

	second := startEmbedded(t, dir, port, fake)
	defer second.stop()
	// The restarted server needs a moment before its matching service takes queries and updates.
	require.Eventually(t, func() bool {
		_, err := second.ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
		if err == nil {
			return true
		}
		// An attempt that timed out may still have been applied.
		st, serr := second.ctl.Status(ctx, spec.Metadata.ID)
		return serr == nil && len(st.Approval.Approved) == 1
	}, 90*time.Second, 500*time.Millisecond)
	res, err := second.ctl.Result(ctx, spec.Metadata.ID)
	require.NoError(t, err)
	assert.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)
	assert.Equal(t, "1.0.0", fake.Version("env-0", "svc-01"))
}
