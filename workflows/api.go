// Package workflows holds Tollgate's Temporal workflows: the deterministic orchestration of a
// release's phases. It performs no I/O; everything that touches the world is an activity.
package workflows

import (
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/rollout"
)

// TaskQueue is the task queue every Tollgate worker polls.
const TaskQueue = "tollgate"

// Workflow type names, registered explicitly so renaming a Go function never orphans a history.
const (
	ReleaseWorkflowName = "ReleaseWorkflow"
	WaveWorkflowName    = "WaveWorkflow"
	// RolloutWorkflowName runs the strategy of one service in one environment (workflows/rollout.go).
	RolloutWorkflowName = "RolloutWorkflow"
)

// Update, query and signal names: the control surface of a running release.
const (
	UpdateApprove  = "approve"
	UpdateReject   = "reject"
	UpdatePause    = "pause"
	UpdateResume   = "resume"
	UpdateRollback = "rollback"
	// UpdateGrantException lets an executive lift a freeze for this release, with a
	// justification and an expiry.
	UpdateGrantException = "grant-exception"
	// UpdateRecheck re-collects the evidence of a blocked readiness or pre-deploy gate.
	UpdateRecheck = "recheck"
	// UpdateWaive waives one failing blocking criterion; only its owner may.
	UpdateWaive = "waive"
	QueryStatus = "status"
	// SignalWaveControl carries the parent's pause/abort state to a running wave child.
	SignalWaveControl = "wave-control"
	// SignalWaveHeld tells the parent that a wave paused itself for a human (a marginal or
	// inconclusive analysis), so the release shows as paused and `resume` continues it. A
	// rollout child sends the same signal to its wave, which pauses and passes it on.
	SignalWaveHeld = "wave-held"
)

// Search attributes that make releases listable through Temporal visibility.
const (
	SearchAttrReleaseID   = "TollgateReleaseID"
	SearchAttrPhase       = "TollgatePhase"
	SearchAttrServices    = "TollgateServices"
	SearchAttrEnvironment = "TollgateEnvironment"
	SearchAttrRiskClass   = "TollgateRiskClass"
)

// Phase is where a release is in its life.
type Phase string

// The phases of the foundation release workflow, in order.
const (
	PhaseIntake    Phase = "intake"
	PhaseReadiness Phase = "readiness"
	// PhaseReadinessBlocked: a blocking readiness or pre-deploy criterion failed; the release
	// waits for a recheck, a waiver by the criterion's owner, or a rejection.
	PhaseReadinessBlocked Phase = "readiness-blocked"
	PhaseIntegrity        Phase = "integrity"
	PhasePreDeploy        Phase = "pre-deploy"
	PhaseRisk             Phase = "risk"
	PhaseApproval         Phase = "approval"
	// PhaseChangeControl: approved, waiting for the Jira change request to reach the spec's
	// changeControl.waitFor status (ITSM-driven mode, changecontrol.go).
	PhaseChangeControl Phase = "change-control"
	PhaseDeploying     Phase = "deploying"
	PhaseRollingBack   Phase = "rolling-back"
	PhaseReview        Phase = "review"
	PhaseClosed        Phase = "closed"
)

// Outcome is how a release ended; empty while it runs.
type Outcome string

// Release outcomes.
const (
	OutcomeCompleted       Outcome = "completed"
	OutcomeRejected        Outcome = "rejected"
	OutcomeApprovalExpired Outcome = "approval-expired"
	OutcomeRolledBack      Outcome = "rolled-back"
	OutcomeRollbackFailed  Outcome = "rollback-failed"
	OutcomeInvalid         Outcome = "invalid"
	OutcomeIntegrityFailed Outcome = "integrity-failed"
	// OutcomeReadinessBlocked: the release was cancelled while a readiness gate held it.
	OutcomeReadinessBlocked Outcome = "readiness-blocked"
	// OutcomeCancelled: the release was cancelled through Temporal before it deployed anything
	// (a cancellation during the waves rolls back and ends rolled-back).
	OutcomeCancelled Outcome = "cancelled"
)

// Outcomes are every outcome, in the order above.
var Outcomes = []Outcome{OutcomeCompleted, OutcomeRejected, OutcomeApprovalExpired, OutcomeRolledBack,
	OutcomeRollbackFailed, OutcomeInvalid, OutcomeIntegrityFailed, OutcomeReadinessBlocked, OutcomeCancelled}

// ServiceState is the state of one service in one environment.
type ServiceState string

// Service states, from untouched to finished either way.
const (
	ServicePending        ServiceState = "pending"
	ServiceDeploying      ServiceState = "deploying"
	ServiceVerifying      ServiceState = "verifying"
	ServiceSmokeTesting   ServiceState = "smoke-testing"
	ServiceDeployed       ServiceState = "deployed"
	ServiceFailed         ServiceState = "failed"
	ServiceRollingBack    ServiceState = "rolling-back"
	ServiceRolledBack     ServiceState = "rolled-back"
	ServiceRollbackFailed ServiceState = "rollback-failed"
)

// WaveState is the state of one wave.
type WaveState string

// Wave states.
const (
	WavePending    WaveState = "pending"
	WaveRunning    WaveState = "running"
	WaveCompleted  WaveState = "completed"
	WaveFailed     WaveState = "failed"
	WaveAborted    WaveState = "aborted"
	WaveRolledBack WaveState = "rolled-back"
)

// Request is the input of every control update: who acts and why.
type Request struct {
	// Actor is the acting identity; the validator checks it against the release's policy.
	Actor  string `json:"actor"`
	Reason string `json:"reason,omitempty"`
	// Criterion is the readiness criterion ID a waive names.
	Criterion string `json:"criterion,omitempty"`
	// Freeze and Expires are the exception a grant-exception request asks for.
	Freeze  string    `json:"freeze,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
}

// Response is what a control update returns to its caller.
type Response struct {
	Phase   Phase  `json:"phase"`
	Message string `json:"message"`
}

// Event is one line of a release's timeline.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor,omitempty"`
	Message string    `json:"message"`
}

// WaveHeld is the payload of SignalWaveHeld.
type WaveHeld struct {
	Wave        string `json:"wave"`
	Environment string `json:"environment"`
	Service     string `json:"service"`
	Reason      string `json:"reason"`
}

// Decision is an approval or rejection.
type Decision struct {
	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// ApprovalStatus is the approval gate as the status query shows it.
type ApprovalStatus struct {
	Required  int        `json:"required"`
	Approvers []string   `json:"approvers"`
	Approved  []Decision `json:"approved"`
	Rejected  *Decision  `json:"rejected,omitempty"`
	Deadline  time.Time  `json:"deadline,omitempty"`
	// Missing says what the policy still needs ("1 more from group cab").
	Missing []string `json:"missing,omitempty"`
	// Escalated is when the request went to the escalation group.
	Escalated time.Time `json:"escalated,omitzero"`
}

// ServiceStatus is one service in one environment.
type ServiceStatus struct {
	Name    string       `json:"name"`
	Version string       `json:"version"`
	State   ServiceState `json:"state"`
	Error   string       `json:"error,omitempty"`
	// Replayed counts steps whose completed result was reused instead of running them again.
	Replayed int `json:"replayed,omitempty"`
	// Rollout is the progress of a service with a strategy; nil without one.
	Rollout *RolloutStatus `json:"rollout,omitempty"`
}

// RolloutStatus is how far a service's strategy got in one environment: enough to show it and
// to undo it exactly (rollout.Plan is pure, so Previous and Started rebuild the rollback plan).
type RolloutStatus struct {
	Strategy string `json:"strategy"`
	// Steps is the length of the plan; Started counts the steps begun (rollout.Progress).
	Steps   int `json:"steps"`
	Started int `json:"started"`
	// Step names the step running now, or the last one begun.
	Step string `json:"step,omitempty"`
	// Weight is the canary's share of requests and Colour the serving colour, as last set.
	Weight int    `json:"weight"`
	Colour string `json:"colour,omitempty"`
	// Previous is the target's state before the release touched it: what a rollback restores.
	Previous rollout.Snapshot `json:"previous"`
	// Verdict, Score and Reason are those of the last analysis; Extensions counts its bake
	// extensions for lack of samples.
	Verdict    string  `json:"verdict,omitempty"`
	Score      float64 `json:"score,omitempty"`
	Reason     string  `json:"reason,omitempty"`
	Extensions int     `json:"extensions,omitempty"`
	// Held is true while the rollout waits for a human after a marginal or inconclusive analysis.
	Held bool `json:"held,omitempty"`
}

// EnvironmentStatus is one environment of a wave.
type EnvironmentStatus struct {
	Name     string          `json:"name"`
	Services []ServiceStatus `json:"services"`
}

// WaveStatus is one wave of the release.
type WaveStatus struct {
	Name         string              `json:"name"`
	State        WaveState           `json:"state"`
	WorkflowID   string              `json:"workflowId,omitempty"`
	Environments []EnvironmentStatus `json:"environments"`
}

// Status is the answer of the status query.
type Status struct {
	ReleaseID string         `json:"releaseId"`
	Title     string         `json:"title"`
	Owner     string         `json:"owner"`
	Initiator string         `json:"initiator"`
	Phase     Phase          `json:"phase"`
	Outcome   Outcome        `json:"outcome,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Paused    bool           `json:"paused"`
	Approval  ApprovalStatus `json:"approval"`
	Waves     []WaveStatus   `json:"waves"`
	ReviewDue time.Time      `json:"reviewDue,omitempty"`
	// Integrity is every artifact's checks, once the integrity phase ran.
	Integrity *IntegrityStatus `json:"integrity,omitempty"`
	// Source is the change between the spec's base and head, once the risk phase read it.
	Source *SourceStatus `json:"source,omitempty"`
	// Risk is the score, class, explanation and the approval policy it selected.
	Risk *RiskStatus `json:"risk,omitempty"`
	// Flagged marks releases the policy wants reviewed with extra care (emergencies).
	Flagged bool `json:"flagged,omitempty"`
	// Waiting says what holds the next wave: a freeze, a window, another release's targets.
	Waiting string `json:"waiting,omitempty"`
	// Exceptions are the freeze exceptions granted to this release.
	Exceptions []calendar.Exception `json:"exceptions,omitempty"`
	// AuditHead is the hash of the signed audit checkpoint that covers the closed release.
	AuditHead string `json:"auditHead,omitempty"`
	// Records are the change request, the GitHub deployments and the records not written.
	Records *RecordsStatus `json:"records,omitempty"`
	// ChangeControl is the Jira change request's wait in ITSM-driven mode.
	ChangeControl *ChangeControlStatus `json:"changeControl,omitempty"`
	// Readiness is the readiness and pre-deploy gate tables, once either gate ran.
	Readiness *ReadinessStatus `json:"readiness,omitempty"`
	// Watch, Review, Handoff and Archive are the phases after the waves (postdeploy_api.go).
	APIDocs  []activities.APIDocReport `json:"apiDocs,omitempty"`
	Watch    []WatchStatus             `json:"watch,omitempty"`
	Review   *ReviewStatus             `json:"review,omitempty"`
	Handoff  *HandoffStatus            `json:"handoff,omitempty"`
	Archive  *ArchiveStatus            `json:"archive,omitempty"`
	Timeline []Event                   `json:"timeline"`
}

// ReleaseWorkflowID is the workflow ID of a release: the release ID itself, so that starting
// the same release twice finds the running one.
func ReleaseWorkflowID(releaseID string) string { return releaseID }

// WaveWorkflowID names the child workflow of one wave (or of its rollback).
func WaveWorkflowID(releaseID string, index int, mode WaveMode) string {
	return releaseID + "/" + string(mode) + "-" + strconv.Itoa(index)
}

// RolloutWorkflowID names the child workflow of one service's strategy in one environment of
// a wave.
func RolloutWorkflowID(releaseID string, index int, environment, service string) string {
	return WaveWorkflowID(releaseID, index, WaveDeploy) + "/" + environment + "/" + service
}
