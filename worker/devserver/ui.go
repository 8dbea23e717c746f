package devserver

import (
	"fmt"
	"log/slog"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

type uiServer struct{ srv *uiserver.Server }

// startUI serves the Temporal Web UI (github.com/temporalio/ui-server) for the embedded server.
func startUI(cfg Config, frontend string, logger *slog.Logger) (*uiServer, error) {
	if err := portFree(cfg.IP, cfg.UIPort); err != nil {
		return nil, fmt.Errorf("web UI port: %w", err)
	}
	srv := uiserver.NewServer(server_options.WithConfigProvider(&uiconfig.Config{
		Host:                cfg.IP,
		Port:                cfg.UIPort,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    cfg.Namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
	}))
	go func() {
		if err := srv.Start(); err != nil {
			logger.Warn("Temporal Web UI stopped", "error", err)
		}
	}()
	return &uiServer{srv: srv}, nil
}

func (u *uiServer) stop() { u.srv.Stop() }
