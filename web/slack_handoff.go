package web

import (
	"context"
	"errors"
	"fmt"

	slackapi "github.com/slack-go/slack"

	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
)

// markAcknowledged turns the clicked handoff message into "acknowledged by X at T", with the
// workflow's record of who and when when it can be read. The message is the one clicked, or
// else the one carrying the handoff key in the clicked channel.
func (s *Slack) markAcknowledged(ctx context.Context, cb slackapi.InteractionCallback, releaseID, actor string) {
	by, at := actor, s.o.Now()
	if st, err := s.o.Control.Status(ctx, releaseID); err == nil && st.Handoff != nil && st.Handoff.Acknowledged != nil {
		by, at = st.Handoff.Acknowledged.Actor, st.Handoff.Acknowledged.Time
	}
	channel, ts := cb.Channel.ID, cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	var err error
	if ts == "" {
		ts, err = s.o.Slack.Find(ctx, channel, tgslack.HandoffKey(releaseID))
	}
	if err == nil && ts == "" {
		err = errors.New("handoff message not found")
	}
	if err == nil {
		var msg tgslack.Message
		if msg, err = tgslack.HandoffAcknowledged(releaseID, cb.Message.Blocks.BlockSet, by, at); err == nil {
			err = s.o.Slack.Update(ctx, channel, ts, msg)
		}
	}
	if err != nil {
		// The acknowledgement stands; only its display is stale.
		s.o.Logger.Warn("slack handoff message not updated", "release", releaseID, "channel", channel, "error", err)
		s.respond(ctx, cb.ResponseURL, fmt.Sprintf("%s: handoff acknowledged by %s", releaseID, by))
	}
}
