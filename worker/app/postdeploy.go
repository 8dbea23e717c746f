package app

import (
	"log/slog"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
)

// wirePostDeploy configures the phases after the waves: signed archives under DATA_DIR/archive
// (signed with the audit key) with their retention, and the embedded default notifier, an
// event log at DATA_DIR/events.log that receives support handoffs, reminders and escalations.
// The health watch uses the metrics provider wireMetrics set up.
func wirePostDeploy(acts *activities.Activities, cfg config.Worker, embedded bool, logger *slog.Logger) error {
	key, err := auditKey(cfg, embedded, logger)
	if err != nil {
		return err
	}
	acts.Archive = activities.ArchiveConfig{Dir: filepath.Join(cfg.DataDir, "archive"), Key: key, Retention: cfg.ArchiveRetention}
	if acts.Notifier == nil {
		acts.Notifier = &activities.EventLog{Path: filepath.Join(cfg.DataDir, "events.log")}
	}
	logger.Info("release archives", "dir", acts.Archive.Dir, "retention", cfg.ArchiveRetention)
	return nil
}
