package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// instrument wraps next with the metrics Tollgate's health gates query
// (integrations/prometheus.Builtin): http_requests_total{code}, http_request_duration_seconds,
// http_requests_in_flight, and demosvc_build_info{version}. Every series carries service,
// version and environment labels so that canary and baseline can be told apart, and serves
// them on GET /metrics. A registry per handler keeps tests independent.
func instrument(next http.Handler, cfg config) http.Handler {
	labels := prometheus.Labels{"service": cfg.Service, "version": cfg.Version, "environment": cfg.Environment}
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests served, by status code.", ConstLabels: labels,
	}, []string{"code"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "Time to serve a request.", ConstLabels: labels,
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "http_requests_in_flight", Help: "Requests being served.", ConstLabels: labels,
	})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "demosvc_build_info", Help: "Always 1; its labels say what runs.",
		ConstLabels: prometheus.Labels{"service": cfg.Service, "version": cfg.Version, "environment": cfg.Environment, "behaviour": cfg.Behaviour},
	})
	info.Set(1)
	reg.MustRegister(requests, latency, inFlight, info)
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r) // scrapes are not traffic: they stay out of the counters
			return
		}
		inFlight.Inc()
		defer inFlight.Dec()
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		requests.WithLabelValues(strconv.Itoa(rec.status)).Inc()
		latency.Observe(time.Since(start).Seconds())
	})
}
