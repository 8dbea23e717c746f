package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	tests := []struct {
		name        string
		behaviour   string
		method      string
		path        string
		wantStatus  int
		wantBody    string // exact body, unless empty
		wantMinTime time.Duration
	}{
		{name: "healthy healthz", behaviour: "healthy", path: "/healthz", wantStatus: 200, wantBody: "ok catalog 2.0.0\n"},
		{name: "broken healthz", behaviour: "broken", path: "/healthz", wantStatus: 500, wantBody: "unhealthy catalog 2.0.0\n"},
		{name: "slow healthz", behaviour: "slow", path: "/healthz", wantStatus: 200, wantBody: "ok catalog 2.0.0\n", wantMinTime: 50 * time.Millisecond},
		{name: "healthy version", behaviour: "healthy", path: "/version", wantStatus: 200, wantBody: "2.0.0\n"},
		{name: "broken version still answers", behaviour: "broken", path: "/version", wantStatus: 200, wantBody: "2.0.0\n"},
		{name: "slow version is fast", behaviour: "slow", path: "/version", wantStatus: 200, wantBody: "2.0.0\n"},
		{name: "unknown path", behaviour: "healthy", path: "/nope", wantStatus: 404},
		{name: "wrong method", behaviour: "healthy", method: http.MethodPost, path: "/version", wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(config{Service: "catalog", Version: "2.0.0", Behaviour: tt.behaviour, SlowDelay: 50 * time.Millisecond}, discard)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequest(method, tt.path, nil))
			elapsed := time.Since(start)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", rec.Body.String(), tt.wantBody)
			}
			if elapsed < tt.wantMinTime {
				t.Errorf("answered after %v, want at least %v", elapsed, tt.wantMinTime)
			}
		})
	}
}

func TestHandlerRootJSON(t *testing.T) {
	for _, b := range []string{"healthy", "broken", "slow"} {
		t.Run(b, func(t *testing.T) {
			h := newHandler(config{Service: "cart", Version: "1.2.3", Behaviour: b}, slog.New(slog.DiscardHandler))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			want := map[string]string{"service": "cart", "version": "1.2.3", "behaviour": b}
			if len(got) != len(want) {
				t.Errorf("got %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestSlowHealthzStopsWhenClientGoesAway(t *testing.T) {
	h := newHandler(config{Service: "s", Version: "v", Behaviour: "slow", SlowDelay: time.Hour}, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	_, err := client.Get(srv.URL + "/healthz")
	if err == nil {
		t.Fatal("slow /healthz answered before the client timeout")
	}
	// srv.Close waits for the handler: it must return promptly rather than sleep for an hour.
}

func TestHandlerOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newHandler(config{Service: "ledger", Version: "3.1.0", Behaviour: "broken"}, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.HasPrefix(string(body), "unhealthy ledger 3.1.0") {
		t.Errorf("got %d %q, want 500 unhealthy", resp.StatusCode, body)
	}
}
