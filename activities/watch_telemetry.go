package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
)

// telemetryReady asks, until the wait runs out, which share of every watched service's
// instances reports the new version; all must reach the configured share.
func (a *Activities) telemetryReady(ctx context.Context, in WatchHealthInput) ([]TelemetryReport, bool, error) {
	t := in.Telemetry.TelemetryDefaults()
	deadline := a.Clock.now().Add(t.Wait.D())
	services := map[string]bool{}
	for _, ind := range in.Watch.Indicators {
		services[ind.Service] = true
	}
	for {
		var reports []TelemetryReport
		ready := true
		for _, env := range in.Environments {
			for _, svc := range in.Services {
				if !services[svc.Name] {
					continue
				}
				sel, err := release.Expand(t.Selector, release.StepVars(in.ReleaseID, svc, env))
				if err != nil {
					return nil, false, temporal.NewNonRetryableApplicationError(fmt.Sprintf("telemetry selector of %s: %v", svc.Name, err), ErrAnalysisConfig, err)
				}
				q := TelemetryQuery(t.Metric, sel, t.VersionLabel, svc.Version)
				share, err := a.Metrics.Instant(ctx, q, a.Clock.now())
				if errors.Is(err, prometheus.ErrNoData) {
					share, err = 0, nil
				}
				if err != nil {
					return nil, false, metricsError(in.Wave, "telemetry", err)
				}
				r := TelemetryReport{Environment: env.Name, Service: svc.Name, Share: share, Ready: share >= t.MinShare}
				ready = ready && r.Ready
				reports = append(reports, r)
			}
		}
		activity.RecordHeartbeat(ctx, reports)
		if ready || !a.Clock.now().Before(deadline) {
			return reports, ready, nil
		}
		if err := a.Clock.sleep(ctx, 15*time.Second); err != nil {
			return nil, false, err
		}
	}
}

// TelemetryQuery is the share of a service's build-info series that carry the new version.
func TelemetryQuery(metric, selector, label, version string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(version)
	return fmt.Sprintf(`count(%s{%s,%s="%s"}) / count(%s{%s})`, metric, selector, label, esc, metric, selector)
}
