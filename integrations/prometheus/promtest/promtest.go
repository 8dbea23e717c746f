// Package promtest starts a real Prometheus server for tests: the Debian `prometheus` binary
// with a temporary config and data directory on a free loopback port, stopped in t.Cleanup.
// A missing binary fails the test with the install command; it never skips.
package promtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// InstallHint is what to run when the binary is missing.
const InstallHint = "sh scripts/ensure-prometheus.sh (or: apt-get update && apt-get install -y prometheus)"

// Server is a running Prometheus.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	Dir string
}

// Options tune Start.
type Options struct {
	// ScrapeInterval of every target (default 1s, so tests see data quickly).
	ScrapeInterval time.Duration
	// Binary overrides the prometheus binary looked up on PATH.
	Binary string
}

// Start runs prometheus scraping targets ("host:port") and waits until it is ready.
func Start(t testing.TB, targets []string, opt Options) *Server {
	t.Helper()
	bin := opt.Binary
	if bin == "" {
		var err error
		bin, err = exec.LookPath("prometheus")
		require.NoError(t, err, "the prometheus server binary is not on PATH; install it with: %s", InstallHint)
	}
	every := opt.ScrapeInterval
	if every <= 0 {
		every = time.Second
	}
	dir := t.TempDir()
	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = fmt.Sprintf("%q", tg)
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: %s\n  evaluation_interval: %s\nscrape_configs:\n"+
		"  - job_name: demo\n    static_configs:\n      - targets: [%s]\n", every, every, strings.Join(quoted, ", "))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	addr := freeAddr(t)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--storage.tsdb.retention.time=1h")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start(), "start %s", bin)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		logf.Close()
	})
	s := &Server{URL: "http://" + addr, Dir: dir}
	require.Eventually(t, func() bool {
		select {
		case <-exited:
			return true // reported below
		default:
		}
		return s.ready()
	}, 30*time.Second, 100*time.Millisecond, "prometheus did not become ready")
	select {
	case <-exited:
		log, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
		require.FailNow(t, "prometheus exited during start-up", "%s", tail(string(log), 2000))
	default:
	}
	return s
}

func (s *Server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/-/ready", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
