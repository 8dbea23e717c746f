// Package activities holds Tollgate's Temporal activities: thin adapters from the workflows to
// the store, the deployers and the network. All I/O of a release happens here.
package activities

import (
	"log/slog"
	"net/http"

	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/store"
)

// Error types the workflows switch on; they are Temporal application error types.
const (
	ErrInvalidSpec  = "InvalidSpec"
	ErrStepFailed   = "StepFailed"
	ErrSmokeFailed  = "SmokeFailed"
	ErrStepRefused  = "StepRefused"
	ErrStoreFailure = "StoreFailure"
	// ErrTrafficRefused: a traffic operation the deployer refuses for good (bad input, conflict).
	ErrTrafficRefused = "TrafficRefused"
	// ErrAnalysisConfig: an analysis that cannot run as written (bad query, bad template).
	ErrAnalysisConfig = "AnalysisConfig"
	// ErrIntegrityFailed: an artifact failed verification; the error details hold the
	// VerifyArtifactsResult with every check.
	ErrIntegrityFailed = "IntegrityFailed"
	// ErrEvidenceMissing: stored readiness evidence is gone or unreadable; collect again.
	ErrEvidenceMissing = "EvidenceMissing"
	// ErrRateLimited: an integration throttled the call; retried after its Retry-After.
	ErrRateLimited = errRateLimited
)

// Activities carries the injected dependencies every activity uses. Workflows call its methods
// through a nil pointer; tests inject fakes through the same fields.
type Activities struct {
	Store    store.Store
	Deployer deploy.Deployer
	// Traffic runs the traffic operations of strategies (activities/traffic.go).
	Traffic deploy.Traffic
	// Metrics is the metrics provider health gates query (activities/analysis.go).
	Metrics prometheus.Provider
	// HTTP is the client smoke checks use; its timeout is set per check.
	HTTP *http.Client
	// Artifacts fetches artifacts, signatures, SBOMs and reports for the integrity phase.
	Artifacts artifacts.Fetcher
	// EvidenceStore keeps readiness evidence out of workflow history (activities/readiness.go).
	EvidenceStore EvidenceStore
	// Audit is the tamper-evident audit trail (activities/audit.go).
	Audit store.AuditStore
	// Governance locates the calendar, directory, policies and risk model (activities/governance.go).
	Governance GovernanceConfig
	// Archive is where closed releases' signed bundles go and how long they stay (activities/archive.go).
	Archive ArchiveConfig
	// Clock paces the post-deployment watch; the zero value is the wall clock (activities/watch.go).
	Clock Clock
	// Notifier sends handoffs, reminders and escalations to the support channel; nil logs them
	// (activities/handoff.go). Diagrams renders architecture diagrams (activities/diagram.go).
	Notifier Notifier
	Diagrams DiagramRenderer
	// Slack posts approval and wave messages when configured (activities/slack.go).
	Slack SlackConfig
	// GitHub and Jira record deployments and change requests when configured
	// (activities/github.go, activities/jira.go).
	GitHub GitHubConfig
	Jira   JiraConfig
	Logger *slog.Logger
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
