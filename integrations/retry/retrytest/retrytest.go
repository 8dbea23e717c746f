// Package retrytest stands in for retry.Sleep in tests: waits are recorded, not slept.
package retrytest

import (
	"context"
	"sync"
	"time"
)

// Sleeps records each wait asked of it and returns at once. It is safe for concurrent use.
type Sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep has retry.Sleep's signature; pass it where a Sleep func is configurable.
func (s *Sleeps) Sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

// Waits returns a copy of the waits recorded so far, in order.
func (s *Sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}
