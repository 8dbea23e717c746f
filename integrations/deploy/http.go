package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgretry "github.com/tollgate-dev/tollgate/integrations/retry"
)

// HTTP drives a deployment service's API. Every change is an operation:
//
//	POST {BaseURL}/v1/targets/{environment}/{service}/operations   Idempotency-Key: <key>
//	     {"kind": "scale|weight|switch|deploy|verify|rollback", ...}   → 200/201/202 {"id", "status"}
//	GET  {BaseURL}/v1/operations/{id}                                  → {"id", "status", "error"}
//	GET  {BaseURL}/v1/targets/{environment}/{service}                  → TargetState
//
// The service answers a repeated key with the operation it already has, so a retry after a
// crash resumes polling the same operation instead of starting a second one. Status is pending,
// running, succeeded or failed. 429 and 5xx are retryable (Retry-After honoured), other 4xx
// permanent, a failed operation is a StepError.
type HTTP struct {
	BaseURL string
	// Token, when set, is sent as a bearer token; it never appears in errors or results.
	Token  string
	Client *http.Client
	// PollEvery is the status polling interval (default 1s); progress is called at every poll.
	PollEvery time.Duration
	// MaxPollErrors is how many transient polling failures in a row are waited out before the
	// operation returns a RetryableError (default 5).
	MaxPollErrors int
}

var (
	_ Deployer = (*HTTP)(nil)
	_ Traffic  = (*HTTP)(nil)
)

// opRequest is the body of POST .../operations.
type opRequest struct {
	Kind     string            `json:"kind"`
	Version  string            `json:"version,omitempty"`
	Track    string            `json:"track,omitempty"`
	Replicas *int              `json:"replicas,omitempty"`
	Batch    int               `json:"batch,omitempty"`
	From     int               `json:"from,omitempty"`
	To       int               `json:"to,omitempty"`
	Weight   *int              `json:"weight,omitempty"`
	Colour   string            `json:"colour,omitempty"`
	Vars     map[string]string `json:"vars,omitempty"`
}

// Operation is the deployment service's view of one operation.
type Operation struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Output string `json:"output,omitempty"`
}

// Run submits a runbook step as an operation of kind step.Name with VERSION and the step's vars.
func (h *HTTP) Run(ctx context.Context, step Step, progress func()) (Result, error) {
	t := Target{Key: step.Key, Service: step.Env["SERVICE"], Environment: step.Env["ENVIRONMENT"], Env: step.Env, Timeout: step.Timeout}
	return h.do(ctx, t, opRequest{Kind: step.Name, Version: step.Env["VERSION"], Vars: step.Env}, progress)
}

// Scale submits a scale operation.
func (h *HTTP) Scale(ctx context.Context, op ScaleOp, progress func()) (Result, error) {
	n := op.Replicas
	return h.do(ctx, op.Target, opRequest{Kind: OpScale, Track: op.Track, Version: op.Version, Replicas: &n,
		Batch: op.Batch, From: op.From, To: op.To}, progress)
}

// SetWeight submits a weight operation.
func (h *HTTP) SetWeight(ctx context.Context, op WeightOp, progress func()) (Result, error) {
	w := op.Weight
	return h.do(ctx, op.Target, opRequest{Kind: OpWeight, Weight: &w}, progress)
}

// SwitchColour submits a switch operation.
func (h *HTTP) SwitchColour(ctx context.Context, op ColourOp, progress func()) (Result, error) {
	return h.do(ctx, op.Target, opRequest{Kind: OpSwitch, Colour: op.Colour}, progress)
}

// Observe reads the target's state.
func (h *HTTP) Observe(ctx context.Context, t Target) (TargetState, error) {
	var st TargetState
	err := h.call(ctx, "observe "+t.Environment+"/"+t.Service, http.MethodGet, h.targetURL(t), "", nil, &st)
	return st, err
}

func (h *HTTP) targetURL(t Target) string {
	return strings.TrimRight(h.BaseURL, "/") + "/v1/targets/" + url.PathEscape(t.Environment) + "/" + url.PathEscape(t.Service)
}

// do submits an operation and polls it to the end.
func (h *HTTP) do(ctx context.Context, t Target, req opRequest, progress func()) (Result, error) {
	if t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	name := req.Kind + " " + t.Environment + "/" + t.Service
	if t.Key == "" {
		return Result{}, &PermanentError{Op: name, Message: "no idempotency key: the operation could run twice"}
	}
	start := time.Now()
	var op Operation
	if err := h.call(ctx, name, http.MethodPost, h.targetURL(t)+"/operations", t.Key, req, &op); err != nil {
		return Result{}, err
	}
	every := h.PollEvery
	if every <= 0 {
		every = time.Second
	}
	maxErrs := h.MaxPollErrors
	if maxErrs <= 0 {
		maxErrs = 5
	}
	errs := 0
	for {
		switch op.Status {
		case "succeeded":
			return Result{Output: op.Output, Duration: time.Since(start)}, nil
		case "failed":
			return Result{ExitCode: 1, Output: op.Error}, &StepError{Step: name, ExitCode: 1, Output: op.Error}
		case "pending", "running":
		default:
			return Result{}, &PermanentError{Op: name, Message: fmt.Sprintf("unknown operation status %q", op.Status)}
		}
		if progress != nil {
			progress()
		}
		if err := tgretry.Sleep(ctx, every); err != nil {
			return Result{}, err
		}
		var next Operation
		err := h.call(ctx, name, http.MethodGet, strings.TrimRight(h.BaseURL, "/")+"/v1/operations/"+url.PathEscape(op.ID), "", nil, &next)
		var retry *RetryableError
		switch {
		case errors.As(err, &retry) && errs+1 < maxErrs:
			errs++
			if err := tgretry.Sleep(ctx, retry.RetryAfter); err != nil {
				return Result{}, err
			}
			continue
		case err != nil:
			return Result{}, err
		}
		errs = 0
		op = next
	}
}

// call makes one request and classifies its failure.
func (h *HTTP) call(ctx context.Context, name, method, u, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &PermanentError{Op: name, Message: err.Error()}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return &PermanentError{Op: name, Message: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &RetryableError{Op: name, Message: redact(err.Error(), h.Token)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &RetryableError{Op: name, Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Message: redact(errorText(raw, resp.Status), h.Token)}
	case resp.StatusCode >= 400:
		return &PermanentError{Op: name, Status: resp.StatusCode, Message: redact(errorText(raw, resp.Status), h.Token)}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return &PermanentError{Op: name, Status: resp.StatusCode, Message: "unexpected status " + resp.Status}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &RetryableError{Op: name, Status: resp.StatusCode, Message: "unreadable response: " + err.Error()}
	}
	return nil
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// errorText is the server's {"error": "..."} message, else the status line.
func errorText(raw []byte, status string) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return e.Error
	}
	return status
}

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
