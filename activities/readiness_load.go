package activities

import (
	"context"
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"go.temporal.io/sdk/activity"

	"github.com/tollgate-dev/tollgate/evidence"
	"github.com/tollgate-dev/tollgate/release"
)

// RunLoad runs a constant-rate load test with vegeta and summarises latency percentiles,
// throughput and error rate. It heartbeats every second when run inside an activity. A test
// in which no request was answered is an error, not a summary.
func RunLoad(ctx context.Context, l release.LoadSpec) (evidence.PerfSummary, error) {
	method := l.Method
	if method == "" {
		method = http.MethodGet
	}
	targeter := vegeta.NewStaticTargeter(vegeta.Target{Method: method, URL: l.Target})
	attacker := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
	results := attacker.Attack(targeter, vegeta.Rate{Freq: l.Rate, Per: time.Second}, l.Duration.D(), "tollgate-load")
	var m vegeta.Metrics
	beat := time.NewTicker(time.Second)
	defer beat.Stop()
loop:
	for {
		select {
		case res, ok := <-results:
			if !ok {
				break loop
			}
			m.Add(res)
		case <-beat.C:
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, m.Requests)
			}
		case <-ctx.Done():
			attacker.Stop()
			return evidence.PerfSummary{}, fmt.Errorf("load test of %s: %w", l.Target, ctx.Err())
		}
	}
	m.Close()
	if m.Requests == 0 {
		return evidence.PerfSummary{}, fmt.Errorf("load test of %s: no requests sent", l.Target)
	}
	if m.Success == 0 {
		return evidence.PerfSummary{}, fmt.Errorf("load test of %s: every one of %d requests failed (first error: %s)", l.Target, m.Requests, firstError(m))
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return evidence.PerfSummary{
		Requests:      int64(m.Requests),
		ThroughputRPS: m.Throughput,
		ErrorRate:     1 - m.Success,
		P50MS:         ms(m.Latencies.P50),
		P95MS:         ms(m.Latencies.P95),
		P99MS:         ms(m.Latencies.P99),
		MaxMS:         ms(m.Latencies.Max),
		Source:        "vegeta",
	}, nil
}

func firstError(m vegeta.Metrics) string {
	if len(m.Errors) > 0 {
		return m.Errors[0]
	}
	return "none recorded"
}
