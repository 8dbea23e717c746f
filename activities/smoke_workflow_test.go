package activities

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
)

func shopServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"session":{"token":"tok-123"},"items":[{"sku":"A1"}]}`)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-123" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `<order id="o-77" sku="`+string(body)+`"/>`)
	})
	mux.HandleFunc("GET /orders/o-77", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "status: paid") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func smokeSteps(last release.SmokeStep) []release.SmokeStep {
	return []release.SmokeStep{
		{Name: "login", Method: "POST", URL: "/login", Capture: []release.Capture{{Name: "token", JSONPath: "$.session.token"}, {Name: "sku", JSONPath: "$.items[0].sku"}}},
		{Name: "order", Method: "POST", URL: "/orders", Body: "${sku}", Headers: map[string]string{"Authorization": "Bearer ${token}"},
			ExpectStatus: 201, Capture: []release.Capture{{Name: "order", Regexp: `id="([^"]+)"`}}},
		last,
	}
}

func TestSmokeWorkflow(t *testing.T) {
	srv := shopServer(t)
	tests := []struct {
		name string
		last release.SmokeStep
		err  string
	}{
		{"captured values flow through the steps", release.SmokeStep{Name: "read", URL: srv.URL + "/orders/${order}", BodyContains: "paid"}, ""},
		{"a failing step is named", release.SmokeStep{Name: "read", URL: "/orders/${order}", BodyContains: "shipped"}, `step 3 "read"`},
		{"a wrong status is named", release.SmokeStep{Name: "missing", URL: "/nope"}, `step 3 "missing": GET ` + srv.URL + `/nope: status 404, want 200`},
		{"a capture that finds nothing fails", release.SmokeStep{Name: "again", Method: "POST", URL: "/login", Capture: []release.Capture{{Name: "x", JSONPath: "$.session.nope"}}}, `capture "x": path "$.session.nope": no key "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Activities{HTTP: srv.Client()}
			in := SmokeInput{ReleaseID: "r1", Service: release.Service{Name: "shop"}, Environment: release.Environment{Name: "staging"},
				Check: release.SmokeCheck{Name: "checkout", URL: srv.URL, Steps: smokeSteps(tc.last)}}
			res, err := a.SmokeCheck(context.Background(), in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Len(t, res.Steps, 3)
			require.Equal(t, []string{"token", "sku"}, res.Steps[0].Captured)
			require.Equal(t, 201, res.Steps[1].Status)
		})
	}
}

func TestJSONPath(t *testing.T) {
	doc := map[string]any{"a": map[string]any{"b c": []any{1.0, "x"}}}
	v, err := JSONPath(doc, `$.a["b c"][1]`)
	require.NoError(t, err)
	require.Equal(t, "x", v)
	_, err = JSONPath(doc, `$.a["b c"][5]`)
	require.ErrorContains(t, err, "no element 5")
	_, err = JSONPath(doc, `a.b`)
	require.ErrorContains(t, err, "start with $")
}
