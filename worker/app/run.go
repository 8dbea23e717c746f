package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/worker/devserver"
	"github.com/tollgate-dev/tollgate/workflows"
)

// Run starts everything the configuration asks for and blocks until ctx ends, then shuts down
// in reverse order: HTTP, worker (letting steps in flight finish), Temporal.
func Run(ctx context.Context, cfg config.Worker, logger *slog.Logger) error {
	embedded := cfg.Embedded()
	if embedded {
		srv, err := devserver.Start(devserver.Config{
			DataDir:          cfg.DataDir,
			IP:               cfg.DevIP,
			FrontendPort:     cfg.DevTemporalPort,
			UIPort:           cfg.DevUIPort,
			Namespace:        cfg.Temporal.Namespace,
			SearchAttributes: SearchAttributes,
		}, logger)
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.Stop(); err != nil {
				logger.Warn("embedded Temporal stopped with an error", "error", err)
			}
		}()
		cfg.Temporal.Address = srv.FrontendAddress
		logger.Info("embedded Temporal server started", "address", srv.FrontendAddress, "ui", srv.UIAddress, "data", cfg.DataDir)
	}

	opts, err := cfg.Temporal.ClientOptions(logger)
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, opts)
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	defer c.Close()
	// Also in dev mode: a data directory created by an older build lacks newer attributes.
	if err := ensureSearchAttributes(ctx, c, cfg.Temporal.Namespace, logger); err != nil {
		return err
	}

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory %s (TOLLGATE_DATA_DIR): %w", cfg.DataDir, err)
	}
	dbPath := filepath.Join(cfg.DataDir, "tollgate.db")
	st, err := store.OpenSQLite(dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	auditTrail, err := openAudit(cfg, embedded, dbPath, logger)
	if err != nil {
		return err
	}
	defer auditTrail.Close()

	script := &deploy.Script{Dir: cfg.RunbookDir, BaseEnv: deploy.DefaultEnv()}
	acts := &activities.Activities{
		Store:    st,
		Deployer: script,
		// Strategies' traffic operations run the spec's commands like runbook steps.
		Traffic: script,
		HTTP:    &http.Client{},
		Logger:  logger,
		Audit:   auditTrail,
		Governance: activities.GovernanceConfig{
			CalendarPath: cfg.CalendarPath, DirectoryPath: cfg.DirectoryPath,
			PoliciesPath: cfg.PoliciesPath, RiskPath: cfg.RiskPath,
		},
		Artifacts: artifacts.New(artifacts.Options{BaseDir: cfg.RunbookDir}),
		// Collected evidence is stored by digest; only the digest travels through history.
		EvidenceStore: activities.DirEvidenceStore{Dir: filepath.Join(cfg.DataDir, "evidence")},
	}
	if err := wireMetrics(acts, cfg.PrometheusURL, logger); err != nil {
		return err
	}
	if err := wirePostDeploy(acts, cfg, embedded, logger); err != nil {
		return err
	}
	var slackResponsePrefix string
	if cfg.Integrations.Demo {
		stopDemo, prefix, err := startDemoIntegrations(&cfg.Integrations, cfg.DataDir, embedded, logger)
		if err != nil {
			return err
		}
		defer stopDemo()
		slackResponsePrefix = prefix
	}
	slackClient := wireSlack(acts, cfg.Integrations, slackResponsePrefix)
	if err := wireITSM(acts, cfg.Integrations); err != nil {
		return err
	}
	// Without Jira, change requests are change records in the store (`tollgate change show`).
	acts.Jira.Local = activities.LocalChanges{Store: st}
	w := worker.New(c, workflows.TaskQueue, worker.Options{WorkerStopTimeout: 30 * time.Second})
	Register(w, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	logger.Info("worker polling", "taskQueue", workflows.TaskQueue, "namespace", cfg.Temporal.Namespace)

	ctl := &control.Client{Temporal: c}
	ready := func() error {
		hctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := c.CheckHealth(hctx, &client.CheckHealthRequest{})
		return err
	}
	tokens, err := web.ParseTokens(cfg.APITokens)
	if err != nil {
		return err
	}
	api := http.NewServeMux()
	api.Handle("/", web.Handler(ctl, ready, logger))
	api.Handle("POST /api/releases/{id}/actions/{action}", web.Controls(ctl, tokens, logger))
	handler, drain, err := withIntegrations(api, cfg, ctl, ReleasesWithSource(ctl, st), slackClient, logger)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{Addr: cfg.HTTPAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP address %s (TOLLGATE_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	go func() {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("HTTP server stopped", "error", err)
		}
	}()
	logger.Info("HTTP API listening", "url", "http://"+ln.Addr().String()+"/api/releases")

	<-ctx.Done()
	logger.Info("shutting down: steps in flight finish first")
	shutCtx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	httpErr := httpSrv.Shutdown(shutCtx)
	// Clicks and deliveries already answered are applied while the Temporal client is still
	// open (it closes in a deferred call above); what does not finish in time is reported.
	drainCtx, cancel3 := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel3()
	if err := drain(drainCtx); err != nil {
		logger.Error("acknowledged controls abandoned at shutdown", "error", err)
		return errors.Join(httpErr, err)
	}
	return httpErr
}

// drainTimeout bounds how long shutdown waits for acknowledged Slack controls and GitHub
// deliveries; with the HTTP server's 10 s it stays inside a 30 s termination grace period.
const drainTimeout = 15 * time.Second

// ensureSearchAttributes registers Tollgate's search attributes on an external cluster when
// they are missing; clusters that refuse (Temporal Cloud manages them itself) get a warning.
func ensureSearchAttributes(ctx context.Context, c client.Client, namespace string, logger *slog.Logger) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		logger.Warn("cannot list search attributes; register them by hand (see README)", "error", err)
		return nil
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range SearchAttributes {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		logger.Warn("cannot add search attributes; register them by hand (see README)", "error", err)
	}
	return nil
}
