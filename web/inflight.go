package web

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// backgroundBudget bounds one piece of work done after the response (Slack's response_url
// answers within 30 minutes, but a person waits for the answer).
const backgroundBudget = time.Minute

// inflight runs the work endpoints acknowledged before doing it, and drains it on shutdown: a
// click answered 200 is applied before the process exits, or counted as abandoned.
type inflight struct {
	what string // "slack control", "github delivery": names the work in errors

	mu      sync.Mutex
	closing bool
	n       int
	wg      sync.WaitGroup
	base    context.Context
	abandon context.CancelFunc
}

func newInflight(what string) *inflight {
	base, cancel := context.WithCancel(context.Background())
	return &inflight{what: what, base: base, abandon: cancel}
}

// goWork runs work in the background with its own budget, detached from the request; false
// means shutdown has begun and the work was not started.
func (f *inflight) goWork(work func(ctx context.Context)) bool {
	f.mu.Lock()
	if f.closing {
		f.mu.Unlock()
		return false
	}
	f.n++
	f.wg.Add(1)
	f.mu.Unlock()
	go func() {
		defer f.done()
		ctx, cancel := context.WithTimeout(f.base, backgroundBudget)
		defer cancel()
		work(ctx)
	}()
	return true
}

// accepting reports whether new work is still taken: false once shutdown has begun, so an
// endpoint answers 503 (and the sender retries elsewhere) instead of acknowledging work it drops.
func (f *inflight) accepting() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.closing
}

func (f *inflight) done() {
	f.mu.Lock()
	f.n--
	f.mu.Unlock()
	f.wg.Done()
}

// wait blocks until the work in flight is done (tests).
func (f *inflight) wait() { f.wg.Wait() }

// shutdown refuses new work and waits for the work in flight until ctx ends; then it cancels
// what is left and reports how much was abandoned.
func (f *inflight) shutdown(ctx context.Context) error {
	f.mu.Lock()
	f.closing = true
	f.mu.Unlock()
	drained := make(chan struct{})
	go func() { f.wg.Wait(); close(drained) }()
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
	}
	f.mu.Lock()
	n := f.n
	f.mu.Unlock()
	f.abandon() // the work left sees its context end and stops where it is
	return fmt.Errorf("%d %s(s) acknowledged but not finished at shutdown: %w", n, f.what, ctx.Err())
}
