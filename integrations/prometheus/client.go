package prometheus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Client is the real Provider over Prometheus' HTTP API.
type Client struct {
	api v1.API
	// Freshness bounds how old the newest point of a range may be before the series counts as
	// stale (default 3 steps).
	Freshness time.Duration
}

// Config configures NewClient.
type Config struct {
	// Address is Prometheus' base URL, e.g. http://127.0.0.1:9090.
	Address string
	// HTTP is the client to use; its Timeout bounds one query (default 30s). It must not retry:
	// Temporal is the single retry layer.
	HTTP *http.Client
}

// NewClient returns a client for the Prometheus at cfg.Address.
func NewClient(cfg Config) (*Client, error) {
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c, err := api.NewClient(api.Config{Address: cfg.Address, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus address %q: %w", cfg.Address, err)
	}
	return &Client{api: v1.NewAPI(c)}, nil
}

// Range runs a range query that must return one series and aligns its points on the step grid.
func (c *Client) Range(ctx context.Context, query string, start, end time.Time, step time.Duration) ([]float64, error) {
	if step <= 0 || end.Before(start) {
		return nil, &Error{Class: Permanent, Query: query, Err: fmt.Errorf("bad range %s..%s step %s", start, end, step)}
	}
	val, _, err := c.api.QueryRange(ctx, query, v1.Range{Start: start, End: end, Step: step})
	if err != nil {
		return nil, classify(query, err)
	}
	m, ok := val.(model.Matrix)
	if !ok {
		return nil, &Error{Class: Permanent, Query: query, Err: fmt.Errorf("want a range vector, got %s", val.Type())}
	}
	switch {
	case len(m) == 0:
		return nil, &Error{Class: Inconclusive, Query: query, Err: ErrNoData}
	case len(m) > 1:
		return nil, &Error{Class: Permanent, Query: query, Err: fmt.Errorf("returned %d series; aggregate it to one", len(m))}
	}
	fresh := c.Freshness
	if fresh <= 0 {
		fresh = 3 * step
	}
	return align(m[0].Values, start, end, step, fresh, query)
}

// align places samples on the grid start, start+step, ... end; a grid point without a sample
// is NaN. A series whose newest point is older than end − fresh is stale.
func align(samples []model.SamplePair, start, end time.Time, step, fresh time.Duration, query string) ([]float64, error) {
	n := int(end.Sub(start)/step) + 1
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	var newest time.Time
	for _, s := range samples {
		t := s.Timestamp.Time()
		i := int((t.Sub(start) + step/2) / step)
		if i >= 0 && i < n {
			out[i] = float64(s.Value)
		}
		if t.After(newest) {
			newest = t
		}
	}
	if end.Sub(newest) > fresh {
		return out, &Error{Class: Inconclusive, Query: query, Err: &StaleError{Newest: newest, End: end}}
	}
	return out, nil
}

// Instant runs an instant query that must return one sample or a scalar.
func (c *Client) Instant(ctx context.Context, query string, at time.Time) (float64, error) {
	val, _, err := c.api.Query(ctx, query, at)
	if err != nil {
		return math.NaN(), classify(query, err)
	}
	switch v := val.(type) {
	case *model.Scalar:
		return float64(v.Value), nil
	case model.Vector:
		switch {
		case len(v) == 0:
			return math.NaN(), &Error{Class: Inconclusive, Query: query, Err: ErrNoData}
		case len(v) > 1:
			return math.NaN(), &Error{Class: Permanent, Query: query, Err: fmt.Errorf("returned %d series; aggregate it to one", len(v))}
		}
		return float64(v[0].Value), nil
	}
	return math.NaN(), &Error{Class: Permanent, Query: query, Err: fmt.Errorf("want a vector or scalar, got %s", val.Type())}
}

// classify maps client_golang errors: bad_data (a bad query) is permanent; execution errors,
// timeouts, 5xx and network failures are retryable.
func classify(query string, err error) error {
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		switch apiErr.Type {
		case v1.ErrBadData:
			return &Error{Class: Permanent, Query: query, Err: err}
		case v1.ErrClient:
			// 4xx other than bad_data: auth or routing errors a retry does not fix, except 429.
			if strings.Contains(apiErr.Msg, "429") {
				return &Error{Class: Retryable, Query: query, Err: err}
			}
			return &Error{Class: Permanent, Query: query, Err: err}
		}
		return &Error{Class: Retryable, Query: query, Err: err}
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Class: Retryable, Query: query, Err: err}
	}
	return &Error{Class: Retryable, Query: query, Err: err}
}
