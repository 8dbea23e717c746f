package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/release"
)

// SmokeStepResult is one passed step of a smoke workflow.
type SmokeStepResult struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latencyMs"`
	// Captured names the values the step captured (never their content: they may be tokens).
	Captured []string `json:"captured,omitempty"`
}

// smokeWorkflow runs a multi-step smoke check: each step's request may use values captured by
// earlier steps; each has its own expected status, body and latency limit. A failing step is
// a smoke failure naming the step; an invalid capture expression is permanent.
func (a *Activities) smokeWorkflow(ctx context.Context, in SmokeInput) (SmokeResult, error) {
	vars := release.StepVars(in.ReleaseID, in.Service, in.Environment)
	base, err := release.Expand(in.Check.URL, vars)
	if err != nil {
		return SmokeResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("smoke %s/%s: %v", in.Service.Name, in.Check.Name, err), ErrSmokeFailed, nil)
	}
	client := a.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	var total time.Duration
	res := SmokeResult{URL: base}
	for i, st := range in.Check.Steps {
		where := fmt.Sprintf("smoke workflow %q of %s in %s, step %d %q", in.Check.Name, in.Service.Name, in.Environment.Name, i+1, st.Name)
		sr, latency, err := a.smokeStep(ctx, client, base, st, vars, where)
		if err != nil {
			return SmokeResult{}, err
		}
		total += latency
		res.Status, res.Steps = sr.Status, append(res.Steps, sr)
	}
	res.LatencyMS = total.Milliseconds()
	return res, nil
}

func (a *Activities) smokeStep(ctx context.Context, client *http.Client, base string, st release.SmokeStep, vars map[string]string, where string) (SmokeStepResult, time.Duration, error) {
	permanent := func(format string, args ...any) error {
		return temporal.NewNonRetryableApplicationError(where+": "+fmt.Sprintf(format, args...), ErrSmokeFailed, nil)
	}
	failed := func(format string, args ...any) error {
		return temporal.NewApplicationError(where+": "+fmt.Sprintf(format, args...), ErrSmokeFailed)
	}
	url, err := release.Expand(st.URL, vars)
	if err != nil {
		return SmokeStepResult{}, 0, permanent("%v", err)
	}
	if strings.HasPrefix(url, "/") {
		url = strings.TrimSuffix(base, "/") + url
	}
	body, err := release.Expand(st.Body, vars)
	if err != nil {
		return SmokeStepResult{}, 0, permanent("body: %v", err)
	}
	limit := st.MaxLatency.D()
	if limit <= 0 {
		limit = release.DefaultSmokeTimeout
	}
	method := st.Method
	if method == "" {
		method = http.MethodGet
	}
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, method, url, strings.NewReader(body))
	if err != nil {
		return SmokeStepResult{}, 0, permanent("%v", err)
	}
	for k, v := range st.Headers {
		hv, err := release.Expand(v, vars)
		if err != nil {
			return SmokeStepResult{}, 0, permanent("header %s: %v", k, err)
		}
		req.Header.Set(k, hv)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return SmokeStepResult{}, 0, failed("%s %s: no answer within %s: %v", method, url, limit, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSmokeBody))
	latency := time.Since(start)
	if err != nil {
		return SmokeStepResult{}, 0, failed("reading body: %v", err)
	}
	want := st.ExpectStatus
	if want == 0 {
		want = http.StatusOK
	}
	switch {
	case resp.StatusCode != want:
		return SmokeStepResult{}, 0, failed("%s %s: status %d, want %d", method, url, resp.StatusCode, want)
	case st.BodyContains != "" && !strings.Contains(string(data), st.BodyContains):
		return SmokeStepResult{}, 0, failed("%s %s: body does not contain %q", method, url, st.BodyContains)
	case latency > limit:
		return SmokeStepResult{}, 0, failed("%s %s: latency %s above %s", method, url, latency.Round(time.Millisecond), limit)
	}
	sr := SmokeStepResult{Name: st.Name, URL: url, Status: resp.StatusCode, LatencyMS: latency.Milliseconds()}
	for _, c := range st.Capture {
		v, err := capture(c, data)
		if err != nil {
			return SmokeStepResult{}, 0, failed("capture %q: %v", c.Name, err)
		}
		vars[c.Name] = v
		sr.Captured = append(sr.Captured, c.Name)
	}
	return sr, latency, nil
}

// capture extracts one value from a response body.
func capture(c release.Capture, body []byte) (string, error) {
	if c.Regexp != "" {
		re, err := regexp.Compile(c.Regexp)
		if err != nil {
			return "", temporal.NewNonRetryableApplicationError(err.Error(), ErrSmokeFailed, err)
		}
		m := re.FindSubmatch(body)
		if len(m) < 2 {
			return "", fmt.Errorf("regexp %q does not match the body", c.Regexp)
		}
		return string(m[1]), nil
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("body is not JSON: %v", err)
	}
	v, err := JSONPath(doc, c.JSONPath)
	if err != nil {
		return "", err
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(t), nil
	default:
		raw, _ := json.Marshal(t)
		return string(raw), nil
	}
}

var pathTokenRE = regexp.MustCompile(`\.([A-Za-z0-9_-]+)|\[(\d+)\]|\["([^"]+)"\]`)

// JSONPath follows a dotted path ($.order.items[0].sku, $["a key"]) into a decoded JSON document.
func JSONPath(doc any, path string) (any, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, fmt.Errorf("path %q: want it to start with $", path)
	}
	rest := path[1:]
	cur := doc
	for rest != "" {
		loc := pathTokenRE.FindStringSubmatchIndex(rest)
		if loc == nil || loc[0] != 0 {
			return nil, fmt.Errorf("path %q: cannot read %q", path, rest)
		}
		m := pathTokenRE.FindStringSubmatch(rest)
		rest = rest[loc[1]:]
		switch {
		case m[2] != "":
			arr, ok := cur.([]any)
			idx, _ := strconv.Atoi(m[2])
			if !ok || idx >= len(arr) {
				return nil, fmt.Errorf("path %q: no element %d", path, idx)
			}
			cur = arr[idx]
		default:
			key := m[1] + m[3]
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("path %q: %q is not in an object", path, key)
			}
			if cur, ok = obj[key]; !ok {
				return nil, fmt.Errorf("path %q: no key %q", path, key)
			}
		}
	}
	return cur, nil
}
