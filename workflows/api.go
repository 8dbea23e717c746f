// Package workflows holds Tollgate's Temporal workflows: the deterministic orchestration of a
// release's phases. It performs no I/O; everything that touches the world is an activity.
package workflows

import (
	"strconv"
	"time"
)

// TaskQueue is the task queue every Tollgate worker polls.
const TaskQueue = "tollgate"

// Workflow type names, registered explicitly so renaming a Go function never orphans a history.
const (
	ReleaseWorkflowName = "ReleaseWorkflow"
	WaveWorkflowName    = "WaveWorkflow"
)

// Update, query and signal names: the control surface of a running release.
const (
	UpdateApprove  = "approve"
	UpdateReject   = "reject"
	UpdatePause    = "pause"
	UpdateResume   = "resume"
	UpdateRollback = "rollback"
	QueryStatus    = "status"
	// SignalWaveControl carries the parent's pause/abort state to a running wave child.
	SignalWaveControl = "wave-control"
	// SignalWaveHeld tells the parent that a wave paused itself for a human (a marginal or
	// inconclusive analysis), so the release shows as paused and `resume` continues it.
	SignalWaveHeld = "wave-held"
)

// Search attributes that make releases listable through Temporal visibility.
const (
	SearchAttrReleaseID   = "TollgateReleaseID"
	SearchAttrPhase       = "TollgatePhase"
	SearchAttrServices    = "TollgateServices"
	SearchAttrEnvironment = "TollgateEnvironment"
)

// Phase is where a release is in its life.
type Phase string

// The phases of the foundation release workflow, in order.
const (
	PhaseIntake      Phase = "intake"
	PhaseApproval    Phase = "approval"
	PhaseDeploying   Phase = "deploying"
	PhaseRollingBack Phase = "rolling-back"
	PhaseReview      Phase = "review"
	PhaseClosed      Phase = "closed"
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
)

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
}

// ServiceStatus is one service in one environment.
type ServiceStatus struct {
	Name    string       `json:"name"`
	Version string       `json:"version"`
	State   ServiceState `json:"state"`
	Error   string       `json:"error,omitempty"`
	// Replayed counts steps whose completed result was reused instead of running them again.
	Replayed int `json:"replayed,omitempty"`
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
	Timeline  []Event        `json:"timeline"`
}

// ReleaseWorkflowID is the workflow ID of a release: the release ID itself, so that starting
// the same release twice finds the running one.
func ReleaseWorkflowID(releaseID string) string { return releaseID }

// WaveWorkflowID names the child workflow of one wave (or of its rollback).
func WaveWorkflowID(releaseID string, index int, mode WaveMode) string {
	return releaseID + "/" + string(mode) + "-" + strconv.Itoa(index)
}
