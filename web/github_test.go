package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGitHubWebhookVerifiesAndDeduplicates(t *testing.T) {
	var mu sync.Mutex
	var got []string
	g := NewGitHub(GitHubOptions{Secret: githubDocSecret, OnEvent: func(_ context.Context, ev GitHubEvent) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Event+" "+ev.Delivery+" "+string(ev.Body))
	}})
	mux := http.NewServeMux()
	g.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(sig, delivery, body string) int {
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
	assert.Equal(t, http.StatusAccepted, post(githubDocSig, "d-1", githubDocPayload))
	assert.Equal(t, http.StatusOK, post(githubDocSig, "d-1", githubDocPayload), "a redelivery is acknowledged")
	assert.Equal(t, http.StatusUnauthorized, post(githubDocSig, "d-2", flipLast(githubDocPayload)))
	assert.Equal(t, http.StatusUnauthorized, post("", "d-3", githubDocPayload))
	g.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"check_run d-1 Hello, World!"}, got, "each delivery acts once; forged ones never")
}
