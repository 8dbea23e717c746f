package faults

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mix draws n random faults and counts them by kind.
func mix(in *Injector, n int) map[string]int {
	kinds := map[string]int{}
	r := httptest.NewRequest(http.MethodPost, "/x", nil)
	for range n {
		f, ok := in.next(r)
		switch {
		case !ok:
			kinds["none"]++
		case f.Delay > 0:
			kinds["slow"]++
		case f.AfterCommit:
			kinds["after-commit"]++
		default:
			kinds[http.StatusText(f.Status)]++
		}
	}
	return kinds
}

func TestRandomMixIncludesSlowResponsesWhenAsked(t *testing.T) {
	plain := &Injector{}
	plain.SetRate(1, 42)
	assert.Zero(t, mix(plain, 200)["slow"], "without Slow the mix is unchanged")

	slow := &Injector{Slow: 3 * time.Second}
	slow.SetRate(1, 42)
	got := mix(slow, 200)
	assert.Positive(t, got["slow"])
	assert.Positive(t, got["after-commit"])
	assert.Positive(t, got[http.StatusText(http.StatusServiceUnavailable)])
	assert.Positive(t, got[http.StatusText(http.StatusTooManyRequests)])
	assert.Equal(t, 200, slow.Injected())
}

func TestScriptedDelayIsServedAfterTheWait(t *testing.T) {
	in := &Injector{}
	in.Push(Fault{Delay: time.Millisecond})
	srv := httptest.NewServer(in.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a delay alone answers normally")
	assert.Equal(t, 1, in.Injected())
}
