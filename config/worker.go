package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Worker is the configuration of the long-running worker process.
type Worker struct {
	Temporal Temporal
	// DataDir holds the embedded server's and the store's SQLite files (TOLLGATE_DATA_DIR).
	DataDir string
	// HTTPAddr serves /healthz and the JSON API (TOLLGATE_HTTP_ADDR).
	HTTPAddr string
	// DevIP, DevTemporalPort and DevUIPort place the embedded server (TOLLGATE_DEV_IP,
	// TOLLGATE_TEMPORAL_PORT, TOLLGATE_UI_PORT; UI port 0 disables the UI).
	DevIP           string
	DevTemporalPort int
	DevUIPort       int
	// RunbookDir is the working directory of runbook steps (TOLLGATE_RUNBOOK_DIR).
	RunbookDir string
	// LogLevel is debug, info, warn or error (TOLLGATE_LOG_LEVEL).
	LogLevel string
	// Governance files: the freeze and window calendar (TOLLGATE_CALENDAR, default
	// DATA_DIR/calendar.yaml, absent = no freezes), the people directory (TOLLGATE_DIRECTORY),
	// the approval policies per risk class (TOLLGATE_POLICIES) and the risk model
	// (TOLLGATE_RISK_CONFIG); empty means the shipped defaults.
	CalendarPath, DirectoryPath, PoliciesPath, RiskPath string
	// AuditKeyPath is the installation's ed25519 key that signs audit checkpoints
	// (TOLLGATE_AUDIT_KEY, default DATA_DIR/audit.key; the embedded default creates it).
	AuditKeyPath string
	// PrometheusURL is the Prometheus that strategy analyses query (TOLLGATE_PROMETHEUS_URL).
	// Empty: no metrics provider, and every analysis fails closed.
	PrometheusURL string
	// APITokens are "identity:token" pairs for the web controls (TOLLGATE_API_TOKENS); each
	// token acts as its identity. Empty: the web API is read-only. Never logged.
	APITokens string
	// Integrations are Slack, GitHub and Jira (config/integrations.go); empty: the embedded
	// default (CLI and web approvals, change records in the store) serves alone.
	Integrations Integrations
	// ArchiveRetention is how long signed release archives are kept under DATA_DIR/archive
	// (TOLLGATE_ARCHIVE_RETENTION, a Go duration such as 2160h; 0 keeps them forever).
	ArchiveRetention time.Duration
}

// Embedded reports whether the worker runs its own Temporal server.
func (w Worker) Embedded() bool { return w.Temporal.Address == "" }

// WorkerFromEnv reads the worker configuration with its defaults.
func WorkerFromEnv() (Worker, error) {
	w := Worker{
		Temporal:   TemporalFromEnv(),
		DataDir:    envOr("TOLLGATE_DATA_DIR", ".tollgate"),
		HTTPAddr:   envOr("TOLLGATE_HTTP_ADDR", "127.0.0.1:8080"),
		DevIP:      envOr("TOLLGATE_DEV_IP", "127.0.0.1"),
		RunbookDir: envOr("TOLLGATE_RUNBOOK_DIR", "."),
		LogLevel:   envOr("TOLLGATE_LOG_LEVEL", "info"),
	}
	w.CalendarPath = envOr("TOLLGATE_CALENDAR", filepath.Join(w.DataDir, "calendar.yaml"))
	w.DirectoryPath = os.Getenv("TOLLGATE_DIRECTORY")
	w.PoliciesPath = os.Getenv("TOLLGATE_POLICIES")
	w.RiskPath = os.Getenv("TOLLGATE_RISK_CONFIG")
	// No default: a gate must never judge against a Prometheus nobody configured.
	w.PrometheusURL = os.Getenv("TOLLGATE_PROMETHEUS_URL")
	w.Integrations = integrationsFromEnv()
	w.APITokens = os.Getenv("TOLLGATE_API_TOKENS")
	w.AuditKeyPath = envOr("TOLLGATE_AUDIT_KEY", filepath.Join(w.DataDir, "audit.key"))
	var err error
	if w.ArchiveRetention, err = time.ParseDuration(envOr("TOLLGATE_ARCHIVE_RETENTION", "2160h")); err != nil || w.ArchiveRetention < 0 {
		return w, fmt.Errorf("TOLLGATE_ARCHIVE_RETENTION=%q: want a duration such as 2160h (0 keeps archives forever)", os.Getenv("TOLLGATE_ARCHIVE_RETENTION"))
	}
	if w.DevTemporalPort, err = envInt("TOLLGATE_TEMPORAL_PORT", 7233); err != nil {
		return w, err
	}
	if w.DevUIPort, err = envInt("TOLLGATE_UI_PORT", 8233); err != nil {
		return w, err
	}
	return w, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%s=%q: want a port number", name, v)
	}
	return n, nil
}
