package prometheus

import (
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"
)

// Names of the built-in key health indicators; release.BuiltinQueries lists the same names.
const (
	QueryErrorRate  = "error_rate"
	QueryLatencyP50 = "latency_p50"
	QueryLatencyP90 = "latency_p90"
	QueryLatencyP99 = "latency_p99"
	QueryThroughput = "throughput"
	QuerySaturation = "saturation"
)

// selector matches one service version in one environment; the labels are those demosvc
// exports (examples/demo/demosvc) and that most service dashboards use.
const selector = `service="{{.Service}}",version="{{.Version}}",environment="{{.Environment}}"`

// Builtin are the PromQL templates of the key health indicators, over the metrics demosvc
// exposes: http_requests_total{code}, http_request_duration_seconds (histogram) and
// http_requests_in_flight.
var Builtin = map[string]string{
	QueryErrorRate: `sum(rate(http_requests_total{` + selector + `,code=~"5.."}[{{.Window}}]))` +
		` / sum(rate(http_requests_total{` + selector + `}[{{.Window}}]))`,
	QueryLatencyP50: latency("0.5"),
	QueryLatencyP90: latency("0.9"),
	QueryLatencyP99: latency("0.99"),
	QueryThroughput: `sum(rate(http_requests_total{` + selector + `}[{{.Window}}]))`,
	QuerySaturation: `max(max_over_time(http_requests_in_flight{` + selector + `}[{{.Window}}]))`,
}

func latency(q string) string {
	return `histogram_quantile(` + q + `, sum by (le) (rate(http_request_duration_seconds_bucket{` + selector + `}[{{.Window}}])))`
}

// Params fill a query template.
type Params struct {
	Service, Version, Environment string
	// Window is the rate window (default 1m).
	Window time.Duration
}

// Render expands the template called name, from custom (the spec's analysis.queries, which
// win) or Builtin. Label values are escaped for a double-quoted PromQL string, so a value
// cannot end the string and inject a matcher.
func Render(name string, custom map[string]string, p Params) (string, error) {
	text, ok := custom[name]
	if !ok {
		text, ok = Builtin[name]
	}
	if !ok {
		return "", &Error{Class: Permanent, Query: name, Err: fmt.Errorf("unknown query template %q", name)}
	}
	tpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", &Error{Class: Permanent, Query: name, Err: fmt.Errorf("template: %w", err)}
	}
	w := p.Window
	if w <= 0 {
		w = time.Minute
	}
	data := struct{ Service, Version, Environment, Window string }{
		escape(p.Service), escape(p.Version), escape(p.Environment), model.Duration(w).String(),
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return "", &Error{Class: Permanent, Query: name, Err: fmt.Errorf("template: %w", err)}
	}
	return b.String(), nil
}

// escape makes s safe inside a double-quoted PromQL string (Go escaping rules).
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return r.Replace(s)
}
