package test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/workflows"
)

// TestAReleaseCancelledInTemporalRollsBackAndFreesItsTargets: someone presses Cancel in the
// Temporal Web UI while the first wave runs. The release rolls back what it touched, the store
// records its end, and another release can take the same targets at once.
func TestAReleaseCancelledInTemporalRollsBackAndFreesItsTargets(t *testing.T) {
	c := newCluster(t)
	acts := scriptActivities(t, t.TempDir())
	acts.EvidenceStore = &activities.MemEvidenceStore{}
	c.startWorker(acts)
	const id = "cancel-1"
	spec := signed(t, markerSpec(id, 2, 2, "sleep 1"))
	ctx := context.Background()
	c.startAtApproval(spec)
	c.approve(id, "bob")
	c.waitFor(id, "first wave running", func(st workflows.Status) bool { return st.Waves[0].State == workflows.WaveRunning })

	require.NoError(t, c.client.CancelWorkflow(ctx, id, ""))
	res := releaseResult(t, c, id)
	assert.Equal(t, workflows.OutcomeRolledBack, res.Outcome, res.Reason)
	assert.Contains(t, res.Reason, "cancelled through Temporal")

	rec, err := acts.Store.GetRelease(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, string(workflows.OutcomeRolledBack), rec.Outcome, "the store knows the release ended")
	conflicts, err := acts.Store.AcquireTargets(ctx, "next-1", "env-0", []string{"svc-00", "svc-01"}, time.Now())
	require.NoError(t, err)
	assert.Empty(t, conflicts, "the cancelled release holds no target")
}
