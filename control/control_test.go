package control

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/workflows"
)

func TestControlSendsTheIdempotencyKeyAsTheUpdateID(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"with a key", WithUpdateID(context.Background(), "slack-3f2a"), "slack-3f2a"},
		{"without a key the SDK picks one", context.Background(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, h := mocks.NewClient(t), mocks.NewWorkflowUpdateHandle(t)
			var sent client.UpdateWorkflowOptions
			tc.On("UpdateWorkflow", mock.Anything, mock.Anything).
				Run(func(args mock.Arguments) { sent = args.Get(1).(client.UpdateWorkflowOptions) }).
				Return(h, nil).Once()
			h.On("Get", mock.Anything, mock.Anything).
				Run(func(args mock.Arguments) {
					*args.Get(1).(*workflows.Response) = workflows.Response{Message: "approved by bob"}
				}).
				Return(nil).Once()

			resp, err := (&Client{Temporal: tc}).Control(tt.ctx, "shop-1", workflows.UpdateApprove, workflows.Request{Actor: "bob"})
			require.NoError(t, err)
			assert.Equal(t, "approved by bob", resp.Message)
			assert.Equal(t, tt.want, sent.UpdateID)
			assert.Equal(t, workflows.ReleaseWorkflowID("shop-1"), sent.WorkflowID)
			assert.Equal(t, workflows.UpdateApprove, sent.UpdateName)
			assert.Equal(t, client.WorkflowUpdateStageCompleted, sent.WaitForStage)
			assert.Equal(t, []any{workflows.Request{Actor: "bob"}}, sent.Args)
		})
	}
}

func TestControlErrors(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantRefused bool
		wantMissing bool
		wantText    string
	}{
		{"validator refusal", temporal.NewApplicationError("bob authored a change", "refused"), true, false, `approve release "shop-1" refused: bob authored a change`},
		{"no such release", serviceerror.NewNotFound("workflow not found"), false, true, `approve release "shop-1": release "shop-1": not found`},
		{"Temporal unreachable", errors.New("connection refused"), false, false, `approve release "shop-1": connection refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := mocks.NewClient(t)
			tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(nil, tt.err).Once()
			_, err := (&Client{Temporal: tc}).Control(context.Background(), "shop-1", workflows.UpdateApprove, workflows.Request{Actor: "bob"})
			require.Error(t, err)
			assert.Equal(t, tt.wantText, err.Error())
			assert.Equal(t, tt.wantRefused, errors.Is(err, ErrRefused))
			assert.Equal(t, tt.wantMissing, errors.Is(err, ErrNotFound))
			var re *RefusedError
			if tt.wantRefused {
				require.ErrorAs(t, err, &re)
				assert.Equal(t, "bob authored a change", re.Reason)
			}
		})
	}
}
