package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays histories recorded on a real server by an earlier build
// (testdata/histories). A failure means a workflow change altered the command sequence of
// releases that may still be running: put the change behind workflow.GetVersion.
//
// To add or refresh recordings after a deliberate, versioned change: `make histories`, which
// runs test/TestRecordHistories with TOLLGATE_RECORD_HISTORIES=1. Keep the old files: they
// are what proves old releases still resume.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 10, "recorded histories are missing")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(ReleaseWorkflow, workflow.RegisterOptions{Name: ReleaseWorkflowName})
			r.RegisterWorkflowWithOptions(WaveWorkflow, workflow.RegisterOptions{Name: WaveWorkflowName})
			r.RegisterWorkflowWithOptions(RolloutWorkflow, workflow.RegisterOptions{Name: RolloutWorkflowName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
