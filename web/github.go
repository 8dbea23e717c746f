package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// MaxGitHubBody caps a webhook delivery (GitHub caps payloads at 25 MB).
const MaxGitHubBody = 25 << 20

// GitHubEvent is a verified, first-seen webhook delivery.
type GitHubEvent struct {
	Event    string // X-GitHub-Event: check_run, status, deployment_status…
	Delivery string // X-GitHub-Delivery
	Body     []byte
}

// GitHubOptions configure the webhook endpoint.
type GitHubOptions struct {
	// Secret verifies X-Hub-Signature-256 (TOLLGATE_GITHUB_WEBHOOK_SECRET).
	Secret string
	// OnEvent receives each delivery once, in the background after the response (bounded by
	// a minute); nil only logs it. An error means the delivery was not acted on: it is
	// forgotten, so GitHub's redelivery (automatic or by hand) is acted on again.
	OnEvent func(context.Context, GitHubEvent) error
	Logger  *slog.Logger
}

// GitHub serves POST /github/webhook: signature over the raw body first, then delivery IDs
// deduplicated so a redelivery is acknowledged and not acted on twice.
type GitHub struct {
	o    GitHubOptions
	seen *seen
	work *inflight
}

// NewGitHub builds the webhook endpoint.
func NewGitHub(o GitHubOptions) *GitHub {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &GitHub{o: o, seen: newSeen(24 * time.Hour), work: newInflight("github delivery")}
}

// Wait returns once every delivery's OnEvent has finished (tests).
func (g *GitHub) Wait() { g.work.wait() }

// Shutdown stops taking deliveries and waits, until ctx ends, for those acknowledged but not yet
// handled; it reports how many were abandoned (GitHub can redeliver them).
func (g *GitHub) Shutdown(ctx context.Context) error { return g.work.shutdown(ctx) }

// Mount adds POST /github/webhook to mux.
func (g *GitHub) Mount(mux *http.ServeMux) { mux.HandleFunc("POST /github/webhook", g.serve) }

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxGitHubBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body larger than 25 MB")
			return
		}
		writeError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	if err := VerifyGitHub([]byte(g.o.Secret), r.Header, body); err != nil {
		g.o.Logger.Warn("github delivery refused", "error", err)
		writeError(w, http.StatusUnauthorized, "github signature: "+err.Error())
		return
	}
	delivery := r.Header.Get("X-GitHub-Delivery")
	if delivery == "" {
		writeError(w, http.StatusBadRequest, "missing X-GitHub-Delivery")
		return
	}
	if !g.seen.add(delivery, time.Now()) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "duplicate delivery " + delivery})
		return
	}
	ev := GitHubEvent{Event: r.Header.Get("X-GitHub-Event"), Delivery: delivery, Body: body}
	if g.o.OnEvent == nil {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
		g.o.Logger.Info("github delivery", "event", ev.Event, "delivery", delivery)
		return
	}
	// GitHub wants its answer within 10 s; the handler's work must not hold the response.
	started := g.work.goWork(func(ctx context.Context) {
		if err := g.o.OnEvent(ctx, ev); err != nil {
			g.seen.forget(delivery)
			g.o.Logger.Warn("github delivery not acted on; a redelivery will be", "delivery", delivery, "event", ev.Event, "error", err)
		}
	})
	if !started {
		g.seen.forget(delivery)
		writeError(w, http.StatusServiceUnavailable, "shutting down; redeliver")
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}
