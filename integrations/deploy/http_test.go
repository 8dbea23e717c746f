package deploy

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func target(key string) Target {
	return Target{Key: key, Service: "ledger", Environment: "prod-eu"}
}

func newHTTP(url string) *HTTP {
	return &HTTP{BaseURL: url, Token: "s3cret-token", PollEvery: time.Millisecond, Client: &http.Client{Timeout: 5 * time.Second}}
}

func TestHTTPOperationsSetState(t *testing.T) {
	fs, srv := newFakeService(t)
	fs.wantToken = "s3cret-token"
	fs.slowPolls = 3
	h := newHTTP(srv.URL)
	ctx := context.Background()
	beats := 0
	_, err := h.Scale(ctx, ScaleOp{Target: target("r/prod-eu/ledger/start canary"), Track: "canary", Version: "2.0.0", Replicas: 2}, func() { beats++ })
	require.NoError(t, err)
	require.GreaterOrEqual(t, beats, 3, "progress is called at every poll so the activity heartbeats")
	_, err = h.SetWeight(ctx, WeightOp{Target: target("r/prod-eu/ledger/weight 25"), Weight: 25}, nil)
	require.NoError(t, err)
	_, err = h.Scale(ctx, ScaleOp{Target: target("r/prod-eu/ledger/batch 1"), Track: "stable", Version: "2.0.0", Batch: 1, From: 0, To: 2}, nil)
	require.NoError(t, err)
	st := fs.state("prod-eu/ledger")
	require.Equal(t, 25, st.Weight)
	require.Equal(t, []string{"2.0.0", "2.0.0"}, st.Tracks["canary"])
	require.Equal(t, []string{"2.0.0", "2.0.0"}, st.Tracks["stable"])
	obs, err := h.Observe(ctx, target(""))
	require.NoError(t, err)
	require.Equal(t, TargetState{Version: "2.0.0", Replicas: 2, Weight: 25}, obs)
	require.False(t, fs.badToken, "every request carries the bearer token")
	for _, r := range fs.requests {
		if r.Method == http.MethodPost {
			require.NotEmpty(t, r.Header.Get("Idempotency-Key"))
			require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		}
	}
}

func TestHTTPFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("retry with the same key after a crash applies once", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.crashAfter = 1
		h := newHTTP(srv.URL)
		op := WeightOp{Target: target("k1"), Weight: 10}
		_, err := h.SetWeight(ctx, op, nil)
		var retry *RetryableError
		require.ErrorAs(t, err, &retry)
		require.Equal(t, 500, retry.Status)
		_, err = h.SetWeight(ctx, op, nil)
		require.NoError(t, err)
		require.Equal(t, 1, fs.applied)
		require.Equal(t, 10, fs.state("prod-eu/ledger").Weight)
	})
	t.Run("503 on submit is retryable", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.fail5xx = 1
		_, err := newHTTP(srv.URL).SetWeight(ctx, WeightOp{Target: target("k"), Weight: 10}, nil)
		var retry *RetryableError
		require.ErrorAs(t, err, &retry)
		require.Equal(t, 503, retry.Status)
		require.Zero(t, fs.applied)
	})
	t.Run("429 carries Retry-After", func(t *testing.T) {
		_, srv := newFakeService(t)
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
		})
		srv.Config.Handler = mux
		_, err := newHTTP(srv.URL).SetWeight(ctx, WeightOp{Target: target("k"), Weight: 10}, nil)
		var retry *RetryableError
		require.ErrorAs(t, err, &retry)
		require.Equal(t, 7*time.Second, retry.RetryAfter)
		require.Contains(t, err.Error(), "slow down")
	})
	t.Run("transient poll failures are waited out", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.slowPolls = 1
		first := true
		_, err := newHTTP(srv.URL).SetWeight(ctx, WeightOp{Target: target("k"), Weight: 40}, func() {
			if first { // after the submit: the next polls are throttled, then fail once
				first = false
				fs.mu.Lock()
				fs.throttle, fs.fail5xx = 2, 1
				fs.mu.Unlock()
			}
		})
		require.NoError(t, err)
		require.Equal(t, 40, fs.state("prod-eu/ledger").Weight)
		require.Equal(t, 1, fs.applied)
	})
	t.Run("polls give up after MaxPollErrors", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.slowPolls = 100
		h := newHTTP(srv.URL)
		h.MaxPollErrors = 2
		calls := 0
		_, err := h.SetWeight(ctx, WeightOp{Target: target("k"), Weight: 40}, func() {
			calls++
			if calls == 2 {
				fs.mu.Lock()
				fs.fail5xx = 10
				fs.mu.Unlock()
			}
		})
		var retry *RetryableError
		require.ErrorAs(t, err, &retry)
	})
	t.Run("bad input is permanent", func(t *testing.T) {
		_, srv := newFakeService(t)
		_, err := newHTTP(srv.URL).SetWeight(ctx, WeightOp{Target: target("k"), Weight: 150}, nil)
		var perm *PermanentError
		require.ErrorAs(t, err, &perm)
		require.Equal(t, 422, perm.Status)
	})
	t.Run("missing key is refused before sending", func(t *testing.T) {
		fs, srv := newFakeService(t)
		_, err := newHTTP(srv.URL).SetWeight(ctx, WeightOp{Target: target(""), Weight: 5}, nil)
		var perm *PermanentError
		require.ErrorAs(t, err, &perm)
		require.Empty(t, fs.requests)
	})
	t.Run("failed operation is a step error", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.failOp = true
		_, err := newHTTP(srv.URL).SwitchColour(ctx, ColourOp{Target: target("k"), Colour: "green"}, nil)
		var stepErr *StepError
		require.ErrorAs(t, err, &stepErr)
		require.Contains(t, err.Error(), "target rejected")
	})
	t.Run("unreachable is retryable and hides the token", func(t *testing.T) {
		h := newHTTP("http://127.0.0.1:1")
		_, err := h.SetWeight(ctx, WeightOp{Target: target("k"), Weight: 5}, nil)
		var retry *RetryableError
		require.ErrorAs(t, err, &retry)
		require.NotContains(t, err.Error(), "s3cret-token")
	})
	t.Run("cancelled while polling", func(t *testing.T) {
		fs, srv := newFakeService(t)
		fs.slowPolls = 1 << 30
		cctx, cancel := context.WithCancel(ctx)
		_, err := newHTTP(srv.URL).SetWeight(cctx, WeightOp{Target: target("k"), Weight: 5}, func() { cancel() })
		require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	require.Equal(t, 3*time.Second, retryAfter("3", now))
	require.Equal(t, 90*time.Second, retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	require.Zero(t, retryAfter("soon", now))
	require.Zero(t, retryAfter("", now))
}
