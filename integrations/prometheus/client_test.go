package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
)

// promAPI serves the Prometheus HTTP API shape: /api/v1/query_range and /api/v1/query.
func promAPI(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(handle))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{Address: srv.URL})
	require.NoError(t, err)
	return c
}

func matrix(w http.ResponseWriter, series ...[][2]any) {
	var result []map[string]any
	for i, values := range series {
		result = append(result, map[string]any{"metric": map[string]string{"i": fmt.Sprint(i)}, "values": values})
	}
	if result == nil {
		result = []map[string]any{}
	}
	writeProm(w, 200, map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}})
}

func writeProm(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

var t0 = time.Unix(1_700_000_000, 0)

func TestClientRangeAlignsAndMarks(t *testing.T) {
	var gotQuery, gotStep string
	c := promAPI(t, func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/v1/query_range", r.URL.Path)
		require.NoError(t, r.ParseForm())
		gotQuery, gotStep = r.Form.Get("query"), r.Form.Get("step")
		// Points at 0s, 20s (gap at 10s), 30s as NaN, 40s as +Inf.
		matrix(w, [][2]any{{t0.Unix(), "1"}, {t0.Unix() + 20, "3"}, {t0.Unix() + 30, "NaN"}, {t0.Unix() + 40, "+Inf"}})
	})
	v, err := c.Range(context.Background(), "up", t0, t0.Add(40*time.Second), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "up", gotQuery)
	require.Equal(t, "10", gotStep)
	require.Len(t, v, 5)
	require.Equal(t, 1.0, v[0])
	require.True(t, math.IsNaN(v[1]), "a gap is NaN")
	require.Equal(t, 3.0, v[2])
	require.True(t, math.IsNaN(v[3]))
	require.True(t, math.IsInf(v[4], 1), "±Inf is kept for the judge to call inconclusive")
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	end := t0.Add(time.Minute)
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		class  Class
		is     error
	}{
		{"bad query", func(w http.ResponseWriter, r *http.Request) {
			writeProm(w, 400, map[string]any{"status": "error", "errorType": "bad_data", "error": "parse error at char 5"})
		}, Permanent, nil},
		{"server error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 503) }, Retryable, nil},
		{"throttled", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "slow down", 429) }, Retryable, nil},
		{"forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 403) }, Permanent, nil},
		{"execution timeout", func(w http.ResponseWriter, r *http.Request) {
			writeProm(w, 503, map[string]any{"status": "error", "errorType": "timeout", "error": "query timed out"})
		}, Retryable, nil},
		{"no series", func(w http.ResponseWriter, r *http.Request) { matrix(w) }, Inconclusive, ErrNoData},
		{"two series", func(w http.ResponseWriter, r *http.Request) {
			matrix(w, [][2]any{{end.Unix(), "1"}}, [][2]any{{end.Unix(), "2"}})
		}, Permanent, nil},
		{"stale", func(w http.ResponseWriter, r *http.Request) { matrix(w, [][2]any{{t0.Unix(), "1"}}) }, Inconclusive, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := promAPI(t, tc.handle)
			_, err := c.Range(ctx, "q", t0, end, 10*time.Second)
			require.Error(t, err)
			require.Equal(t, tc.class, Classify(err), "%v", err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		c, err := NewClient(Config{Address: "http://127.0.0.1:1"})
		require.NoError(t, err)
		_, err = c.Instant(ctx, "up", t0)
		require.Equal(t, Retryable, Classify(err))
	})
	t.Run("stale error names the age", func(t *testing.T) {
		c := promAPI(t, func(w http.ResponseWriter, r *http.Request) { matrix(w, [][2]any{{t0.Unix(), "1"}}) })
		_, err := c.Range(ctx, "q", t0, end, 10*time.Second)
		var stale *StaleError
		require.ErrorAs(t, err, &stale)
		require.Equal(t, time.Minute, stale.End.Sub(stale.Newest))
	})
}

func TestClientInstant(t *testing.T) {
	c := promAPI(t, func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/v1/query", r.URL.Path)
		writeProm(w, 200, map[string]any{"status": "success", "data": map[string]any{"resultType": "vector",
			"result": []map[string]any{{"metric": map[string]string{}, "value": []any{t0.Unix(), "0.25"}}}}})
	})
	v, err := c.Instant(context.Background(), "x", t0)
	require.NoError(t, err)
	require.Equal(t, 0.25, v)
}

func TestRenderEscapesLabelValues(t *testing.T) {
	q, err := Render(QueryErrorRate, nil, Params{Service: "ledger", Version: "2.0.0", Environment: "prod", Window: 2 * time.Minute})
	require.NoError(t, err)
	require.Equal(t, `sum(rate(http_requests_total{service="ledger",version="2.0.0",environment="prod",code=~"5.."}[2m]))`+
		` / sum(rate(http_requests_total{service="ledger",version="2.0.0",environment="prod"}[2m]))`, q)

	evil := `x"} or vector(1) or up{a="`
	q, err = Render(QueryThroughput, nil, Params{Service: evil, Version: `a\b`, Environment: "e"})
	require.NoError(t, err)
	require.Contains(t, q, `service="x\"} or vector(1) or up{a=\""`)
	require.Contains(t, q, `version="a\\b"`)

	q, err = Render("queue", map[string]string{"queue": `max(q{s="{{.Service}}"})`}, Params{Service: "s"})
	require.NoError(t, err)
	require.Equal(t, `max(q{s="s"})`, q)
	_, err = Render("nope", nil, Params{})
	require.Equal(t, Permanent, Classify(err))
	_, err = Render("bad", map[string]string{"bad": "{{.Nope}}"}, Params{})
	require.Equal(t, Permanent, Classify(err))
}

func TestBuiltinNamesMatchTheSpec(t *testing.T) {
	var names []string
	for n := range Builtin {
		names = append(names, n)
	}
	require.ElementsMatch(t, release.BuiltinQueries, names)
}

func TestFake(t *testing.T) {
	ctx := context.Background()
	f := NewFake()
	_, err := f.Range(ctx, "q", t0, t0.Add(20*time.Second), 10*time.Second)
	require.ErrorIs(t, err, ErrNoData)
	f.Set("q", []float64{1, 2})
	v, err := f.Range(ctx, "q", t0, t0.Add(20*time.Second), 10*time.Second)
	require.NoError(t, err)
	require.True(t, math.IsNaN(v[0]))
	require.Equal(t, []float64{1, 2}, v[1:])
	boom := &Error{Class: Retryable, Query: "q", Err: errors.New("down")}
	f.Fail(1, "q", boom)
	_, err = f.Instant(ctx, "q", t0)
	require.Equal(t, Retryable, Classify(err))
	x, err := f.Instant(ctx, "q", t0)
	require.NoError(t, err)
	require.Equal(t, 2.0, x)
	require.True(t, slices.Equal([]string{"q", "q", "q", "q"}, f.Calls()))
}
