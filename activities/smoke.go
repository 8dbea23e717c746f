package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/release"
)

// SmokeInput is one smoke check of one service in one environment.
type SmokeInput struct {
	ReleaseID   string              `json:"releaseId"`
	Service     release.Service     `json:"service"`
	Environment release.Environment `json:"environment"`
	Check       release.SmokeCheck  `json:"check"`
}

// SmokeResult is a passed smoke check.
type SmokeResult struct {
	URL       string `json:"url"`
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latencyMs"`
	// Steps are the passed steps of a multi-step smoke workflow (activities/smoke_workflow.go).
	Steps []SmokeStepResult `json:"steps,omitempty"`
}

// maxSmokeBody bounds how much of a response a smoke check reads.
const maxSmokeBody = 1 << 20

// SmokeCheck performs an HTTP GET and checks status, body and latency.
func (a *Activities) SmokeCheck(ctx context.Context, in SmokeInput) (SmokeResult, error) {
	if len(in.Check.Steps) > 0 {
		return a.smokeWorkflow(ctx, in)
	}
	vars := release.StepVars(in.ReleaseID, in.Service, in.Environment)
	url, err := release.Expand(in.Check.URL, vars)
	if err != nil {
		return SmokeResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("smoke %s/%s: %v", in.Service.Name, in.Check.Name, err), ErrSmokeFailed, nil)
	}
	limit := in.Check.MaxLatency.D()
	if limit <= 0 {
		limit = release.DefaultSmokeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return SmokeResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("smoke %s/%s: %v", in.Service.Name, in.Check.Name, err), ErrSmokeFailed, nil)
	}
	client := a.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return SmokeResult{}, smokeFailure(in, url, fmt.Sprintf("no answer within %s: %v", limit, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSmokeBody))
	latency := time.Since(start)
	if err != nil {
		return SmokeResult{}, smokeFailure(in, url, fmt.Sprintf("reading body: %v", err))
	}
	want := in.Check.ExpectStatus
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode != want {
		return SmokeResult{}, smokeFailure(in, url, fmt.Sprintf("status %d, want %d", resp.StatusCode, want))
	}
	if in.Check.BodyContains != "" && !strings.Contains(string(body), in.Check.BodyContains) {
		return SmokeResult{}, smokeFailure(in, url, fmt.Sprintf("body does not contain %q", in.Check.BodyContains))
	}
	if latency > limit {
		return SmokeResult{}, smokeFailure(in, url, fmt.Sprintf("latency %s above %s", latency.Round(time.Millisecond), limit))
	}
	return SmokeResult{URL: url, Status: resp.StatusCode, LatencyMS: latency.Milliseconds()}, nil
}

func smokeFailure(in SmokeInput, url, why string) error {
	return temporal.NewApplicationError(
		fmt.Sprintf("smoke check %q of %s in %s (%s): %s", in.Check.Name, in.Service.Name, in.Environment.Name, url, why), ErrSmokeFailed)
}
