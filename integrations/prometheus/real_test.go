package prometheus_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/integrations/prometheus/promtest"
)

// TestRealPrometheusScrapesDemosvc builds demosvc, serves it on loopback, lets a real
// Prometheus scrape it, and reads its request counter back through the real client.
func TestRealPrometheusScrapesDemosvc(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "demosvc")
	build := exec.Command("go", "build", "-o", bin, "github.com/tollgate-dev/tollgate/examples/demo/demosvc")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build demosvc: %s", out)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	svc := exec.Command(bin, "--service", "catalog", "--version", "2.0.0", "--addr", addr, "--environment", "staging")
	require.NoError(t, svc.Start())
	t.Cleanup(func() { _ = svc.Process.Kill(); _ = svc.Wait() })
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 10*time.Second, 50*time.Millisecond)
	for range 4 { // 5 requests in all, with the probe above
		resp, err := http.Get("http://" + addr + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
	}

	srv := promtest.Start(t, []string{addr}, promtest.Options{})
	c, err := prometheus.NewClient(prometheus.Config{Address: srv.URL})
	require.NoError(t, err)
	q := `sum(http_requests_total{service="catalog",version="2.0.0",environment="staging",code="200"})`
	ctx := context.Background()
	var got float64
	require.Eventually(t, func() bool {
		got, err = c.Instant(ctx, q, time.Now())
		return err == nil && got == 5
	}, 30*time.Second, 200*time.Millisecond, "counter read back: %v, %v", got, err)

	// The built-in throughput template renders a query the real server accepts.
	tq, err := prometheus.Render(prometheus.QueryThroughput, nil, prometheus.Params{Service: "catalog", Version: "2.0.0", Environment: "staging"})
	require.NoError(t, err)
	end := time.Now()
	_, err = c.Range(ctx, tq, end.Add(-10*time.Second), end, time.Second)
	require.NotEqual(t, prometheus.Permanent, prometheus.Classify(err), "template rejected: %v", err)

	_, err = c.Instant(ctx, "sum(", time.Now())
	require.Equal(t, prometheus.Permanent, prometheus.Classify(err), fmt.Sprint(err))
	_ = os.Remove(bin)
}
