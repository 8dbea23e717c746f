package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/integrations/retry"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

// Controller is what the Slack endpoints need from the control client. An idempotency key set
// with control.WithUpdateID on ctx makes a resent control return the first one's outcome.
type Controller interface {
	Control(ctx context.Context, releaseID, update string, req workflows.Request) (workflows.Response, error)
	Status(ctx context.Context, releaseID string) (workflows.Status, error)
}

// SlackOptions configure the Slack endpoints.
type SlackOptions struct {
	// SigningSecret verifies every request (TOLLGATE_SLACK_SIGNING_SECRET).
	SigningSecret string
	Slack         tgslack.Messenger
	// Directory turns a Slack user (their users.info email, or their Slack ID) into a person.
	Directory *governance.Directory
	Control   Controller
	Logger    *slog.Logger
	// Now is the clock signatures are checked against; nil means time.Now.
	Now func() time.Time
	// Retry retries the click path's own Slack calls (users.info, views.open, response_url),
	// whose failure a person would otherwise see; the zero value makes 3 attempts from 250 ms,
	// honouring Retry-After, classified by tgslack.Classify.
	Retry retry.Policy
}

// Slack serves Slack's interactivity and slash-command requests. It verifies the signature over
// the raw body before parsing anything, acknowledges at once and applies the control in the
// background; Slack's retries of a request it already took are acknowledged and dropped.
type Slack struct {
	o       SlackOptions
	replays *seen
	bodies  *seen
	work    *inflight
	emails  *emailCache
}

// NewSlack builds the Slack endpoints.
func NewSlack(o SlackOptions) *Slack {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Retry.Classify == nil {
		o.Retry.Classify = tgslack.Classify
	}
	// Entries live a little longer than the skew window: past it the timestamp check refuses.
	return &Slack{o: o, replays: newSeen(2 * SlackMaxSkew), bodies: newSeen(2 * SlackMaxSkew),
		work: newInflight("slack control"), emails: newEmailCache(emailCacheTTL)}
}

// Wait blocks until the controls in flight are applied (tests).
func (s *Slack) Wait() { s.work.wait() }

// Shutdown stops taking controls and waits, until ctx ends, for those acknowledged but not yet
// applied; it reports how many were abandoned. Call it after the HTTP server's Shutdown and
// before the Temporal client closes.
func (s *Slack) Shutdown(ctx context.Context) error { return s.work.shutdown(ctx) }

// Mount adds POST /slack/interactivity and POST /slack/commands to mux.
func (s *Slack) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/interactivity", s.serve(s.interaction))
	mux.HandleFunc("POST /slack/commands", s.serve(s.command))
}

// serve reads the capped raw body, verifies it, refuses replays, drops retries of a request
// with work under way and hands the form to next, which answers at once and returns the work to
// do in the background (nil when its answer was the whole reply). The work
// carries the body's digest as its Update ID: a resend of the same body that reaches another
// replica, or this one after a restart, gets the first outcome from Temporal instead of acting
// twice. A work that could not reach Slack or Temporal forgets the body, so a resend is acted on.
func (s *Slack) serve(next func(w http.ResponseWriter, form url.Values) func(context.Context) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSlackBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, "body larger than 1 MiB")
				return
			}
			writeError(w, http.StatusBadRequest, "reading body: "+err.Error())
			return
		}
		now := s.o.Now()
		if err := VerifySlack([]byte(s.o.SigningSecret), r.Header, body, now); err != nil {
			s.o.Logger.Warn("slack request refused", "error", err)
			writeError(w, http.StatusUnauthorized, "slack signature: "+err.Error())
			return
		}
		if !s.replays.add(r.Header.Get("X-Slack-Signature"), now) {
			writeError(w, http.StatusUnauthorized, "slack signature: "+ErrReplay.Error())
			return
		}
		sum := sha256.Sum256(body)
		if !s.bodies.add(string(sum[:]), now) {
			// Slack's retry (new timestamp, same body): acknowledged, already being acted on.
			w.WriteHeader(http.StatusOK)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeError(w, http.StatusBadRequest, "form body: "+err.Error())
			return
		}
		if !s.work.accepting() {
			s.bodies.forget(string(sum[:]))
			writeError(w, http.StatusServiceUnavailable, "Tollgate is restarting; try again")
			return
		}
		work := next(w, form)
		if work == nil {
			// Answered in full already (usage text, a modal's validation errors): Slack resends
			// only when that answer did not reach it, so its retry is answered again, not dropped.
			s.bodies.forget(string(sum[:]))
			return
		}
		updateID := "slack-" + hex.EncodeToString(sum[:]) // SlackUpdateID(body), hashed once
		started := s.work.goWork(func(ctx context.Context) {
			if err := work(control.WithUpdateID(ctx, updateID)); err != nil {
				s.bodies.forget(string(sum[:]))
			}
		})
		if !started {
			s.o.Logger.Error("slack control acknowledged during shutdown and not applied", "updateId", updateID)
		}
	}
}

// SlackUpdateID is the Update ID of the control a Slack request asks for: "slack-" and the hex
// SHA-256 of the raw body. Slack resends a request with the same body (only the timestamp and
// signature headers change), and every click, submission or command carries its own trigger_id,
// so two requests share an ID exactly when they are the same request.
func SlackUpdateID(body []byte) string {
	sum := sha256.Sum256(body)
	return "slack-" + hex.EncodeToString(sum[:])
}

func (s *Slack) interaction(w http.ResponseWriter, form url.Values) func(context.Context) error {
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		writeError(w, http.StatusBadRequest, "payload: "+err.Error())
		return nil
	}
	if cb.Type == slackapi.InteractionTypeViewSubmission && cb.View.CallbackID == tgslack.CallbackException {
		return s.exceptionSubmitted(w, cb) // answers itself: a bad lifetime keeps the modal open
	}
	w.WriteHeader(http.StatusOK) // an empty 200 also closes a submitted modal
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil
		}
		act := cb.ActionCallback.BlockActions[0]
		return func(ctx context.Context) error { return s.blockAction(ctx, cb, act.ActionID, act.Value) }
	case slackapi.InteractionTypeViewSubmission:
		if cb.View.CallbackID != tgslack.CallbackReason {
			return nil
		}
		return func(ctx context.Context) error { return s.reasonSubmitted(ctx, cb) }
	}
	return nil
}

// reasonActions need a reason, asked in a modal; the modal carries the action, the release and
// the response_url to answer through.
var reasonActions = map[string]struct{ update, title, prompt string }{
	tgslack.ActionReject:   {workflows.UpdateReject, "Reject release", "Why do you reject this release?"},
	tgslack.ActionPause:    {workflows.UpdatePause, "Pause release", "Why pause?"},
	tgslack.ActionRollback: {workflows.UpdateRollback, "Roll back release", "Why roll back? (recorded in the audit trail)"},
}

// blockAction handles a button; its error is a failure to reach Slack or Temporal (already told
// to the clicker), never a refusal.
func (s *Slack) blockAction(ctx context.Context, cb slackapi.InteractionCallback, action, releaseID string) error {
	switch action {
	case tgslack.ActionApprove:
		_, err := s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateApprove, "approved in Slack")
		return err
	case tgslack.ActionResume:
		_, err := s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateResume, "resumed in Slack")
		return err
	case tgslack.ActionAcknowledgeHandoff:
		// The workflow's validator checks the clicker is in the support group.
		actor, err := s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateAcknowledgeHandoff, "acknowledged in Slack")
		if err == nil && actor != "" {
			s.markAcknowledged(ctx, cb, releaseID, actor)
		}
		return err
	case tgslack.ActionGrantException:
		s.grantExceptionClicked(ctx, cb, releaseID)
		return nil
	case tgslack.ActionDetails:
		st, err := s.o.Control.Status(ctx, releaseID)
		s.respond(ctx, cb.ResponseURL, statusText(releaseID, st, err))
		return nil
	}
	ra, ok := reasonActions[action]
	if !ok {
		return nil
	}
	// A trigger_id is good for 3 s after the click: retries past that would only fail.
	mctx, cancel := context.WithTimeout(ctx, triggerLifetime)
	defer cancel()
	err := s.o.Retry.Do(mctx, func(ctx context.Context) error {
		return s.o.Slack.OpenReasonModal(ctx, cb.TriggerID, tgslack.ReasonModal{
			Action: action, ReleaseID: releaseID, Title: ra.title, Prompt: ra.prompt, ResponseURL: cb.ResponseURL,
		})
	})
	if err != nil {
		s.o.Logger.Warn("slack reason modal not opened", "release", releaseID, "error", err)
		s.respond(ctx, cb.ResponseURL, "Tollgate could not open the reason dialog; use /tollgate "+strings.TrimPrefix(action, "tollgate_")+" "+releaseID+" REASON")
	}
	return nil
}

func (s *Slack) reasonSubmitted(ctx context.Context, cb slackapi.InteractionCallback) error {
	parts := strings.SplitN(cb.View.PrivateMetadata, "|", 3)
	if len(parts) != 3 {
		return nil
	}
	ra, ok := reasonActions[parts[0]]
	if !ok {
		return nil
	}
	reason := cb.View.State.Values[tgslack.ReasonBlock][tgslack.ReasonInput].Value
	_, err := s.apply(ctx, cb.User.ID, parts[2], parts[1], ra.update, reason)
	return err
}

// apply resolves the clicker and sends the update; the workflow's validator decides, and its
// refusal goes back to the clicker alone. It returns the actor when the update was taken ("" when
// refused) and an error only when Slack or Temporal could not be reached, which the clicker is
// told to retry.
func (s *Slack) apply(ctx context.Context, userID, responseURL, releaseID, update, reason string) (string, error) {
	return s.applyRequest(ctx, userID, responseURL, releaseID, update, workflows.Request{Reason: reason})
}

// applyRequest is apply for a request with more than a reason (a freeze exception); its Actor
// is the resolved clicker.
func (s *Slack) applyRequest(ctx context.Context, userID, responseURL, releaseID, update string, req workflows.Request) (string, error) {
	actor, err := s.identity(ctx, userID)
	if err == nil {
		req.Actor = actor
		_, err = s.o.Control.Control(ctx, releaseID, update, req)
		err = temporalFailure(err)
	}
	var down *unreachableError
	switch {
	case errors.As(err, &down):
		s.o.Logger.Warn("slack control not applied", "release", releaseID, "update", update, "user", userID, "error", err)
		s.respond(ctx, responseURL, err.Error())
		return "", err
	case err != nil:
		s.o.Logger.Info("slack control refused", "release", releaseID, "update", update, "user", userID, "error", err)
		s.respond(ctx, responseURL, refusalText(err))
		return "", nil
	}
	s.o.Logger.Info("slack control applied", "release", releaseID, "update", update, "actor", actor)
	// Approvals and acknowledgements show in their updated messages; the rest are answered.
	if update != workflows.UpdateApprove && update != workflows.UpdateAcknowledgeHandoff {
		s.respond(ctx, responseURL, fmt.Sprintf("%s: %s accepted", releaseID, update))
	}
	return actor, nil
}
