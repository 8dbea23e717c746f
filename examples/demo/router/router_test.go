package router

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	rt, err := Parse(strings.NewReader("# demo\nweight=20\ncolour=\ntrack.stable=a:1 b:2\ntrack.canary=c:3\n\n"))
	require.NoError(t, err)
	assert.Equal(t, Routes{Weight: 20, Tracks: map[string][]string{TrackStable: {"a:1", "b:2"}, TrackCanary: {"c:3"}}}, rt)
	for _, bad := range []string{"weight=101", "weight=x", "colour=red", "track.purple=a:1", "speed=3", "weight"} {
		_, err := Parse(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

func TestPickGivesTheCanaryExactlyItsWeight(t *testing.T) {
	for _, w := range []int{0, 1, 10, 20, 33, 50, 99, 100} {
		rt := Routes{Weight: w, Tracks: map[string][]string{TrackStable: {"s"}, TrackCanary: {"c"}}}
		for _, from := range []uint64{0, 7, 1234} {
			n := 0
			for i := from; i < from+100; i++ {
				if rt.Pick(i) == TrackCanary {
					n++
				}
			}
			assert.Equal(t, w, n, "weight %d from request %d", w, from)
		}
	}
	noCanary := Routes{Weight: 50, Tracks: map[string][]string{TrackStable: {"s"}}}
	assert.Equal(t, TrackStable, noCanary.Pick(1), "a canary without instances gets nothing")
	assert.Equal(t, Green, Routes{Weight: 50, Colour: Green}.Pick(1))
}

// backend answers with its name.
func backend(t *testing.T, name string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, name) }))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func writeRoutes(t *testing.T, path, text string) {
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(text), 0o600))
	require.NoError(t, os.Rename(tmp, path)) // as the runbook does: replaced, never edited
}

func TestRouterFollowsTheRoutesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "routes")
	r := httptest.NewServer(New(path))
	defer r.Close()
	resp, err := http.Get(r.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no routes file yet")

	stable, canary, green := backend(t, "stable"), backend(t, "canary"), backend(t, "green")
	count := func() map[string]int {
		got := map[string]int{}
		for range 100 {
			resp, err := http.Get(r.URL + "/")
			require.NoError(t, err)
			b := make([]byte, 16)
			n, _ := resp.Body.Read(b)
			resp.Body.Close()
			assert.Equal(t, string(b[:n]), resp.Header.Get("X-Demo-Track"))
			got[string(b[:n])]++
		}
		return got
	}
	writeRoutes(t, path, "weight=0\ntrack.stable="+stable+"\ntrack.canary="+canary+"\n")
	assert.Equal(t, map[string]int{"stable": 100}, count())
	writeRoutes(t, path, "weight=25\ntrack.stable="+stable+"\ntrack.canary="+canary+"\n")
	assert.Equal(t, map[string]int{"stable": 75, "canary": 25}, count(), "the next request after a change follows it")
	writeRoutes(t, path, "weight=25\ncolour=green\ntrack.green="+green+"\n")
	assert.Equal(t, map[string]int{"green": 100}, count())
	writeRoutes(t, path, "weight=25\ncolour=blue\ntrack.green="+green+"\n")
	resp, err = http.Get(r.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a colour without instances is an error, not a fallback")
}
