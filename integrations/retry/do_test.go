package retry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// errClass is an error that says its own class, for the table below.
type errClass struct {
	cls   Class
	after time.Duration
}

func (e errClass) Error() string { return "failed" }

func classify(err error) (Class, time.Duration) {
	var e errClass
	if errors.As(err, &e) {
		return e.cls, e.after
	}
	return Transient, 0
}

func TestPolicyDo(t *testing.T) {
	transient, permanent := errClass{cls: Transient}, errClass{cls: Permanent}
	limited := errClass{cls: RateLimited, after: 300 * time.Millisecond}
	tests := []struct {
		name      string
		fails     []error // fn fails with these, in order, then succeeds
		wantErr   bool
		wantCalls int
		wantWaits []time.Duration
	}{
		{"first call succeeds", nil, false, 1, nil},
		{"transient failures back off and succeed", []error{transient, transient}, false, 3, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"a permanent failure is not retried", []error{permanent}, true, 1, nil},
		{"a rate limit waits what the server asked", []error{limited}, false, 2, []time.Duration{300 * time.Millisecond}},
		{"attempts run out", []error{transient, transient, transient, transient, transient}, true, 5, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}},
		{"a Retry-After beyond Max ends the retries", []error{errClass{cls: RateLimited, after: time.Hour}}, true, 1, nil},
		{"backoff is capped by Max", []error{transient, transient, transient, transient}, false, 5, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var waits []time.Duration
			p := Policy{Attempts: 5, Base: 100 * time.Millisecond, Max: 400 * time.Millisecond, Classify: classify,
				Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			calls := 0
			err := p.Do(context.Background(), func(context.Context) error {
				calls++
				if calls <= len(tt.fails) {
					return tt.fails[calls-1]
				}
				return nil
			})
			assert.Equal(t, tt.wantErr, err != nil, "error %v", err)
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantWaits, waits)
		})
	}
}

func TestPolicyDoKeepsWithinTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	slept := false
	p := Policy{Base: 2 * time.Minute, Max: time.Hour, Classify: classify, Sleep: func(context.Context, time.Duration) error { slept = true; return nil }}
	calls := 0
	err := p.Do(ctx, func(context.Context) error {
		calls++
		return errClass{cls: Transient}
	})
	assert.Error(t, err)
	assert.Equal(t, 1, calls, "a wait beyond the deadline is not started")
	assert.False(t, slept)

	cancelled, stop := context.WithCancel(context.Background())
	stop()
	assert.ErrorIs(t, Sleep(cancelled, time.Hour), context.Canceled, "the timer gives way to the context")
}
