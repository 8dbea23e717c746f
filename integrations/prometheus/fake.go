package prometheus

import (
	"context"
	"math"
	"sync"
	"time"
)

// Fake is an in-memory Provider: series by query, recorded calls and injected faults.
type Fake struct {
	mu     sync.Mutex
	series map[string][]float64 // query → values; Range returns them cut or padded to the grid
	faults []fakeFault
	calls  []string
}

type fakeFault struct {
	query     string // "" matches every query
	err       error
	remaining int // < 0: always
}

// NewFake returns a fake without series: every query is ErrNoData until Set.
func NewFake() *Fake { return &Fake{series: map[string][]float64{}} }

// Set makes query return values (Range: the last values that fit the grid; Instant: the last).
func (f *Fake) Set(query string, values []float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.series[query] = append([]float64(nil), values...)
}

// Fail makes the next n queries matching query ("" for all) fail with err (n < 0: always).
// Wrap err in *Error to choose its class.
func (f *Fake) Fail(n int, query string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fakeFault{query: query, err: err, remaining: n})
}

// Calls returns the queries received, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *Fake) lookup(query string) ([]float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, query)
	for i := range f.faults {
		ft := &f.faults[i]
		if ft.remaining != 0 && (ft.query == "" || ft.query == query) {
			if ft.remaining > 0 {
				ft.remaining--
			}
			return nil, ft.err
		}
	}
	v, ok := f.series[query]
	if !ok || len(v) == 0 {
		return nil, &Error{Class: Inconclusive, Query: query, Err: ErrNoData}
	}
	return v, nil
}

// Range returns the series' last values on the grid, NaN-padded at the front when short.
func (f *Fake) Range(ctx context.Context, query string, start, end time.Time, step time.Duration) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := f.lookup(query)
	if err != nil {
		return nil, err
	}
	n := int(end.Sub(start)/step) + 1
	out := make([]float64, n)
	for i := range out {
		if j := len(v) - n + i; j >= 0 {
			out[i] = v[j]
		} else {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// Instant returns the series' last value.
func (f *Fake) Instant(ctx context.Context, query string, _ time.Time) (float64, error) {
	if err := ctx.Err(); err != nil {
		return math.NaN(), err
	}
	v, err := f.lookup(query)
	if err != nil {
		return math.NaN(), err
	}
	return v[len(v)-1], nil
}
