package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxSlackBody caps what the Slack endpoints read; Slack's payloads are far smaller.
const MaxSlackBody = 1 << 20

// SlackMaxSkew is how far a request timestamp may be from now before it is refused.
const SlackMaxSkew = 5 * time.Minute

// Errors a signature check returns; none carries the secret or the expected signature.
var (
	ErrMissingSignature = errors.New("missing signature header")
	ErrBadSignature     = errors.New("signature mismatch")
	ErrStaleTimestamp   = errors.New("request timestamp too far from now")
	ErrReplay           = errors.New("request replayed")
)

// VerifySlack checks Slack's request signature: X-Slack-Signature = "v0=" + hex(HMAC-SHA256 of
// "v0:" + X-Slack-Request-Timestamp + ":" + raw body), compared in constant time, the timestamp
// within SlackMaxSkew of now.
func VerifySlack(secret []byte, h http.Header, body []byte, now time.Time) error {
	sig, tsText := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || tsText == "" || len(secret) == 0 {
		return ErrMissingSignature
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("X-Slack-Request-Timestamp: not a Unix time: %w", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SlackMaxSkew || d < -SlackMaxSkew {
		return ErrStaleTimestamp
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + tsText + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrBadSignature
	}
	return nil
}

// VerifyGitHub checks X-Hub-Signature-256 = "sha256=" + hex(HMAC-SHA256 of the raw body).
func VerifyGitHub(secret []byte, h http.Header, body []byte) error {
	sig := h.Get("X-Hub-Signature-256")
	if sig == "" || len(secret) == 0 {
		return ErrMissingSignature
	}
	if !strings.HasPrefix(sig, "sha256=") {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(SignGitHub(secret, body)), []byte(sig)) {
		return ErrBadSignature
	}
	return nil
}

// SignGitHub is the X-Hub-Signature-256 value GitHub sends for body: what VerifyGitHub expects,
// and what a tool replaying a delivery to Tollgate signs it with.
func SignGitHub(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// seen remembers keys for a while: signatures (an identical request is a replay), body
// digests (Slack's retries of a request already acted on) and GitHub delivery IDs.
type seen struct {
	mu   sync.Mutex
	keys map[string]time.Time
	ttl  time.Duration
}

func newSeen(ttl time.Duration) *seen { return &seen{keys: map[string]time.Time{}, ttl: ttl} }

// add records key and reports whether it was new.
func (s *seen) add(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.keys[key]; ok && now.Before(exp) {
		return false
	}
	if len(s.keys) > 10000 { // prune lazily; entries outlive the skew window and no longer
		for k, exp := range s.keys {
			if !now.Before(exp) {
				delete(s.keys, k)
			}
		}
	}
	s.keys[key] = now.Add(s.ttl)
	return true
}

// forget drops key, so the next request carrying it is acted on again (its first handling failed).
func (s *seen) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, key)
}
