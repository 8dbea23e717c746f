package faults

import (
	"slices"
	"sync"
)

// Recorder keeps the calls a fake served, in order; a fake embeds it, so tests read Calls.
type Recorder struct {
	mu    sync.Mutex
	calls []string
}

// Record adds one call ("GET /rest/api/2/issue/CHG-1", "chat.postMessage").
func (r *Recorder) Record(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

// Calls returns the calls recorded so far, oldest first.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}
