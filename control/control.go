// Package control is the client side of a release: start it, read its status, send it
// controls. The CLI, the web API and the tests all go through it, so they behave alike.
package control

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

// ErrNotFound means no release has that ID.
var ErrNotFound = errors.New("not found")

// Client controls releases through a Temporal client.
type Client struct {
	Temporal client.Client
}

// Started reports a start request.
type Started struct {
	ReleaseID string `json:"releaseId"`
	RunID     string `json:"runId"`
	// Existing is true when the release was already running and this start found it.
	Existing bool `json:"existing"`
}

// Start starts a release, or finds it when it is already running: the workflow ID is the
// release ID. A release ID that has finished cannot be started again.
func (c *Client) Start(ctx context.Context, spec *release.Spec, initiator string) (Started, error) {
	id := spec.Metadata.ID
	if initiator == "" {
		return Started{}, errors.New("no acting identity: pass --as or set TOLLGATE_USER")
	}
	existing := false
	if d, err := c.Temporal.DescribeWorkflowExecution(ctx, workflows.ReleaseWorkflowID(id), ""); err == nil &&
		d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		existing = true
	}
	services := make([]string, 0, len(spec.Services))
	for _, s := range spec.Services {
		services = append(services, s.Name)
	}
	opts := client.StartWorkflowOptions{
		ID:                       workflows.ReleaseWorkflowID(id),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword(workflows.SearchAttrReleaseID).ValueSet(id),
			temporal.NewSearchAttributeKeyKeywordList(workflows.SearchAttrServices).ValueSet(services),
			temporal.NewSearchAttributeKeyKeyword(workflows.SearchAttrPhase).ValueSet(string(workflows.PhaseIntake)),
		),
	}
	run, err := c.Temporal.ExecuteWorkflow(ctx, opts, workflows.ReleaseWorkflowName, workflows.ReleaseInput{Spec: *spec, Initiator: initiator})
	if err != nil {
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &already) {
			return Started{}, fmt.Errorf("release %q already ran; a finished release is never started again: give the new release a new metadata.id", id)
		}
		return Started{}, fmt.Errorf("start release %q: %w", id, err)
	}
	return Started{ReleaseID: id, RunID: run.GetRunID(), Existing: existing}, nil
}

// Status returns the release's status, with the live state of its running wave merged in.
func (c *Client) Status(ctx context.Context, releaseID string) (workflows.Status, error) {
	var st workflows.Status
	v, err := c.Temporal.QueryWorkflow(ctx, workflows.ReleaseWorkflowID(releaseID), "", workflows.QueryStatus)
	if err != nil {
		return st, notFound(releaseID, err)
	}
	if err := v.Get(&st); err != nil {
		return st, fmt.Errorf("release %q: decode status: %w", releaseID, err)
	}
	for i, w := range st.Waves {
		if w.State != workflows.WaveRunning || w.WorkflowID == "" {
			continue
		}
		cv, err := c.Temporal.QueryWorkflow(ctx, w.WorkflowID, "", workflows.QueryStatus)
		if err != nil {
			continue // the wave finished between the two queries; the parent's view stands
		}
		var wr workflows.WaveResult
		if err := cv.Get(&wr); err == nil {
			st.Waves[i].Environments = wr.Environments
		}
	}
	return st, nil
}

// Result waits for the release to finish and returns how it ended.
func (c *Client) Result(ctx context.Context, releaseID string) (workflows.ReleaseResult, error) {
	var res workflows.ReleaseResult
	err := c.Temporal.GetWorkflow(ctx, workflows.ReleaseWorkflowID(releaseID), "").Get(ctx, &res)
	return res, err
}

// Control sends one control update (approve, reject, pause, resume, rollback) and returns the
// workflow's answer, or the validator's refusal as a *RefusedError (errors.Is ErrRefused). An
// idempotency key set with WithUpdateID on ctx is the Update ID.
func (c *Client) Control(ctx context.Context, releaseID, update string, req workflows.Request) (workflows.Response, error) {
	var resp workflows.Response
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:     UpdateID(ctx),
		WorkflowID:   workflows.ReleaseWorkflowID(releaseID),
		UpdateName:   update,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return resp, refusal(releaseID, update, err)
	}
	if err := h.Get(ctx, &resp); err != nil {
		return resp, refusal(releaseID, update, err)
	}
	return resp, nil
}

// refusal turns Temporal's error wrapping into the validator's own words.
func refusal(releaseID, update string, err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return &RefusedError{Update: update, ReleaseID: releaseID, Reason: app.Message()}
	}
	return fmt.Errorf("%s release %q: %w", update, releaseID, notFound(releaseID, err))
}

func notFound(releaseID string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("release %q: %w", releaseID, ErrNotFound)
	}
	return err
}
