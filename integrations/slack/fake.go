package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

// FakeMessage is a message as the fake Slack holds it.
type FakeMessage struct {
	Channel string
	TS      string
	Text    string
	Blocks  json.RawMessage
	Key     string
	// Updates counts chat.update calls on this message.
	Updates int
}

// FakeResponse is an ephemeral answer sent through a response_url.
type FakeResponse struct {
	Path string
	Text string
}

// FakeView is a modal opened with views.open.
type FakeView struct {
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	// Blocks are the view's blocks as sent, for checking a modal's inputs.
	Blocks json.RawMessage
}

// Fake is an in-memory Slack served over HTTP: the Web API subset Tollgate uses (chat.postMessage,
// chat.update, conversations.history, users.info, views.open) and response_url endpoints. It
// checks the bot token, keeps state, records calls and injects faults through Faults.
type Fake struct {
	Server *httptest.Server
	Faults *faults.Injector
	// Recorder lists every call that got past the injected faults: Calls.
	faults.Recorder
	token string

	mu        sync.Mutex
	channels  map[string][]*FakeMessage
	users     map[string]string // user ID → email
	responses []FakeResponse
	views     []FakeView
	seq       int
}

// NewFake starts a fake Slack that accepts token and knows the given channels.
func NewFake(token string, channels ...string) *Fake {
	f := &Fake{Faults: &faults.Injector{}, token: token, channels: map[string][]*FakeMessage{}, users: map[string]string{}}
	for _, c := range channels {
		f.channels[c] = nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", f.auth(f.postMessage))
	mux.HandleFunc("POST /api/chat.update", f.auth(f.update))
	mux.HandleFunc("POST /api/conversations.history", f.auth(f.history))
	mux.HandleFunc("POST /api/users.info", f.auth(f.userInfo))
	mux.HandleFunc("POST /api/views.open", f.auth(f.viewsOpen))
	mux.HandleFunc("POST /respond/{id}", f.respond)
	f.Server = httptest.NewServer(f.Faults.Wrap(mux))
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.Server.Close() }

// APIURL is the Web API base to give the real client.
func (f *Fake) APIURL() string { return f.Server.URL + "/api/" }

// ResponseURLPrefix is where the fake's response_urls live: the Options.ResponseURLPrefix a
// client talking to the fake needs.
func (f *Fake) ResponseURLPrefix() string { return f.Server.URL + "/respond/" }

// ResponseURL returns a fresh response_url served by the fake.
func (f *Fake) ResponseURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return fmt.Sprintf("%s%d", f.ResponseURLPrefix(), f.seq)
}

// AddUser registers a Slack user with an email (users.info answers it).
func (f *Fake) AddUser(id, email string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = email
}

// Messages returns copies of a channel's messages, oldest first.
func (f *Fake) Messages(channel string) []FakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FakeMessage
	for _, m := range f.channels[channel] {
		out = append(out, *m)
	}
	return out
}

// Responses returns the ephemeral answers sent so far.
func (f *Fake) Responses() []FakeResponse {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeResponse(nil), f.responses...)
}

// Views returns the modals opened so far.
func (f *Fake) Views() []FakeView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeView(nil), f.views...)
}

func (f *Fake) auth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.Record(strings.TrimPrefix(r.URL.Path, "/api/"))
		// Slack takes the token as a bearer header (JSON calls) or a form field (form calls).
		if r.Header.Get("Authorization") != "Bearer "+f.token && r.FormValue("token") != f.token {
			writeOK(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		h(w, r)
	}
}

func writeOK(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code string) { writeOK(w, map[string]any{"ok": false, "error": code}) }

func metadataKey(raw string) string {
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if json.Unmarshal([]byte(raw), &md) != nil || md.EventType != MetadataEventType {
		return ""
	}
	k, _ := md.EventPayload["key"].(string)
	return k
}

func (f *Fake) postMessage(w http.ResponseWriter, r *http.Request) {
	ch := r.FormValue("channel")
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs, ok := f.channels[ch]
	if !ok {
		fail(w, "channel_not_found")
		return
	}
	f.seq++
	m := &FakeMessage{Channel: ch, TS: fmt.Sprintf("1700000000.%06d", f.seq), Text: r.FormValue("text"),
		Blocks: json.RawMessage(r.FormValue("blocks")), Key: metadataKey(r.FormValue("metadata"))}
	f.channels[ch] = append(msgs, m)
	writeOK(w, map[string]any{"ok": true, "channel": ch, "ts": m.TS})
}

func (f *Fake) update(w http.ResponseWriter, r *http.Request) {
	ch, ts := r.FormValue("channel"), r.FormValue("ts")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.channels[ch] {
		if m.TS == ts {
			m.Text, m.Blocks, m.Updates = r.FormValue("text"), json.RawMessage(r.FormValue("blocks")), m.Updates+1
			writeOK(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "text": m.Text})
			return
		}
	}
	fail(w, "message_not_found")
}

func (f *Fake) history(w http.ResponseWriter, r *http.Request) {
	ch := r.FormValue("channel")
	withMeta := r.FormValue("include_all_metadata") == "1"
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs, ok := f.channels[ch]
	if !ok {
		fail(w, "channel_not_found")
		return
	}
	out := []map[string]any{}
	for i := len(msgs) - 1; i >= 0; i-- { // newest first, as Slack answers
		m := map[string]any{"type": "message", "ts": msgs[i].TS, "text": msgs[i].Text}
		if len(msgs[i].Blocks) > 0 {
			m["blocks"] = msgs[i].Blocks
		}
		if withMeta && msgs[i].Key != "" {
			m["metadata"] = map[string]any{"event_type": MetadataEventType, "event_payload": map[string]any{"key": msgs[i].Key}}
		}
		out = append(out, m)
	}
	writeOK(w, map[string]any{"ok": true, "messages": out, "has_more": false})
}

func (f *Fake) userInfo(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("user")
	f.mu.Lock()
	email, ok := f.users[id]
	f.mu.Unlock()
	if !ok {
		fail(w, "user_not_found")
		return
	}
	writeOK(w, map[string]any{"ok": true, "user": map[string]any{"id": id, "profile": map[string]any{"email": email}}})
}

func (f *Fake) viewsOpen(w http.ResponseWriter, r *http.Request) {
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			CallbackID      string          `json:"callback_id"`
			PrivateMetadata string          `json:"private_metadata"`
			Blocks          json.RawMessage `json:"blocks"`
		} `json:"view"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TriggerID == "" {
		fail(w, "invalid_arguments")
		return
	}
	f.mu.Lock()
	f.views = append(f.views, FakeView{TriggerID: req.TriggerID, CallbackID: req.View.CallbackID,
		PrivateMetadata: req.View.PrivateMetadata, Blocks: req.View.Blocks})
	f.mu.Unlock()
	writeOK(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
}

func (f *Fake) respond(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.responses = append(f.responses, FakeResponse{Path: r.URL.Path, Text: msg.Text})
	f.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}
