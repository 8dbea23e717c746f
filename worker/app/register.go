// Package app assembles the worker process: the embedded server in dev mode, the Temporal
// worker with Tollgate's workflows and activities, and the HTTP server.
package app

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/workflows"
)

// Register puts Tollgate's workflows and activities on a worker. Tests use it too, so the
// end-to-end suite runs exactly what production runs.
func Register(r worker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
}

// RegisterWorkflows registers the workflows under their fixed names; replayers use it alone.
func RegisterWorkflows(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.ReleaseWorkflow, workflow.RegisterOptions{Name: workflows.ReleaseWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.WaveWorkflow, workflow.RegisterOptions{Name: workflows.WaveWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.RolloutWorkflow, workflow.RegisterOptions{Name: workflows.RolloutWorkflowName})
}

// SearchAttributes are the custom search attributes Tollgate's workflows set.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	workflows.SearchAttrReleaseID:   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	workflows.SearchAttrPhase:       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	workflows.SearchAttrServices:    enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	workflows.SearchAttrEnvironment: enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST,
	workflows.SearchAttrRiskClass:   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}
