package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/workflows"
)

func TestSlackHandoffAcknowledgeClick(t *testing.T) {
	r := newSlackRig(t)
	// The workflow's validator: only bob is in the support group, and only once.
	acked := false
	r.ctl.refuse = func(update string, req workflows.Request) error {
		switch {
		case update != workflows.UpdateAcknowledgeHandoff:
			return errors.New("unexpected update " + update)
		case req.Actor != "bob":
			return errors.New(req.Actor + " is not in the support group \"support\" of release \"shop-1\" (members: bob)")
		case acked:
			return errors.New("release \"shop-1\" was already acknowledged by bob")
		}
		acked = true
		return nil
	}
	msg, err := tgslack.HandoffMessage(tgslack.HandoffView{ReleaseID: "shop-1", Title: "Shop", Contact: "support"})
	require.NoError(t, err)
	_, err = r.slack.o.Slack.Post(context.Background(), "C1", msg)
	require.NoError(t, err)

	r.send(t, r.caller.Click("UALICE", tgslack.ActionAcknowledgeHandoff, "shop-1"), 0)
	r.slack.Wait()
	require.Empty(t, r.ctl.Calls())
	require.Len(t, r.fake.Responses(), 1)
	assert.Contains(t, r.fake.Responses()[0].Text, "Refused: alice is not in the support group")
	assert.Equal(t, 0, r.fake.Messages("C1")[0].Updates, "a refusal leaves the message as it was")

	click := r.caller.Click("UBOB", tgslack.ActionAcknowledgeHandoff, "shop-1")
	require.Equal(t, http.StatusOK, r.send(t, click, 0))
	retry := click
	retry.TS++ // Slack's retry: same body, new timestamp and signature
	require.Equal(t, http.StatusOK, r.send(t, retry, 1))
	r.slack.Wait()
	assert.Equal(t, []string{"shop-1 acknowledge-handoff bob acknowledged in Slack"}, r.ctl.Calls(), "acknowledged once")
	msgs := r.fake.Messages("C1")
	require.Len(t, msgs, 1)
	assert.Equal(t, 1, msgs[0].Updates)
	assert.Contains(t, string(msgs[0].Blocks), "acknowledged by bob at ")
	assert.NotContains(t, string(msgs[0].Blocks), tgslack.ActionAcknowledgeHandoff, "the button is gone")
	assert.Len(t, r.fake.Responses(), 1, "the acceptance shows in the message, not as an answer")

	r.send(t, r.caller.Click("UBOB", tgslack.ActionAcknowledgeHandoff, "shop-1"), 0)
	r.slack.Wait()
	require.Len(t, r.fake.Responses(), 2)
	assert.True(t, strings.HasPrefix(r.fake.Responses()[1].Text, "Refused: release \"shop-1\" was already acknowledged"))
	assert.Len(t, r.ctl.Calls(), 1)
}
