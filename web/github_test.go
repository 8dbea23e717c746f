package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGitHubWebhookVerifiesAndDeduplicates(t *testing.T) {
	var mu sync.Mutex
	var got []string
	g := NewGitHub(GitHubOptions{Secret: githubDocSecret, OnEvent: func(_ context.Context, ev GitHubEvent) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Event+" "+ev.Delivery+" "+string(ev.Body))
		return nil
	}})
	post := githubPoster(t, g)
	assert.Equal(t, http.StatusAccepted, post(githubDocSig, "d-1", githubDocPayload))
	assert.Equal(t, http.StatusOK, post(githubDocSig, "d-1", githubDocPayload), "a redelivery is acknowledged")
	assert.Equal(t, http.StatusUnauthorized, post(githubDocSig, "d-2", flipLast(githubDocPayload)))
	assert.Equal(t, http.StatusUnauthorized, post("", "d-3", githubDocPayload))
	g.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"check_run d-1 Hello, World!"}, got, "each delivery acts once; forged ones never")
}

// githubPoster serves g and returns a function that posts one delivery to it.
func githubPoster(t *testing.T, g *GitHub) func(sig, delivery, body string) int {
	t.Helper()
	mux := http.NewServeMux()
	g.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return func(sig, delivery, body string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/github/webhook", strings.NewReader(body))
		require.NoError(t, err)
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		req.Header.Set("X-GitHub-Delivery", delivery)
		req.Header.Set("X-GitHub-Event", "check_run")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
}

func TestGitHubDeliveryThatFailedIsActedOnWhenRedelivered(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	g := NewGitHub(GitHubOptions{Secret: githubDocSecret, Logger: quietLog(), OnEvent: func(context.Context, GitHubEvent) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return errors.New("temporal: connection refused")
		}
		return nil
	}})
	post := githubPoster(t, g)
	require.Equal(t, http.StatusAccepted, post(githubDocSig, "d-1", githubDocPayload))
	g.Wait()
	assert.Equal(t, http.StatusAccepted, post(githubDocSig, "d-1", githubDocPayload), "the failed delivery is not remembered as seen")
	g.Wait()
	assert.Equal(t, http.StatusOK, post(githubDocSig, "d-1", githubDocPayload), "once handled, a redelivery is a duplicate")
	g.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 2, calls)
}

func TestGitHubShutdownReportsAbandonedDeliveries(t *testing.T) {
	release := make(chan struct{})
	g := NewGitHub(GitHubOptions{Secret: githubDocSecret, Logger: quietLog(), OnEvent: func(ctx context.Context, _ GitHubEvent) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	post := githubPoster(t, g)
	require.Equal(t, http.StatusAccepted, post(githubDocSig, "d-1", githubDocPayload))
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err := g.Shutdown(expired)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "1 github delivery(s) acknowledged but not finished")
	g.Wait() // the abandoned work saw its context end
	close(release)
	assert.Equal(t, http.StatusServiceUnavailable, post(githubDocSig, "d-2", githubDocPayload), "no new work once shutting down")
	assert.Equal(t, http.StatusServiceUnavailable, post(githubDocSig, "d-2", githubDocPayload), "and the refused delivery is not marked seen")
}

func TestGitHubBodyReadErrorIsNotCalledTooLarge(t *testing.T) {
	g := NewGitHub(GitHubOptions{Secret: githubDocSecret, Logger: quietLog()})
	mux := http.NewServeMux()
	g.Mount(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/github/webhook", iotest.ErrReader(errors.New("connection reset by peer"))))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "reading body: connection reset by peer")
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
