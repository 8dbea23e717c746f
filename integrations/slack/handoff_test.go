package slack

import (
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandoffAcknowledgedKeepsThePackageAndDropsTheButton(t *testing.T) {
	at := time.Date(2026, 3, 5, 11, 0, 0, 0, time.UTC)
	msg, err := HandoffMessage(HandoffView{ReleaseID: "r1", Title: "Shop", Contact: "support", KnownIssues: []string{"#3 slow cart"}})
	require.NoError(t, err)
	require.Contains(t, string(msg.Blocks), ActionAcknowledgeHandoff)
	var original slackapi.Blocks
	require.NoError(t, original.UnmarshalJSON(msg.Blocks)) // as an interaction carries them

	tests := []struct {
		name     string
		original []slackapi.Block
		want     []string
	}{
		{"with the clicked message's blocks", original.BlockSet, []string{"#3 slow cart", "acknowledged by sam at 2026-03-05T11:00:00Z"}},
		{"without them", nil, []string{"Release r1", "acknowledged by sam at 2026-03-05T11:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acked, err := HandoffAcknowledged("r1", tt.original, "sam", at)
			require.NoError(t, err)
			assert.Equal(t, HandoffKey("r1"), acked.Key, "the key stays, so the message is still found")
			assert.NotContains(t, string(acked.Blocks), ActionAcknowledgeHandoff)
			for _, w := range tt.want {
				assert.Contains(t, string(acked.Blocks), w)
			}
		})
	}
}
