// Command bench measures Tollgate on the embedded Temporal server: orchestration overhead
// against a bare workflow, pause latency, and worker memory under 100 concurrent releases.
// `make bench` runs it; the figures go to BENCHMARKS.md.
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrity/signtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/worker/app"
	"github.com/tollgate-dev/tollgate/worker/devserver"
	"github.com/tollgate-dev/tollgate/workflows"
)

// results is what one bench run prints as JSON.
type results struct {
	Overhead *overheadResult `json:"overhead,omitempty"`
	Pause    *pauseResult    `json:"pause,omitempty"`
	Memory   *memoryResult   `json:"memory,omitempty"`
}

func main() {
	only := flag.String("only", "", "run one measurement: overhead, pause or memory")
	workerBin := flag.String("worker", "bin/tollgate-worker", "worker binary for the memory measurement")
	flag.Parse()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir, err := os.MkdirTemp("", "tollgate-bench-")
	check(err)
	defer os.RemoveAll(dir)

	port := freePort()
	srv, err := devserver.Start(devserver.Config{
		DataDir: dir, FrontendPort: port, Namespace: "default", SearchAttributes: app.SearchAttributes,
	}, quiet)
	check(err)
	defer srv.Stop()
	ctx := context.Background()
	check(devserver.WaitReady(ctx, srv.FrontendAddress))
	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddress, Namespace: "default", Logger: tlog.NewStructuredLogger(quiet)})
	check(err)
	defer c.Close()

	st, err := store.OpenSQLite(filepath.Join(dir, "tollgate.db"))
	check(err)
	defer st.Close()
	// No-op steps with a small delay, so a pause lands while steps are running.
	fake := deploy.NewFake()
	fake.Delay = 0
	timed := &timedDeployer{inner: fake}
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	_, auditKey, err := ed25519.GenerateKey(nil)
	check(err)
	trail, err := store.OpenAuditSQLite(filepath.Join(dir, "audit.db"), auditKey, store.AuditOptions{})
	check(err)
	defer trail.Close()
	signer, err = signtest.New(dir)
	check(err)
	app.Register(w, &activities.Activities{Store: st, Deployer: timed, Logger: quiet, Audit: trail,
		Artifacts: artifacts.New(artifacts.Options{})})
	w.RegisterWorkflowWithOptions(bareWorkflow, workflow.RegisterOptions{Name: "BareWorkflow"})
	w.RegisterActivity(noop)
	check(w.Start())
	ctl := &control.Client{Temporal: c}

	var res results
	if *only == "" || *only == "overhead" {
		res.Overhead = measureOverhead(ctx, c, ctl)
	}
	if *only == "" || *only == "pause" {
		fake.Delay = 100 * time.Millisecond
		res.Pause = measurePause(ctx, ctl, timed)
		fake.Delay = 0
	}
	// The memory measurement runs the real worker binary in its own process.
	w.Stop()
	if *only == "" || *only == "memory" {
		res.Memory = measureMemory(ctx, ctl, srv.FrontendAddress, *workerBin, dir)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	check(enc.Encode(res))
}

// signer signs every bench release's artifacts, as a CI pipeline would.
var signer *signtest.Signer

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func itoa(i int) string { return strconv.Itoa(i) }

// awaitApproval waits until the release's approval gate opens (after integrity and risk).
func awaitApproval(ctx context.Context, ctl *control.Client, id string) {
	for {
		st, err := ctl.Status(ctx, id)
		check(err)
		switch st.Phase {
		case workflows.PhaseApproval:
			return
		case workflows.PhaseClosed:
			check(fmt.Errorf("release %s closed before approval: %s %s", id, st.Outcome, st.Reason))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
