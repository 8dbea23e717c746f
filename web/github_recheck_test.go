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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/workflows"
)

// recheckRecorder is a Controller that records rechecks and refuses a second one per release,
// as the workflow's validator does.
type recheckRecorder struct {
	mu  sync.Mutex
	got map[string][]workflows.Request
}

func (r *recheckRecorder) Control(_ context.Context, id, update string, req workflows.Request) (workflows.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if update != workflows.UpdateRecheck {
		return workflows.Response{}, errors.New("unexpected update " + update)
	}
	if len(r.got[id]) > 0 {
		return workflows.Response{}, errors.New("a recheck is already requested")
	}
	r.got[id] = append(r.got[id], req)
	return workflows.Response{}, nil
}

func (r *recheckRecorder) Status(context.Context, string) (workflows.Status, error) {
	return workflows.Status{}, nil
}

func (r *recheckRecorder) snapshot() map[string][]workflows.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]workflows.Request{}
	for k, v := range r.got {
		out[k] = append([]workflows.Request(nil), v...)
	}
	return out
}

func TestFinishedGitHubCheckRechecksTheBlockedReleaseOfThatCommit(t *testing.T) {
	const secret = "webhook-secret"
	ctl := &recheckRecorder{got: map[string][]workflows.Request{}}
	blocked := []BlockedRelease{{ID: "shop-1", Head: "abc123"}, {ID: "shop-2", Head: "def456"}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	onEvent := RecheckOnChecks(RecheckOptions{Control: ctl, Logger: quiet,
		Blocked: func(context.Context) ([]BlockedRelease, error) { return blocked, nil }})
	mux := http.NewServeMux()
	g := NewGitHub(GitHubOptions{Secret: secret, OnEvent: onEvent, Logger: quiet})
	g.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	deliver := func(delivery, event, body string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/github/webhook", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Hub-Signature-256", SignGitHub([]byte(secret), []byte(body)))
		req.Header.Set("X-GitHub-Delivery", delivery)
		req.Header.Set("X-GitHub-Event", event)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	// A running check and another commit's check change nothing.
	assert.Equal(t, http.StatusAccepted, deliver("d-1", "check_run", `{"action":"created","check_run":{"head_sha":"abc123","name":"build","status":"in_progress"}}`))
	assert.Equal(t, http.StatusAccepted, deliver("d-2", "status", `{"sha":"fff000","context":"ci/lint","state":"success"}`))
	// The build on shop-1's head finishes: shop-1 is rechecked, once, as "github".
	assert.Equal(t, http.StatusAccepted, deliver("d-3", "check_run", `{"action":"completed","check_run":{"head_sha":"abc123","name":"build","status":"completed","conclusion":"success"}}`))
	g.Wait()
	require.Len(t, ctl.snapshot()["shop-1"], 1)
	assert.Equal(t, http.StatusOK, deliver("d-3", "check_run", `{"action":"completed","check_run":{"head_sha":"abc123","name":"build","status":"completed","conclusion":"success"}}`), "a redelivery acts not")

	got := ctl.snapshot()
	assert.Equal(t, GitHubActor, got["shop-1"][0].Actor)
	assert.Equal(t, `GitHub check "build" finished success on abc123 (delivery d-3)`, got["shop-1"][0].Reason)
	assert.NotContains(t, got, "shop-2")
}
