// Package web serves Tollgate's HTTP surface: /healthz and the JSON API over releases.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

// Releases is what the API needs from the control client.
type Releases interface {
	List(ctx context.Context, limit int) ([]control.Summary, error)
	Status(ctx context.Context, releaseID string) (workflows.Status, error)
}

// Handler returns the HTTP handler. Ready reports whether the worker is connected.
func Handler(rel Releases, ready func() error, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /api/releases", func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				writeError(w, http.StatusBadRequest, "limit: want a number from 1 to 1000")
				return
			}
			limit = n
		}
		list, err := rel.List(r.Context(), limit)
		if err != nil {
			logger.ErrorContext(r.Context(), "list releases", "error", err)
			writeError(w, http.StatusBadGateway, "listing releases failed: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"releases": list})
	})
	mux.HandleFunc("GET /api/releases/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		st, err := rel.Status(r.Context(), id)
		if err != nil {
			if errors.Is(err, control.ErrNotFound) {
				writeError(w, http.StatusNotFound, err.Error())
				return
			}
			logger.ErrorContext(r.Context(), "release status", "release", id, "error", err)
			writeError(w, http.StatusBadGateway, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(v); err != nil && !errors.Is(err, http.ErrHandlerTimeout) {
		slog.Default().Debug("write response", "error", err)
	}
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
