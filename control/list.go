package control

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/tollgate-dev/tollgate/workflows"
)

// Summary is one release in a list.
type Summary struct {
	ReleaseID string    `json:"releaseId"`
	Phase     string    `json:"phase"`
	Status    string    `json:"status"`
	Services  []string  `json:"services"`
	StartedAt time.Time `json:"startedAt"`
	ClosedAt  time.Time `json:"closedAt,omitzero"`
}

// List returns releases from Temporal visibility, newest first.
func (c *Client) List(ctx context.Context, limit int) ([]Summary, error) {
	if limit <= 0 {
		limit = 50
	}
	resp, err := c.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		PageSize: int32(limit),
		Query:    fmt.Sprintf("WorkflowType = '%s'", workflows.ReleaseWorkflowName),
	})
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", err)
	}
	return summaries(resp), nil
}

// ListRunning returns every running release from Temporal visibility, across pages. Visibility
// is eventually consistent: a release's phase here may lag its workflow by moments, so callers
// that act on the phase ask the workflow (a query or an Update's validator) instead.
func (c *Client) ListRunning(ctx context.Context) ([]Summary, error) {
	var out []Summary
	var token []byte
	for {
		resp, err := c.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize:      200,
			NextPageToken: token,
			Query:         fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.ReleaseWorkflowName),
		})
		if err != nil {
			return nil, fmt.Errorf("list running releases: %w", err)
		}
		out = append(out, summaries(resp)...)
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}

func summaries(resp *workflowservice.ListWorkflowExecutionsResponse) []Summary {
	out := make([]Summary, 0, len(resp.GetExecutions()))
	for _, e := range resp.GetExecutions() {
		s := Summary{
			ReleaseID: e.GetExecution().GetWorkflowId(),
			Status:    e.GetStatus().String(),
			StartedAt: e.GetStartTime().AsTime(),
		}
		if e.GetCloseTime() != nil {
			s.ClosedAt = e.GetCloseTime().AsTime()
		}
		fields := e.GetSearchAttributes().GetIndexedFields()
		if p, ok := fields[workflows.SearchAttrPhase]; ok {
			_ = decodePayload(p, &s.Phase)
		}
		if p, ok := fields[workflows.SearchAttrServices]; ok {
			_ = decodePayload(p, &s.Services)
		}
		out = append(out, s)
	}
	return out
}
