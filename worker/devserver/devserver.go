// Package devserver runs the embedded default: a Temporal server inside the worker process,
// persisted in a SQLite file, with the Temporal Web UI beside it. Production points the worker
// at a real cluster instead (TEMPORAL_ADDRESS).
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Config says where the embedded server keeps its state and listens.
type Config struct {
	// DataDir holds temporal.db; created when missing.
	DataDir string
	// IP is the address every service binds to; loopback by default.
	IP string
	// FrontendPort is the gRPC port clients dial (the CLI defaults to 7233).
	FrontendPort int
	// UIPort serves the Temporal Web UI; 0 disables it.
	UIPort    int
	Namespace string
	// SearchAttributes are registered when the namespace is created.
	SearchAttributes map[string]enumspb.IndexedValueType
	// LogLevel of the server's own logs (default "error": its warnings about unused features
	// such as Nexus would drown the release output).
	LogLevel string
}

// Server is a running embedded Temporal server.
type Server struct {
	server temporal.Server
	ui     *uiServer
	// FrontendAddress is host:port for clients.
	FrontendAddress string
	// UIAddress is the Web UI's URL, empty when disabled.
	UIAddress string
}

// Start creates the schema and namespace on first use, then starts every Temporal service in
// this process. State survives restarts: a second Start on the same DataDir resumes it.
func Start(cfg Config, logger *slog.Logger) (*Server, error) {
	if cfg.IP == "" {
		cfg.IP = "127.0.0.1"
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "error"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded temporal: data directory %s: %w", cfg.DataDir, err)
	}
	if err := portFree(cfg.IP, cfg.FrontendPort); err != nil {
		return nil, fmt.Errorf("embedded temporal: frontend port: %w (set TOLLGATE_TEMPORAL_PORT or TEMPORAL_ADDRESS)", err)
	}
	dbPath := filepath.Join(cfg.DataDir, "temporal.db")
	conf, err := serverConfig(cfg, dbPath)
	if err != nil {
		return nil, err
	}
	sqlConf := conf.Persistence.DataStores[sqliteplugin.PluginName].SQL
	if _, err := os.Stat(dbPath); errors.Is(err, os.ErrNotExist) {
		logger.Info("creating embedded Temporal database", "path", dbPath)
		if err := sqliteschema.SetupSchema(sqlConf); err != nil {
			return nil, fmt.Errorf("embedded temporal: schema: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(conf.ClusterMetadata.CurrentClusterName, cfg.Namespace, false, cfg.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: namespace %q: %w", cfg.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, ns); err != nil {
		return nil, fmt.Errorf("embedded temporal: namespace %q: %w", cfg.Namespace, err)
	}
	zl := log.NewZapLogger(log.BuildZapLogger(log.Config{Level: cfg.LogLevel, Format: "console", Stdout: false}))
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(zl),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// Custom search attributes registered at creation must be visible at once.
			dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): []dynamicconfig.ConstrainedValue{{Value: true}},
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("embedded temporal: start: %w", err)
	}
	s := &Server{server: srv, FrontendAddress: net.JoinHostPort(cfg.IP, strconv.Itoa(cfg.FrontendPort))}
	if cfg.UIPort != 0 {
		ui, err := startUI(cfg, s.FrontendAddress, logger)
		if err != nil {
			logger.Warn("Temporal Web UI not started", "error", err)
		} else {
			s.ui = ui
			s.UIAddress = "http://" + net.JoinHostPort(cfg.IP, strconv.Itoa(cfg.UIPort))
		}
	}
	return s, nil
}

// Stop shuts the UI and every Temporal service down.
func (s *Server) Stop() error {
	if s.ui != nil {
		s.ui.stop()
	}
	return s.server.Stop()
}

func serverConfig(cfg Config, dbPath string) (*config.Config, error) {
	// The services' ports follow the frontend's. Membership is recorded in the database, so a
	// restart on the same data directory must find its peers at the same addresses: with new
	// random ports it would wait for the dead ones until the join deadline and give up.
	ports := make([]int, 8)
	for i := 1; i < len(ports); i++ {
		ports[i] = cfg.FrontendPort + i
		if err := portFree(cfg.IP, ports[i]); err != nil {
			return nil, fmt.Errorf("embedded temporal: internal port (frontend port + %d): %w (set TOLLGATE_TEMPORAL_PORT)", i, err)
		}
	}
	metricsPort, err := freePorts(cfg.IP, 1)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	ports[0] = metricsPort[0]
	frontend := net.JoinHostPort(cfg.IP, strconv.Itoa(cfg.FrontendPort))
	service := func(grpc, membership int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: cfg.IP}}
	}
	sqlConf := config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":          "rwc",
			"_journal_mode": "wal",
			"_synchronous":  "normal",
		},
	}
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: cfg.IP},
			Metrics: &metrics.Config{Prometheus: &metrics.PrometheusConfig{
				ListenAddress: net.JoinHostPort(cfg.IP, strconv.Itoa(ports[0])), HandlerPath: "/metrics",
			}},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: &sqlConf}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(cfg.FrontendPort, ports[1]),
			"history":  service(ports[2], ports[3]),
			"matching": service(ports[4], ports[5]),
			"worker":   service(ports[6], ports[7]),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}

// freePorts asks the kernel for n distinct free ports, holding them all open until every one
// is chosen so none is handed out twice.
func freePorts(ip string, n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("no free port on %s: %w", ip, err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s:%d is in use: %w", ip, port, err)
	}
	return l.Close()
}

// WaitReady blocks until the frontend accepts connections or ctx ends.
func WaitReady(ctx context.Context, addr string) error {
	for {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("embedded temporal at %s not ready: %w", addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
