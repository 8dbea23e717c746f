package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/mocks"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/web"
)

func running(ids ...string) []*workflowpb.WorkflowExecutionInfo {
	var out []*workflowpb.WorkflowExecutionInfo
	for _, id := range ids {
		out = append(out, &workflowpb.WorkflowExecutionInfo{Execution: &commonpb.WorkflowExecution{WorkflowId: id}})
	}
	return out
}

// The webhook's candidates are every running release whose spec names a source head, over all
// of visibility's pages; a release intake has not recorded yet is skipped, not an error.
func TestReleasesWithSourceListsEveryRunningReleaseWithAHead(t *testing.T) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "tollgate.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	for id, src := range map[string]*release.Source{"shop-1": {Base: "v1", Head: "abc1234"}, "shop-2": nil, "shop-3": {Base: "v1", Head: "def4567"}} {
		spec := release.Spec{Metadata: release.Metadata{ID: id}, Source: src}
		require.NoError(t, st.SaveRelease(ctx, store.ReleaseRecord{ID: id, Spec: spec, StartedAt: time.Now()}))
	}

	tc := mocks.NewClient(t)
	runningOnly := mock.MatchedBy(func(r *workflowservice.ListWorkflowExecutionsRequest) bool {
		return strings.Contains(r.Query, "ExecutionStatus = 'Running'") && len(r.NextPageToken) == 0
	})
	secondPage := mock.MatchedBy(func(r *workflowservice.ListWorkflowExecutionsRequest) bool { return string(r.NextPageToken) == "p2" })
	tc.On("ListWorkflow", mock.Anything, runningOnly).Return(&workflowservice.ListWorkflowExecutionsResponse{
		Executions: running("shop-1", "shop-2"), NextPageToken: []byte("p2")}, nil).Once()
	tc.On("ListWorkflow", mock.Anything, secondPage).Return(&workflowservice.ListWorkflowExecutionsResponse{
		Executions: running("shop-9", "shop-3")}, nil).Once()

	got, err := ReleasesWithSource(&control.Client{Temporal: tc}, st)(ctx)
	require.NoError(t, err)
	assert.Equal(t, []web.SourceRelease{{ID: "shop-1", Head: "abc1234"}, {ID: "shop-3", Head: "def4567"}}, got)
}
