// Command tollgate-worker is Tollgate's long-running process: the Temporal worker, the HTTP
// API and, when TEMPORAL_ADDRESS is unset, an embedded Temporal server with its Web UI.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/worker/app"
)

func main() {
	cfg, err := config.WorkerFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tollgate-worker:", err)
		os.Exit(2)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "tollgate-worker: TOLLGATE_LOG_LEVEL=%q: want debug, info, warn or error\n", cfg.LogLevel)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, logger); err != nil {
		logger.Error("tollgate-worker stopped", "error", err)
		os.Exit(1)
	}
}
