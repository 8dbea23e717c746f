// Package faults injects the failures real SaaS APIs produce into the integration fakes: 5xx,
// 429 with Retry-After, slow responses, and a crash after the remote already created the object
// (the request took effect, the caller saw an error). Scripted faults come first, then random
// ones at a configured rate from a seeded source, so a failing run can be reproduced.
package faults

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Fault is one injected failure.
type Fault struct {
	// Status is the HTTP status returned (500, 502, 429…); 0 with Delay only slows the call.
	Status int
	// RetryAfter is sent with a 429, in whole seconds as the APIs send it.
	RetryAfter time.Duration
	// Delay holds the response back before anything else happens.
	Delay time.Duration
	// AfterCommit lets the request take effect, then answers Status instead of the result.
	AfterCommit bool
}

// Injector decides, request by request, whether a fault happens. The zero value injects nothing.
type Injector struct {
	mu       sync.Mutex
	queue    []Fault
	rate     float64
	rng      *rand.Rand
	injected int
	// Mutating limits random faults to non-GET requests when true.
	Mutating bool
	// Slow, when set, adds responses held back this long (then answered normally) to the random
	// mix; set it beyond a client's timeout to exercise timeouts. Zero keeps the mix of 5xx, 429
	// and crash-after-commit, so seeded runs recorded before it reproduce.
	Slow time.Duration
}

// Push queues scripted faults; each hits the next request.
func (in *Injector) Push(f ...Fault) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.queue = append(in.queue, f...)
}

// SetRate makes a random fault hit the given share of requests, drawn from seed.
func (in *Injector) SetRate(rate float64, seed uint64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rate = rate
	in.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Injected counts the faults injected so far.
func (in *Injector) Injected() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.injected
}

func (in *Injector) next(r *http.Request) (Fault, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.queue) > 0 {
		f := in.queue[0]
		in.queue = in.queue[1:]
		in.injected++
		return f, true
	}
	if in.rng == nil || in.rate <= 0 || (in.Mutating && r.Method == http.MethodGet) || in.rng.Float64() >= in.rate {
		return Fault{}, false
	}
	in.injected++
	kinds := 3
	if in.Slow > 0 {
		kinds = 4
	}
	switch in.rng.IntN(kinds) {
	case 3:
		return Fault{Delay: in.Slow}, true
	case 0:
		return Fault{Status: http.StatusServiceUnavailable}, true
	case 1:
		return Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second}, true
	default:
		return Fault{Status: http.StatusBadGateway, AfterCommit: true}, true
	}
}

// Wrap applies the injector to a fake's handler.
func (in *Injector) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := in.next(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if f.Delay > 0 {
			// Read the body first: only then does the server notice a client that gave up, so
			// a timed-out call ends the wait instead of holding the fake open.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if f.AfterCommit {
			next.ServeHTTP(httptest.NewRecorder(), r) // the remote did it; the answer is lost
		}
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Seconds())))
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
	})
}
