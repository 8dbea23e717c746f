package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sign computes Slack's request signature for body at ts (Unix seconds).
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Caller plays Slack's side of interactivity: it signs requests with the app's signing secret
// and sends them to Tollgate's endpoints, as Slack does when a user clicks or types a command.
type Caller struct {
	Fake     *Fake
	Endpoint string // Tollgate's base URL, e.g. http://127.0.0.1:8080
	Secret   string
	HTTP     *http.Client
	// Now stamps requests; nil means time.Now.
	Now func() time.Time
}

// Request is one signed request, kept so a test can send it again (a retry or a replay).
type Request struct {
	Path string
	Body []byte
	TS   int64
}

// Send posts r signed at r.TS; retryNum > 0 marks it as Slack's retry.
func (c *Caller) Send(ctx context.Context, r Request, retryNum int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+r.Path, strings.NewReader(string(r.Body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(r.TS, 10))
	req.Header.Set("X-Slack-Signature", Sign(c.Secret, r.TS, r.Body))
	if retryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retryNum))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

func (c *Caller) now() int64 {
	if c.Now != nil {
		return c.Now().Unix()
	}
	return time.Now().Unix()
}

// Click builds the block_actions request of user clicking the button actionID (value releaseID).
func (c *Caller) Click(user, actionID, releaseID string) Request {
	c.Fake.mu.Lock()
	c.Fake.seq++
	trigger := fmt.Sprintf("trigger-%d", c.Fake.seq)
	c.Fake.mu.Unlock()
	payload := map[string]any{
		"type": "block_actions", "trigger_id": trigger, "response_url": c.Fake.ResponseURL(),
		"user":    map[string]any{"id": user},
		"channel": map[string]any{"id": "C1"},
		"actions": []map[string]any{{"type": "button", "block_id": "tollgate", "action_id": actionID, "value": releaseID, "action_ts": trigger}},
	}
	return c.form("/slack/interactivity", payload)
}

// Submit builds the view_submission of the reason modal a view recorded.
func (c *Caller) Submit(user string, v FakeView, reason string) Request {
	payload := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V1", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
			"state": map[string]any{"values": map[string]any{ReasonBlock: map[string]any{ReasonInput: map[string]any{"type": "plain_text_input", "value": reason}}}},
		},
	}
	return c.form("/slack/interactivity", payload)
}

// SubmitException builds the view_submission of the exception modal a view recorded, with the
// justification and the lifetime ("12h") as typed.
func (c *Caller) SubmitException(user string, v FakeView, justification, duration string) Request {
	input := func(value string) map[string]any { return map[string]any{"type": "plain_text_input", "value": value} }
	payload := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V1", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
			"state": map[string]any{"values": map[string]any{
				ExceptionJustificationBlock: map[string]any{ExceptionJustificationInput: input(justification)},
				ExceptionDurationBlock:      map[string]any{ExceptionDurationInput: input(duration)},
			}},
		},
	}
	return c.form("/slack/interactivity", payload)
}

// Command builds a `/tollgate text` slash command from user.
func (c *Caller) Command(user, text string) Request {
	v := url.Values{"command": {"/tollgate"}, "text": {text}, "user_id": {user}, "response_url": {c.Fake.ResponseURL()},
		"trigger_id": {fmt.Sprint(time.Now().UnixNano())}}
	return Request{Path: "/slack/commands", Body: []byte(v.Encode()), TS: c.now()}
}

func (c *Caller) form(path string, payload any) Request {
	data, _ := json.Marshal(payload) // maps of strings always marshal
	return Request{Path: path, Body: []byte(url.Values{"payload": {string(data)}}.Encode()), TS: c.now()}
}
