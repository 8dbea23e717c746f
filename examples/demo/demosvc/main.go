// Command demosvc is the toy HTTP service that Tollgate's demo releases deploy. One binary plays
// every service of the demo: its name, version and behaviour come from flags.
//
//	demosvc --service catalog --version 2.0.0 --addr 127.0.0.1:18211 --behaviour healthy
//	demosvc --probe http://127.0.0.1:18211/version
//	demosvc --router .tollgate/demo/staging/search/routes --addr 127.0.0.1:18701 --load-rps 20
//
// --error-rate makes that share of GET / answer 500, so a canary can be made bad on purpose.
// In --router mode demosvc is the demo's weighted reverse proxy (examples/demo/router) in front
// of a service's instances, optionally sending itself --load-rps requests a second.
//
// The behaviour (healthy, broken or slow; default from $DEMO_BEHAVIOUR, else healthy) decides how
// /healthz answers, so a release can be made to fail its smoke checks on purpose. In --probe mode
// demosvc is a tiny HTTP client for examples/demo/runbook.sh: it GETs the URL, prints the body and
// exits non-zero on a transport error or a non-2xx status, so the runbook does not need curl.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tollgate-dev/tollgate/examples/demo/router"
)

// shutdownTimeout bounds how long in-flight requests may take after SIGTERM or SIGINT.
const shutdownTimeout = 5 * time.Second

// options are the parsed command line.
type options struct {
	config
	Addr         string
	PIDFile      string
	Probe        string
	ProbeTimeout time.Duration
	// Router is the routes file of router mode; LoadRPS its self-generated load.
	Router  string
	LoadRPS int
}

func main() {
	opts, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demosvc:", err)
		os.Exit(2)
	}
	if opts.Probe != "" {
		if err := probe(context.Background(), opts.Probe, opts.ProbeTimeout, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "demosvc: probe:", err)
			os.Exit(1)
		}
		return
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)).With(
		"service", opts.Service, "version", opts.Version, "behaviour", opts.Behaviour)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, opts, logger); err != nil {
		logger.Error("demosvc failed", "err", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line; getenv supplies DEMO_BEHAVIOUR.
func parseFlags(args []string, getenv func(string) string, output io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demosvc", flag.ContinueOnError)
	fs.SetOutput(output)
	defBehaviour := getenv("DEMO_BEHAVIOUR")
	if defBehaviour == "" {
		defBehaviour = behaviourHealthy
	}
	fs.StringVar(&o.Service, "service", "", "service name (required)")
	fs.StringVar(&o.Version, "version", "", "service version (required)")
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&o.Behaviour, "behaviour", defBehaviour, "healthy, broken or slow (default from $DEMO_BEHAVIOUR)")
	fs.StringVar(&o.Environment, "environment", getenv("ENVIRONMENT"), "environment label of the metrics (default from $ENVIRONMENT)")
	fs.StringVar(&o.PIDFile, "pidfile", "", "write the process ID to this file once listening")
	fs.StringVar(&o.Probe, "probe", "", "client mode: GET this URL, print the body, exit non-zero unless 2xx")
	fs.DurationVar(&o.ProbeTimeout, "probe-timeout", 3*time.Second, "timeout of --probe")
	fs.Float64Var(&o.ErrorRate, "error-rate", 0, "share of GET / answered 500, 0–1")
	fs.StringVar(&o.Router, "router", "", "router mode: proxy to the instances this routes file names")
	fs.IntVar(&o.LoadRPS, "load-rps", 0, "router mode: send GET / to itself this many times a second")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Probe != "" || o.Router != "" {
		return o, nil
	}
	if o.ErrorRate < 0 || o.ErrorRate > 1 {
		return o, fmt.Errorf("--error-rate %v: want a share between 0 and 1", o.ErrorRate)
	}
	if o.Service == "" || o.Version == "" {
		return o, errors.New("--service and --version are required")
	}
	if !validBehaviour(o.Behaviour) {
		return o, fmt.Errorf("unknown behaviour %q: want healthy, broken or slow", o.Behaviour)
	}
	return o, nil
}

// serve listens on opts.Addr and serves until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, opts options, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return err
	}
	if opts.PIDFile != "" {
		if err := writePIDFile(opts.PIDFile); err != nil {
			ln.Close()
			return err
		}
	}
	handler := newHandler(opts.config, logger)
	if opts.Router != "" {
		handler = router.New(opts.Router)
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go router.Load(lctx, &http.Client{Timeout: 5 * time.Second}, "http://"+ln.Addr().String()+"/", opts.LoadRPS)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "pid", os.Getpid())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// writePIDFile writes the current process ID atomically.
func writePIDFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pid-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(strconv.Itoa(os.Getpid()) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// probe GETs url and copies the body to out; a transport error or a non-2xx status is an error.
func probe(ctx context.Context, url string, timeout time.Duration, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if _, err := out.Write(body); err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
