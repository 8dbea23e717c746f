package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
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
	// a minute); nil only logs it.
	OnEvent func(context.Context, GitHubEvent)
	Logger  *slog.Logger
}

// GitHub serves POST /github/webhook: signature over the raw body first, then delivery IDs
// deduplicated so a redelivery is acknowledged and not acted on twice.
type GitHub struct {
	o        GitHubOptions
	seen     *seen
	inflight sync.WaitGroup
}

// NewGitHub builds the webhook endpoint.
func NewGitHub(o GitHubOptions) *GitHub {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &GitHub{o: o, seen: newSeen(24 * time.Hour)}
}

// Wait returns once every delivery's OnEvent has finished (tests, graceful shutdown).
func (g *GitHub) Wait() { g.inflight.Wait() }

// Mount adds POST /github/webhook to mux.
func (g *GitHub) Mount(mux *http.ServeMux) { mux.HandleFunc("POST /github/webhook", g.serve) }

func (g *GitHub) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxGitHubBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body too large")
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
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	if g.o.OnEvent != nil {
		// GitHub wants its answer within 10 s; the handler's work must not hold the response.
		g.inflight.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			g.o.OnEvent(ctx, ev)
		})
		return
	}
	g.o.Logger.Info("github delivery", "event", ev.Event, "delivery", delivery)
}
