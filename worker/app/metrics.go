package app

import (
	"fmt"
	"log/slog"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
)

// wireMetrics gives the analyses their metrics provider: the Prometheus at url, or none when
// url is empty, in which case every analysis fails closed with "no metrics provider configured".
func wireMetrics(acts *activities.Activities, url string, logger *slog.Logger) error {
	if url == "" {
		logger.Warn("TOLLGATE_PROMETHEUS_URL is not set: every strategy analysis will fail closed")
		return nil
	}
	prom, err := prometheus.NewClient(prometheus.Config{Address: url})
	if err != nil {
		return fmt.Errorf("TOLLGATE_PROMETHEUS_URL: %w", err)
	}
	acts.Metrics = prom
	logger.Info("strategy analyses query Prometheus", "url", url)
	return nil
}
