package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name          string
		args          []string
		env           map[string]string
		wantErr       string
		wantBehaviour string
	}{
		{name: "defaults to healthy", args: []string{"--service", "a", "--version", "1"}, wantBehaviour: "healthy"},
		{name: "flag", args: []string{"--service", "a", "--version", "1", "--behaviour", "slow"}, wantBehaviour: "slow"},
		{name: "env", args: []string{"--service", "a", "--version", "1"}, env: map[string]string{"DEMO_BEHAVIOUR": "broken"}, wantBehaviour: "broken"},
		{name: "flag beats env", args: []string{"--service", "a", "--version", "1", "--behaviour", "healthy"}, env: map[string]string{"DEMO_BEHAVIOUR": "broken"}, wantBehaviour: "healthy"},
		{name: "unknown behaviour", args: []string{"--service", "a", "--version", "1", "--behaviour", "flaky"}, wantErr: "unknown behaviour"},
		{name: "bad env behaviour", args: []string{"--service", "a", "--version", "1"}, env: map[string]string{"DEMO_BEHAVIOUR": "flaky"}, wantErr: "unknown behaviour"},
		{name: "missing service", args: []string{"--version", "1"}, wantErr: "required"},
		{name: "missing version", args: []string{"--service", "a"}, wantErr: "required"},
		{name: "stray argument", args: []string{"--service", "a", "--version", "1", "extra"}, wantErr: "unexpected"},
		{name: "probe needs nothing else", args: []string{"--probe", "http://x/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBehaviour != "" && o.Behaviour != tt.wantBehaviour {
				t.Errorf("behaviour = %q, want %q", o.Behaviour, tt.wantBehaviour)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(newHandler(config{Service: "s", Version: "9.9.9", Behaviour: "broken"}, slog.New(slog.DiscardHandler)))
	defer srv.Close()
	tests := []struct {
		name     string
		url      string
		wantErr  bool
		wantBody string
	}{
		{name: "2xx prints body", url: srv.URL + "/version", wantBody: "9.9.9\n"},
		{name: "5xx prints body and fails", url: srv.URL + "/healthz", wantErr: true, wantBody: "unhealthy s 9.9.9\n"},
		{name: "404 fails", url: srv.URL + "/missing", wantErr: true},
		{name: "connection refused fails", url: "http://" + closedAddr(t) + "/version", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := probe(context.Background(), tt.url, 2*time.Second, &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantBody != "" && out.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", out.String(), tt.wantBody)
			}
		})
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServeWritesPIDFileAndShutsDown(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	addr := closedAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	opts := options{config: config{Service: "s", Version: "1.0.0", Behaviour: "healthy"}, Addr: addr, PIDFile: pidFile}
	go func() { done <- serve(ctx, opts, slog.New(slog.DiscardHandler)) }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/version")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("pid file = %q, want %d", got, os.Getpid())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
}

func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	opts := options{config: config{Service: "s", Version: "1", Behaviour: "healthy"}, Addr: ln.Addr().String()}
	if err := serve(context.Background(), opts, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("serve on a busy port succeeded")
	}
}
