package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// Options configure the real client. Token is the bot token (xoxb-…); it is handed to the
// library and never logged or put in an error.
type Options struct {
	Token string
	// APIURL is Slack's Web API base; empty means https://slack.com/api/. Tests point it at Fake.
	APIURL string
	// HTTP is the client used; nil means one with a 10 s timeout.
	HTTP *http.Client
	// ResponseURLPrefix limits where Respond posts: an interaction's response_url must start
	// with it (default https://hooks.slack.com/), so a forged URL cannot make Tollgate call out.
	ResponseURLPrefix string
	// HistoryLimit is how many recent messages Find searches (default 200).
	HistoryLimit int
}

// ErrResponseURLRefused is Respond's answer to a response_url outside the allowed prefix. It is
// permanent: the same URL is refused again.
var ErrResponseURLRefused = errors.New("slack response_url outside the allowed prefix; not answering")

// Client is the real Messenger.
type Client struct {
	api    *slackapi.Client
	http   *http.Client
	prefix string
	limit  int
}

// New builds a Client. The library's own retries stay off: Temporal is the only retry layer.
func New(o Options) *Client {
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
	if o.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(strings.TrimSuffix(o.APIURL, "/")+"/"))
	}
	c := &Client{api: slackapi.New(o.Token, opts...), http: hc, prefix: o.ResponseURLPrefix, limit: o.HistoryLimit}
	if c.prefix == "" {
		c.prefix = "https://hooks.slack.com/"
	}
	if c.limit == 0 {
		c.limit = 200
	}
	return c
}

func msgOptions(m Message) ([]slackapi.MsgOption, error) {
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(m.Text, false),
		slackapi.MsgOptionMetadata(slackapi.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": m.Key}}),
	}
	if len(m.Blocks) > 0 {
		var blocks slackapi.Blocks
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			return nil, fmt.Errorf("message %q: blocks: %w", m.Key, err)
		}
		opts = append(opts, slackapi.MsgOptionBlocks(blocks.BlockSet...))
	}
	return opts, nil
}

// Post implements Messenger.
func (c *Client) Post(ctx context.Context, channel string, m Message) (string, error) {
	opts, err := msgOptions(m)
	if err != nil {
		return "", err
	}
	_, ts, err := c.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage %q in %s: %w", m.Key, channel, err)
	}
	return ts, nil
}

// Update implements Messenger.
func (c *Client) Update(ctx context.Context, channel, ts string, m Message) error {
	opts, err := msgOptions(m)
	if err != nil {
		return err
	}
	if _, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, opts...); err != nil {
		return fmt.Errorf("slack chat.update %q (ts %s) in %s: %w", m.Key, ts, channel, err)
	}
	return nil
}

// Find implements Messenger: it searches the channel's recent history for the key in the
// metadata Tollgate attaches to every message.
func (c *Client) Find(ctx context.Context, channel, key string) (string, error) {
	f, err := c.FindMessage(ctx, channel, key)
	return f.TS, err
}

// FindMessage implements Messenger: the recent message whose metadata carries key.
func (c *Client) FindMessage(ctx context.Context, channel, key string) (Found, error) {
	res, err := c.api.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{
		ChannelID: channel, Limit: c.limit, IncludeAllMetadata: true,
	})
	if err != nil {
		return Found{}, fmt.Errorf("slack conversations.history %s (looking for %q): %w", channel, key, err)
	}
	for _, m := range res.Messages {
		if m.Metadata.EventType == MetadataEventType && m.Metadata.EventPayload["key"] == key {
			return Found{TS: m.Timestamp, Blocks: m.Blocks.BlockSet}, nil
		}
	}
	return Found{}, nil
}

// UserEmail implements Messenger.
func (c *Client) UserEmail(ctx context.Context, userID string) (string, error) {
	u, err := c.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("slack users.info %s: %w", userID, err)
	}
	return u.Profile.Email, nil
}

// Respond implements Messenger.
func (c *Client) Respond(ctx context.Context, responseURL, text string) error {
	if !strings.HasPrefix(responseURL, c.prefix) {
		return ErrResponseURLRefused
	}
	msg := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: text, ReplaceOriginal: false}
	if err := slackapi.PostWebhookCustomHTTPContext(ctx, responseURL, c.http, msg); err != nil {
		return fmt.Errorf("slack response_url: %w", redactURL(err, responseURL))
	}
	return nil
}

// ResponseURLPrefix is the prefix Respond accepts (Options.ResponseURLPrefix or its default).
func (c *Client) ResponseURLPrefix() string { return c.prefix }

// OpenReasonModal implements Messenger.
func (c *Client) OpenReasonModal(ctx context.Context, triggerID string, m ReasonModal) error {
	text := func(s string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
	}
	input := slackapi.NewPlainTextInputBlockElement(text("why?"), ReasonInput)
	input.Multiline = true
	view := slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		Title:           text(truncate(m.Title, 24)),
		Submit:          text("Confirm"),
		Close:           text("Cancel"),
		CallbackID:      CallbackReason,
		PrivateMetadata: m.Action + "|" + m.ReleaseID + "|" + m.ResponseURL,
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
			slackapi.NewInputBlock(ReasonBlock, text(m.Prompt), nil, input),
		}},
	}
	if _, err := c.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("slack views.open (%s %s): %w", m.Action, m.ReleaseID, err)
	}
	return nil
}

// OpenExceptionModal implements Messenger: a justification and a lifetime ("12h"); the web
// handler checks the lifetime before it acknowledges the submission.
func (c *Client) OpenExceptionModal(ctx context.Context, triggerID string, m ExceptionModal) error {
	md, err := exceptionMetadata(m)
	if err != nil {
		return err
	}
	why := slackapi.NewPlainTextInputBlockElement(plain("why must it go out during the freeze?"), ExceptionJustificationInput)
	why.Multiline = true
	lasts := slackapi.NewPlainTextInputBlockElement(plain("12h"), ExceptionDurationInput)
	view := slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		Title:           plain("Grant freeze exception"),
		Submit:          plain("Grant"),
		Close:           plain("Cancel"),
		CallbackID:      CallbackException,
		PrivateMetadata: md,
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
			slackapi.NewSectionBlock(text(clip(fmt.Sprintf("Let release *%s* deploy through freeze *%s*. The exception is recorded in the audit trail.", m.ReleaseID, m.Freeze))), nil, nil),
			slackapi.NewInputBlock(ExceptionJustificationBlock, plain("Justification"), nil, why),
			slackapi.NewInputBlock(ExceptionDurationBlock, plain("Expires in"), plain("how long the exception lasts: 30m, 12h, 3d"), lasts),
		}},
	}
	if _, err := c.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("slack views.open (exception to freeze %q for %s): %w", m.Freeze, m.ReleaseID, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
