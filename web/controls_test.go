package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

// fakeController answers like the workflow's validators: bob may approve r1, nobody else.
type fakeController struct {
	got       []workflows.Request
	updateIDs []string
}

func (f *fakeController) Control(ctx context.Context, id, update string, req workflows.Request) (workflows.Response, error) {
	f.got = append(f.got, req)
	f.updateIDs = append(f.updateIDs, control.UpdateID(ctx))
	switch {
	case id != "r1":
		return workflows.Response{}, fmt.Errorf("release %q: %w", id, control.ErrNotFound)
	case req.Actor != "bob":
		return workflows.Response{}, &control.RefusedError{Update: update, ReleaseID: id, Reason: req.Actor + " is not an approver"}
	}
	return workflows.Response{Phase: workflows.PhaseApproval, Message: "approved by " + req.Actor}, nil
}

func (f *fakeController) Status(context.Context, string) (workflows.Status, error) {
	return workflows.Status{}, nil
}

func TestWebControlsActAsTheTokensIdentity(t *testing.T) {
	tokens, err := ParseTokens("bob:bob-token-0123456789, mallory:mallory-token-0123")
	require.NoError(t, err)
	ctl := &fakeController{}
	mux := http.NewServeMux()
	mux.Handle("POST /api/releases/{id}/actions/{action}", Controls(ctl, tokens, slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	post := func(path, token, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("/api/releases/r1/actions/approve", "bob-token-0123456789", `{"reason":"ok","actor":"alice"}`)
	assert.Equal(t, http.StatusBadRequest, code, "an actor in the body is refused: %s", body)
	code, body = post("/api/releases/r1/actions/approve", "bob-token-0123456789", `{"reason":"reviewed"}`)
	assert.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "approved by bob")
	require.NotEmpty(t, ctl.got)
	assert.Equal(t, "bob", ctl.got[len(ctl.got)-1].Actor, "the identity is the token's")

	code, body = post("/api/releases/r1/actions/approve", "mallory-token-0123", `{}`)
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, body, "mallory is not an approver")
	code, _ = post("/api/releases/r1/actions/approve", "", `{}`)
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = post("/api/releases/r1/actions/approve", "bob-token-0123456789x", `{}`)
	assert.Equal(t, http.StatusUnauthorized, code, "a token one byte off is refused")
	code, _ = post("/api/releases/r1/actions/terminate", "bob-token-0123456789", `{}`)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post("/api/releases/nope/actions/approve", "bob-token-0123456789", `{}`)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post("/api/releases/r1/actions/grant-exception", "bob-token-0123456789", `{"expiresIn":"soon"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = post("/api/releases/r1/actions/approve", "bob-token-0123456789", strings.Repeat(" ", maxControlBody+1))
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestWebControlsDisabledWithoutTokens(t *testing.T) {
	h := Controls(&fakeController{}, Tokens{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/releases/r1/actions/approve", nil))
	assert.Equal(t, http.StatusForbidden, rec.Code)
	_, err := ParseTokens("bob:short")
	assert.ErrorContains(t, err, "at least 16 characters")
}

func TestWebControlsIdempotencyKey(t *testing.T) {
	tokens, err := ParseTokens("bob:bob-token-0123456789, carol:carol-token-0123456")
	require.NoError(t, err)
	ctl := &fakeController{}
	mux := http.NewServeMux()
	mux.Handle("POST /api/releases/{id}/actions/{action}", Controls(ctl, tokens, slog.New(slog.NewTextHandler(io.Discard, nil))))
	post := func(token, action, key string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/releases/r1/actions/"+action, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusOK, post("bob-token-0123456789", "approve", "deploy-42"))
	require.Equal(t, http.StatusOK, post("bob-token-0123456789", "approve", "deploy-42"))
	post("carol-token-0123456", "approve", "deploy-42")
	require.Equal(t, http.StatusOK, post("bob-token-0123456789", "pause", "deploy-42"))
	require.Equal(t, http.StatusOK, post("bob-token-0123456789", "approve", ""))
	ids := ctl.updateIDs
	require.Len(t, ids, 5)
	assert.Regexp(t, `^api-deploy-42-[0-9a-f]{12}$`, ids[0])
	assert.Equal(t, ids[0], ids[1], "a repeated request carries the same Update ID: Temporal answers it once")
	assert.NotEqual(t, ids[0], ids[2], "another token's key never collides")
	assert.NotEqual(t, ids[0], ids[3], "nor the same key for another action")
	assert.Empty(t, ids[4], "without the header every request acts")

	for _, bad := range []string{strings.Repeat("k", MaxIdempotencyKey+1), "tab\tkey", "caf\u00e9"} {
		assert.Equal(t, http.StatusBadRequest, post("bob-token-0123456789", "approve", bad), "key %q", bad)
	}
	assert.Len(t, ctl.updateIDs, 5, "an invalid key sends nothing")
	assert.Equal(t, http.StatusOK, post("bob-token-0123456789", "approve", strings.Repeat("k", MaxIdempotencyKey)))
}
