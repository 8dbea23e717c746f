package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/tollgate-dev/tollgate/governance"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

// Controller is what the Slack endpoints need from the control client.
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
}

// Slack serves Slack's interactivity and slash-command requests. It verifies the signature over
// the raw body before parsing anything, acknowledges at once and applies the control in the
// background; Slack's retries of a request it already took are acknowledged and dropped.
type Slack struct {
	o        SlackOptions
	replays  *seen
	bodies   *seen
	inflight sync.WaitGroup
}

// NewSlack builds the Slack endpoints.
func NewSlack(o SlackOptions) *Slack {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	// Entries live a little longer than the skew window: past it the timestamp check refuses.
	return &Slack{o: o, replays: newSeen(2 * SlackMaxSkew), bodies: newSeen(2 * SlackMaxSkew)}
}

// Wait blocks until the controls in flight are applied (shutdown and tests).
func (s *Slack) Wait() { s.inflight.Wait() }

// Mount adds POST /slack/interactivity and POST /slack/commands to mux.
func (s *Slack) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/interactivity", s.serve(s.interaction))
	mux.HandleFunc("POST /slack/commands", s.serve(s.command))
}

// serve reads the capped raw body, verifies it, refuses replays, drops retries and hands the
// form to next, which answers at once and returns the work to do in the background.
func (s *Slack) serve(next func(w http.ResponseWriter, form url.Values) func(context.Context)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSlackBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "body larger than 1 MiB")
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
		work := next(w, form)
		if work == nil {
			return
		}
		s.inflight.Add(1)
		go func() {
			defer s.inflight.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			work(ctx)
		}()
	}
}

func (s *Slack) interaction(w http.ResponseWriter, form url.Values) func(context.Context) {
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		writeError(w, http.StatusBadRequest, "payload: "+err.Error())
		return nil
	}
	w.WriteHeader(http.StatusOK) // an empty 200 also closes a submitted modal
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil
		}
		act := cb.ActionCallback.BlockActions[0]
		return func(ctx context.Context) { s.blockAction(ctx, cb, act.ActionID, act.Value) }
	case slackapi.InteractionTypeViewSubmission:
		if cb.View.CallbackID != tgslack.CallbackReason {
			return nil
		}
		return func(ctx context.Context) { s.reasonSubmitted(ctx, cb) }
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

func (s *Slack) blockAction(ctx context.Context, cb slackapi.InteractionCallback, action, releaseID string) {
	switch action {
	case tgslack.ActionApprove:
		s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateApprove, "approved in Slack")
	case tgslack.ActionResume:
		s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateResume, "resumed in Slack")
	case tgslack.ActionAcknowledgeHandoff:
		// The workflow's validator checks the clicker is in the support group.
		if actor, ok := s.apply(ctx, cb.User.ID, cb.ResponseURL, releaseID, workflows.UpdateAcknowledgeHandoff, "acknowledged in Slack"); ok {
			s.markAcknowledged(ctx, cb, releaseID, actor)
		}
	case tgslack.ActionDetails:
		st, err := s.o.Control.Status(ctx, releaseID)
		s.respond(ctx, cb.ResponseURL, statusText(releaseID, st, err))
	default:
		ra, ok := reasonActions[action]
		if !ok {
			return
		}
		err := s.o.Slack.OpenReasonModal(ctx, cb.TriggerID, tgslack.ReasonModal{
			Action: action, ReleaseID: releaseID, Title: ra.title, Prompt: ra.prompt, ResponseURL: cb.ResponseURL,
		})
		if err != nil {
			s.o.Logger.Warn("slack reason modal not opened", "release", releaseID, "error", err)
			s.respond(ctx, cb.ResponseURL, "Tollgate could not open the reason dialog; use /tollgate "+strings.TrimPrefix(action, "tollgate_")+" "+releaseID+" REASON")
		}
	}
}

func (s *Slack) reasonSubmitted(ctx context.Context, cb slackapi.InteractionCallback) {
	parts := strings.SplitN(cb.View.PrivateMetadata, "|", 3)
	if len(parts) != 3 {
		return
	}
	ra, ok := reasonActions[parts[0]]
	if !ok {
		return
	}
	reason := cb.View.State.Values[tgslack.ReasonBlock][tgslack.ReasonInput].Value
	s.apply(ctx, cb.User.ID, parts[2], parts[1], ra.update, reason)
}

// apply resolves the clicker and sends the update; the workflow's validator decides, and its
// refusal goes back to the clicker alone. It returns the actor and whether the update was taken.
func (s *Slack) apply(ctx context.Context, userID, responseURL, releaseID, update, reason string) (string, bool) {
	actor, err := s.identity(ctx, userID)
	if err == nil {
		_, err = s.o.Control.Control(ctx, releaseID, update, workflows.Request{Actor: actor, Reason: reason})
	}
	if err != nil {
		s.o.Logger.Info("slack control refused", "release", releaseID, "update", update, "user", userID, "error", err)
		s.respond(ctx, responseURL, "Refused: "+err.Error())
		return "", false
	}
	s.o.Logger.Info("slack control applied", "release", releaseID, "update", update, "actor", actor)
	// Approvals and acknowledgements show in their updated messages; the rest are answered.
	if update != workflows.UpdateApprove && update != workflows.UpdateAcknowledgeHandoff {
		s.respond(ctx, responseURL, fmt.Sprintf("%s: %s accepted", releaseID, update))
	}
	return actor, true
}

// markAcknowledged turns the clicked handoff message into "acknowledged by X at T", with the
// workflow's record of who and when when it can be read. The message is the one clicked, or
// else the one carrying the handoff key in the clicked channel.
func (s *Slack) markAcknowledged(ctx context.Context, cb slackapi.InteractionCallback, releaseID, actor string) {
	by, at := actor, s.o.Now()
	if st, err := s.o.Control.Status(ctx, releaseID); err == nil && st.Handoff != nil && st.Handoff.Acknowledged != nil {
		by, at = st.Handoff.Acknowledged.Actor, st.Handoff.Acknowledged.Time
	}
	channel, ts := cb.Channel.ID, cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	var err error
	if ts == "" {
		ts, err = s.o.Slack.Find(ctx, channel, tgslack.HandoffKey(releaseID))
	}
	if err == nil && ts == "" {
		err = errors.New("handoff message not found")
	}
	if err == nil {
		var msg tgslack.Message
		if msg, err = tgslack.HandoffAcknowledged(releaseID, cb.Message.Blocks.BlockSet, by, at); err == nil {
			err = s.o.Slack.Update(ctx, channel, ts, msg)
		}
	}
	if err != nil {
		// The acknowledgement stands; only its display is stale.
		s.o.Logger.Warn("slack handoff message not updated", "release", releaseID, "channel", channel, "error", err)
		s.respond(ctx, cb.ResponseURL, fmt.Sprintf("%s: handoff acknowledged by %s", releaseID, by))
	}
}

// identity maps a Slack user to a directory person: by their users.info email, then by their
// Slack ID. Without a directory the email itself is the identity.
func (s *Slack) identity(ctx context.Context, userID string) (string, error) {
	email, err := s.o.Slack.UserEmail(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("cannot look up your Slack profile: %w", err)
	}
	if s.o.Directory == nil {
		if email == "" {
			return "", errors.New("your Slack profile has no email Tollgate could use")
		}
		return email, nil
	}
	for _, name := range []string{email, userID} {
		if p, _, ok := s.o.Directory.Resolve(name); ok {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("Slack user %s is not in the Tollgate directory", userID)
}

func (s *Slack) respond(ctx context.Context, responseURL, text string) {
	if responseURL == "" {
		return
	}
	if err := s.o.Slack.Respond(ctx, responseURL, text); err != nil {
		s.o.Logger.Warn("slack answer not delivered", "error", err)
	}
}

func statusText(releaseID string, st workflows.Status, err error) string {
	if err != nil {
		return "Release " + releaseID + ": " + err.Error()
	}
	text := fmt.Sprintf("Release %s (%s): phase %s", st.ReleaseID, st.Title, st.Phase)
	if st.Outcome != "" {
		text += ", outcome " + string(st.Outcome)
	}
	if st.Paused {
		text += ", paused"
	}
	text += fmt.Sprintf("; approvals %d of %d", len(st.Approval.Approved), st.Approval.Required)
	for _, wv := range st.Waves {
		text += "; wave " + wv.Name + " " + string(wv.State)
	}
	return text
}
