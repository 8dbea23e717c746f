package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMetrics(t *testing.T) {
	h := newHandler(config{Service: "catalog", Version: "2.0.0", Behaviour: behaviourBroken, Environment: "staging"}, slog.New(slog.DiscardHandler))
	for _, path := range []string{"/healthz", "/healthz", "/version"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	labels := `environment="staging",service="catalog",version="2.0.0"`
	require.Contains(t, body, `http_requests_total{code="500",`+labels+`} 2`)
	require.Contains(t, body, `http_requests_total{code="200",`+labels+`} 1`)
	require.Contains(t, body, `http_request_duration_seconds_count{`+labels+`} 3`)
	require.Contains(t, body, `demosvc_build_info{behaviour="broken",`+labels+`} 1`)
	require.Contains(t, body, `http_requests_in_flight{`+labels+`} 0`)
}
