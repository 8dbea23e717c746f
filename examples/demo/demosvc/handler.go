package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync/atomic"
	"time"
)

// Behaviours a demo service can be started with.
const (
	behaviourHealthy = "healthy"
	behaviourBroken  = "broken"
	behaviourSlow    = "slow"
)

// defaultSlowDelay is how long /healthz takes to answer when the behaviour is "slow". It is
// longer than the 1s maxLatency of the example smoke checks, so a slow service fails them.
const defaultSlowDelay = 2 * time.Second

// config describes one running demo service.
type config struct {
	Service   string
	Version   string
	Behaviour string
	// Environment labels the metrics (default from $ENVIRONMENT, which the runbook passes).
	Environment string
	// SlowDelay is the /healthz delay of the slow behaviour; zero means defaultSlowDelay.
	SlowDelay time.Duration
	// ErrorRate is the share of GET / answered 500 (0–1); /healthz and /version are unaffected,
	// so a bad canary passes its start-up checks and only its traffic shows the fault.
	ErrorRate float64
}

// validBehaviour reports whether b is a behaviour the service knows.
func validBehaviour(b string) bool {
	switch b {
	case behaviourHealthy, behaviourBroken, behaviourSlow:
		return true
	}
	return false
}

// newHandler returns the HTTP API of a demo service:
//
//	GET /healthz  200 "ok <service> <version>"; broken: 500 "unhealthy ..."; slow: 200 after a delay
//	GET /version  the plain version
//	GET /         JSON {"service", "version", "behaviour"}
//	GET /metrics  Prometheus metrics (metrics.go)
func newHandler(cfg config, logger *slog.Logger) http.Handler {
	delay := cfg.SlowDelay
	if delay <= 0 {
		delay = defaultSlowDelay
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch cfg.Behaviour {
		case behaviourBroken:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "unhealthy %s %s\n", cfg.Service, cfg.Version)
			return
		case behaviourSlow:
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return // the client gave up or the server is shutting down
			}
		}
		fmt.Fprintf(w, "ok %s %s\n", cfg.Service, cfg.Version)
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, cfg.Version)
	})
	var served atomic.Uint64
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Request n fails when ⌊(n+1)·rate⌋ > ⌊n·rate⌋: exactly the rate over any window.
		if n := float64(served.Add(1) - 1); math.Floor((n+1)*cfg.ErrorRate) > math.Floor(n*cfg.ErrorRate) {
			w.WriteHeader(http.StatusInternalServerError)
		}
		_ = json.NewEncoder(w).Encode(struct {
			Service   string `json:"service"`
			Version   string `json:"version"`
			Behaviour string `json:"behaviour"`
		}{cfg.Service, cfg.Version, cfg.Behaviour})
	})
	return logRequests(instrument(mux, cfg), logger)
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logRequests logs one line per request with its status and duration.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration", time.Since(start),
		)
	})
}
