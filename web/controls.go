package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

// maxControlBody bounds a control request's JSON body.
const maxControlBody = 64 << 10

// webActions are the updates the web API forwards; anything else is refused before Temporal.
var webActions = map[string]bool{
	workflows.UpdateApprove: true, workflows.UpdateReject: true, workflows.UpdatePause: true,
	workflows.UpdateResume: true, workflows.UpdateRollback: true, workflows.UpdateRecheck: true,
	workflows.UpdateWaive: true, workflows.UpdateGrantException: true, workflows.UpdateAcknowledgeHandoff: true,
}

// Tokens maps API tokens to the identity each one acts as. The identity of a web control comes
// from its token, never from the request body, so nobody acts under someone else's name.
type Tokens struct {
	byDigest map[[sha256.Size]byte]string
}

// ParseTokens reads "identity:token" pairs separated by commas (TOLLGATE_API_TOKENS). Only the
// tokens' digests are kept.
func ParseTokens(spec string) (Tokens, error) {
	t := Tokens{byDigest: map[[sha256.Size]byte]string{}}
	for _, pair := range strings.Split(spec, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		who, token, ok := strings.Cut(pair, ":")
		if !ok || strings.TrimSpace(who) == "" || len(token) < 16 {
			return Tokens{}, fmt.Errorf("TOLLGATE_API_TOKENS: entry %d: want identity:token with a token of at least 16 characters", len(t.byDigest)+1)
		}
		t.byDigest[sha256.Sum256([]byte(token))] = strings.TrimSpace(who)
	}
	return t, nil
}

// identity returns who the bearer token belongs to. Comparing digests in constant time keeps
// the lookup from leaking how much of a token matched.
func (t Tokens) identity(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return "", false
	}
	d := sha256.Sum256([]byte(token))
	for k, who := range t.byDigest {
		if subtle.ConstantTimeCompare(k[:], d[:]) == 1 {
			return who, true
		}
	}
	return "", false
}

// controlBody is what a web control may carry besides its action; the actor is the token's.
type controlBody struct {
	Reason    string `json:"reason"`
	Criterion string `json:"criterion"`
	Freeze    string `json:"freeze"`
	// ExpiresIn is a grant-exception's lifetime, e.g. "12h".
	ExpiresIn string `json:"expiresIn"`
}

// Controls serves POST /api/releases/{id}/actions/{action}: the web's way to approve, reject,
// pause, resume, roll back, recheck, waive, grant an exception or acknowledge a handoff. The
// workflow's validator decides; a refusal comes back as 409 with its reason. A request with an
// Idempotency-Key header (at most 64 printable ASCII characters) repeated with the same key by
// the same token for the same action gets the first request's answer (apiUpdateID).
func Controls(ctl Controller, tokens Tokens, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(tokens.byDigest) == 0 {
			writeError(w, http.StatusForbidden, "web controls are disabled: set TOLLGATE_API_TOKENS (identity:token pairs)")
			return
		}
		actor, ok := tokens.identity(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tollgate"`)
			writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
			return
		}
		id, action := r.PathValue("id"), r.PathValue("action")
		if !webActions[action] {
			writeError(w, http.StatusNotFound, fmt.Sprintf("unknown action %q", action))
			return
		}
		var body controlBody
		if err := decodeBody(r, &body); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		req := workflows.Request{Actor: actor, Reason: body.Reason, Criterion: body.Criterion, Freeze: body.Freeze}
		if body.ExpiresIn != "" {
			d, err := time.ParseDuration(body.ExpiresIn)
			if err != nil || d <= 0 {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("expiresIn %q: want a positive duration such as 12h", body.ExpiresIn))
				return
			}
			req.Expires = time.Now().Add(d).UTC()
		}
		updateID, err := apiUpdateID(r.Header.Get("Idempotency-Key"), actor, action)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx := r.Context()
		if updateID != "" {
			ctx = control.WithUpdateID(ctx, updateID)
		}
		resp, err := ctl.Control(ctx, id, action, req)
		switch {
		case errors.Is(err, control.ErrNotFound):
			writeError(w, http.StatusNotFound, err.Error())
		case errors.Is(err, control.ErrRefused):
			writeError(w, http.StatusConflict, err.Error())
		case err != nil:
			logger.ErrorContext(r.Context(), "web control", "release", id, "action", action, "error", err)
			writeError(w, http.StatusBadGateway, err.Error())
		default:
			logger.InfoContext(r.Context(), "web control applied", "release", id, "action", action, "actor", actor)
			writeJSON(w, http.StatusOK, resp)
		}
	})
}

// MaxIdempotencyKey bounds an Idempotency-Key header.
const MaxIdempotencyKey = 64

// apiUpdateID turns an Idempotency-Key header into the control's Update ID: a client that repeats
// a request with the same key (after a timeout, on another replica, after a restart) gets the
// first outcome instead of acting twice. The key is scoped by a digest of the token's identity
// and the action, so two clients choosing the same key, or one reusing a key for another action,
// never collide. No header, no key: every request acts.
func apiUpdateID(key, actor, action string) (string, error) {
	if key == "" {
		return "", nil
	}
	if len(key) > MaxIdempotencyKey {
		return "", fmt.Errorf("Idempotency-Key: at most %d characters, got %d", MaxIdempotencyKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", fmt.Errorf("Idempotency-Key: printable ASCII only (byte %d is 0x%02x)", i, key[i])
		}
	}
	scope := sha256.Sum256([]byte(actor + "\x00" + action))
	return "api-" + key + "-" + hex.EncodeToString(scope[:6]), nil
}

func decodeBody(r *http.Request, into *controlBody) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	if err != nil {
		return fmt.Errorf("reading body: %w", err)
	}
	if len(data) > maxControlBody {
		return fmt.Errorf("body larger than %d bytes", maxControlBody)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}
