package evidence

import (
	"encoding/json"
	"fmt"
	"math"
)

// PerfSummary is the outcome of a load test: latency percentiles in milliseconds, throughput
// and error rate. Missing lists the fields the report did not contain (k6 reports only the
// percentiles in its summaryTrendStats); a gate that reads a missing field fails.
type PerfSummary struct {
	Requests      int64   `json:"requests"`
	ThroughputRPS float64 `json:"throughput_rps"`
	ErrorRate     float64 `json:"error_rate"`
	P50MS         float64 `json:"p50_ms"`
	P95MS         float64 `json:"p95_ms"`
	P99MS         float64 `json:"p99_ms"`
	MaxMS         float64 `json:"max_ms"`
	// Source names the tool that produced the figures: "k6" or "vegeta".
	Source  string   `json:"source"`
	Missing []string `json:"missing,omitempty"`
}

// k6Metric covers both k6 JSON shapes: `--summary-export` puts the figures on the metric
// itself; handleSummary's data puts them under "values".
type k6Metric struct {
	Values map[string]json.RawMessage `json:"values"`
	Flat   map[string]json.RawMessage `json:"-"`
}

func (m *k6Metric) UnmarshalJSON(b []byte) error {
	var flat map[string]json.RawMessage
	if err := json.Unmarshal(b, &flat); err != nil {
		return err
	}
	if v, ok := flat["values"]; ok {
		return json.Unmarshal(v, &m.Values)
	}
	m.Flat = flat
	return nil
}

func (m k6Metric) number(name string) (float64, bool) {
	src := m.Values
	if src == nil {
		src = m.Flat
	}
	raw, ok := src[name]
	if !ok {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// ParseK6 reads a k6 JSON summary, either from `k6 run --summary-export` or from the data a
// handleSummary function writes with JSON.stringify. It needs http_req_duration and http_reqs;
// an empty summary (no HTTP metrics: the test sent nothing) is an error.
func ParseK6(data []byte) (PerfSummary, error) {
	const kind = "k6 summary"
	if err := checkSize(kind, data); err != nil {
		return PerfSummary{}, err
	}
	var doc struct {
		Metrics map[string]k6Metric `json:"metrics"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return PerfSummary{}, fmt.Errorf("%s: malformed JSON: %v", kind, err)
	}
	if len(doc.Metrics) == 0 {
		return PerfSummary{}, fmt.Errorf("%s: no metrics: empty summary (did the test run?)", kind)
	}
	dur, ok := doc.Metrics["http_req_duration"]
	if !ok {
		return PerfSummary{}, fmt.Errorf("%s: no http_req_duration metric: the test made no HTTP requests", kind)
	}
	reqs, ok := doc.Metrics["http_reqs"]
	if !ok {
		return PerfSummary{}, fmt.Errorf("%s: no http_reqs metric: the test made no HTTP requests", kind)
	}
	s := PerfSummary{Source: "k6"}
	count, ok := reqs.number("count")
	if !ok || count < 1 {
		return PerfSummary{}, fmt.Errorf("%s: http_reqs.count is missing or zero: the test made no HTTP requests", kind)
	}
	s.Requests = int64(count)
	if rate, ok := reqs.number("rate"); ok {
		s.ThroughputRPS = rate
	} else {
		s.Missing = append(s.Missing, "throughput_rps")
	}
	trend := []struct {
		stat, field string
		dst         *float64
	}{
		{"med", "p50_ms", &s.P50MS}, {"p(95)", "p95_ms", &s.P95MS}, {"p(99)", "p99_ms", &s.P99MS}, {"max", "max_ms", &s.MaxMS},
	}
	for _, t := range trend {
		v, ok := dur.number(t.stat)
		if !ok && t.stat == "med" {
			v, ok = dur.number("p(50)")
		}
		if !ok {
			s.Missing = append(s.Missing, t.field)
			continue
		}
		*t.dst = v
	}
	failed, ok := doc.Metrics["http_req_failed"]
	var rate float64
	if ok {
		// handleSummary calls it "rate"; --summary-export calls it "value".
		if rate, ok = failed.number("rate"); !ok {
			rate, ok = failed.number("value")
		}
	}
	if !ok || rate < 0 || rate > 1 {
		s.Missing = append(s.Missing, "error_rate")
	} else {
		s.ErrorRate = rate
	}
	return s, nil
}
