package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buttons returns the action ID → value of every button in rendered blocks.
func buttons(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var blocks slackapi.Blocks
	require.NoError(t, json.Unmarshal(raw, &blocks))
	out := map[string]string{}
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slackapi.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slackapi.ButtonBlockElement); ok {
					out[btn.ActionID] = btn.Value
				}
			}
		}
	}
	return out
}

func TestExceptionMessage(t *testing.T) {
	until := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	open := ExceptionView{ReleaseID: "shop-1", Wave: "prod", Environments: []string{"prod-eu", "prod-us"},
		Freeze: "black-friday", Held: "freeze black-friday until 2026-11-30T00:00:00Z", Until: until}
	noEnd := open
	noEnd.Until = time.Time{}
	closed := open
	closed.Closed = "exception granted by vic until 2026-11-28T12:00:00Z: CVE fix"
	tests := []struct {
		name       string
		view       ExceptionView
		wantButton bool
		want       []string
		wantText   string
	}{
		{"open gate has the button", open, true,
			[]string{"*Release shop-1*, wave *prod* (prod-eu, prod-us) is held: freeze black-friday until 2026-11-30T00:00:00Z", "It may go ahead at 2026-11-30T00:00:00Z", "an executive may grant an exception"},
			"Release shop-1 wave prod held by freeze black-friday: an executive may grant an exception"},
		{"nothing opens within a year", noEnd, true, []string{"Nothing opens within a year"}, ""},
		{"closed gate says why and has no button", closed, false,
			[]string{"Exception gate closed: exception granted by vic until 2026-11-28T12:00:00Z: CVE fix"},
			"Release shop-1 wave prod exception gate closed: exception granted by vic until 2026-11-28T12:00:00Z: CVE fix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ExceptionMessage(2, tt.view)
			require.NoError(t, err)
			assert.Equal(t, "shop-1/exception-2", m.Key)
			for _, w := range tt.want {
				assert.Contains(t, string(m.Blocks), w)
			}
			if tt.wantText != "" {
				assert.Equal(t, tt.wantText, m.Text)
			}
			got := buttons(t, m.Blocks)
			if !tt.wantButton {
				assert.Empty(t, got)
				return
			}
			require.Contains(t, got, ActionGrantException)
			rel, freeze, err := ParseExceptionValue(got[ActionGrantException])
			require.NoError(t, err)
			assert.Equal(t, []string{"shop-1", "black-friday"}, []string{rel, freeze})
		})
	}
}

func TestExceptionValue(t *testing.T) {
	tests := []struct {
		name, release, freeze string
		wantErr               string
	}{
		{"plain", "shop-1", "black-friday", ""},
		{"freeze IDs are free text, a | included", "shop-1", "q4|eu", ""},
		{"release with |", "shop|1", "black-friday", "without \"|\""},
		{"no freeze", "shop-1", "", "freeze: required"},
		{"past Slack's 2000 characters", "shop-1", strings.Repeat("f", 1994), "2000-character button value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ExceptionValue(tt.release, tt.freeze)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				_, err = ExceptionMessage(0, ExceptionView{ReleaseID: tt.release, Freeze: tt.freeze})
				require.ErrorContains(t, err, tt.wantErr, "an open gate cannot be rendered without a usable button")
				return
			}
			require.NoError(t, err)
			assert.LessOrEqual(t, len(v), 2000)
			rel, freeze, err := ParseExceptionValue(v)
			require.NoError(t, err)
			assert.Equal(t, tt.release, rel)
			assert.Equal(t, tt.freeze, freeze)
		})
	}
	_, _, err := ParseExceptionValue("shop-1")
	require.Error(t, err)
}

func TestClientOpenExceptionModal(t *testing.T) {
	f, c := newTestClient(t)
	url := f.ResponseURL()
	require.NoError(t, c.OpenExceptionModal(context.Background(), "trig-1",
		ExceptionModal{ReleaseID: "shop-1", Freeze: "q4|eu", ResponseURL: url}))
	views := f.Views()
	require.Len(t, views, 1)
	assert.Equal(t, CallbackException, views[0].CallbackID)
	m, err := ParseExceptionMetadata(views[0].PrivateMetadata)
	require.NoError(t, err)
	assert.Equal(t, ExceptionModal{ReleaseID: "shop-1", Freeze: "q4|eu", ResponseURL: url}, m)

	var blocks slackapi.Blocks
	require.NoError(t, json.Unmarshal(views[0].Blocks, &blocks))
	inputs := map[string]*slackapi.PlainTextInputBlockElement{}
	for _, b := range blocks.BlockSet {
		if in, ok := b.(*slackapi.InputBlock); ok {
			el, ok := in.Element.(*slackapi.PlainTextInputBlockElement)
			require.True(t, ok, "block %s holds a plain-text input", in.BlockID)
			inputs[in.BlockID] = el
			if in.BlockID == ExceptionDurationBlock {
				assert.Equal(t, "how long the exception lasts: 30m, 12h, 3d", in.Hint.Text)
			}
		}
	}
	require.Contains(t, inputs, ExceptionJustificationBlock)
	require.Contains(t, inputs, ExceptionDurationBlock)
	assert.True(t, inputs[ExceptionJustificationBlock].Multiline)
	assert.Equal(t, ExceptionJustificationInput, inputs[ExceptionJustificationBlock].ActionID)
	assert.Equal(t, ExceptionDurationInput, inputs[ExceptionDurationBlock].ActionID)
	assert.Equal(t, "12h", inputs[ExceptionDurationBlock].Placeholder.Text)

	_, err = ParseExceptionMetadata("shop-1|" + url)
	require.Error(t, err, "metadata without a freeze")
}
