package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/control"
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
		return workflows.Response{}, &control.RefusedError{Update: update, ReleaseID: id, Reason: "a recheck is already requested"}
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

func TestFinishedGitHubCheckRechecksTheSourceReleaseOfThatCommit(t *testing.T) {
	const secret = "webhook-secret"
	ctl := &recheckRecorder{got: map[string][]workflows.Request{}}
	running := []SourceRelease{{ID: "shop-1", Head: "abc1234"}, {ID: "shop-2", Head: "def4567"}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	onEvent := RecheckOnChecks(RecheckOptions{Control: ctl, Logger: quiet,
		Releases: func(context.Context) ([]SourceRelease, error) { return running, nil }})
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
	assert.Equal(t, http.StatusAccepted, deliver("d-1", "check_run", `{"action":"created","check_run":{"head_sha":"abc1234","name":"build","status":"in_progress"}}`))
	assert.Equal(t, http.StatusAccepted, deliver("d-2", "status", `{"sha":"fff000","context":"ci/lint","state":"success"}`))
	// The build on shop-1's head finishes: shop-1 is rechecked, once, as "github".
	assert.Equal(t, http.StatusAccepted, deliver("d-3", "check_run", `{"action":"completed","check_run":{"head_sha":"abc1234","name":"build","status":"completed","conclusion":"success"}}`))
	g.Wait()
	require.Len(t, ctl.snapshot()["shop-1"], 1)
	assert.Equal(t, http.StatusOK, deliver("d-3", "check_run", `{"action":"completed","check_run":{"head_sha":"abc1234","name":"build","status":"completed","conclusion":"success"}}`), "a redelivery acts not")

	got := ctl.snapshot()
	assert.Equal(t, GitHubActor, got["shop-1"][0].Actor)
	assert.Equal(t, `GitHub check "build" finished success on abc1234 (delivery d-3)`, got["shop-1"][0].Reason)
	assert.NotContains(t, got, "shop-2")

	// GitHub names the full commit; shop-2's spec wrote it abbreviated, as people do.
	assert.Equal(t, http.StatusAccepted, deliver("d-4", "status", `{"sha":"def45670000000000000000000000000000000aa","context":"ci/test","state":"failure"}`))
	g.Wait()
	assert.Len(t, ctl.snapshot()["shop-2"], 1, "an abbreviated head names the commit")
}

// answerController answers every control with err and records the Update IDs it was sent.
type answerController struct {
	err       error
	updateIDs []string
}

func (a *answerController) Control(ctx context.Context, _, _ string, _ workflows.Request) (workflows.Response, error) {
	a.updateIDs = append(a.updateIDs, control.UpdateID(ctx))
	return workflows.Response{}, a.err
}

func (a *answerController) Status(context.Context, string) (workflows.Status, error) {
	return workflows.Status{}, nil
}

func TestRecheckFailsOnlyWhenNothingDecided(t *testing.T) {
	const completed = `{"action":"completed","check_run":{"head_sha":"abc1234","name":"build","status":"completed","conclusion":"success"}}`
	listed := func(context.Context) ([]SourceRelease, error) {
		return []SourceRelease{{ID: "shop-1", Head: "abc1234"}}, nil
	}
	tests := []struct {
		name     string
		releases func(context.Context) ([]SourceRelease, error)
		answer   error
		wantErr  string
	}{
		{"recheck requested", listed, nil, ""},
		{"refused by the validator", listed, &control.RefusedError{Update: workflows.UpdateRecheck, ReleaseID: "shop-1", Reason: "gate passed"}, ""},
		{"release gone", listed, fmt.Errorf("release %q: %w", "shop-1", control.ErrNotFound), ""},
		{"Temporal unreachable", listed, errors.New("dial tcp: connection refused"), `release "shop-1": recheck: dial tcp: connection refused`},
		{"running releases not listed", func(context.Context) ([]SourceRelease, error) { return nil, errors.New("visibility down") }, nil, "visibility down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctl := &answerController{err: tt.answer}
			onEvent := RecheckOnChecks(RecheckOptions{Control: ctl, Releases: tt.releases, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			err := onEvent(context.Background(), GitHubEvent{Event: "check_run", Delivery: "d-9", Body: []byte(completed)})
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
			if tt.wantErr != "visibility down" {
				assert.Equal(t, []string{GitHubUpdateID("d-9", "shop-1")}, ctl.updateIDs, "a redelivery on any replica rechecks once")
			}
		})
	}
	err := RecheckOnChecks(RecheckOptions{Control: &answerController{}, Releases: listed})(context.Background(), GitHubEvent{Event: "check_run", Delivery: "d-10", Body: []byte("{")})
	assert.NoError(t, err, "a payload not understood is not worth a redelivery")
}
