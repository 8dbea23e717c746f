package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/control"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
)

const (
	// emailCacheTTL is how long a clicker's users.info email is reused: a burst of clicks costs
	// one lookup, and a changed profile is seen within minutes.
	emailCacheTTL = 5 * time.Minute
	// triggerLifetime is how long Slack accepts an interaction's trigger_id for views.open.
	triggerLifetime = 3 * time.Second
)

// unreachableError is a failure to reach Slack or Temporal: no decision was made, so the clicker
// is told to try again rather than that they were refused.
type unreachableError struct {
	system string
	err    error
}

func (e *unreachableError) Error() string {
	return "Tollgate could not reach " + e.system + ", try again: " + e.err.Error()
}

func (e *unreachableError) Unwrap() error { return e.err }

// temporalFailure marks a control error that is not the workflow's answer (refusal, unknown
// release) as Temporal being unreachable.
func temporalFailure(err error) error {
	if err == nil || errors.Is(err, control.ErrRefused) || errors.Is(err, control.ErrNotFound) {
		return err
	}
	return &unreachableError{system: "Temporal", err: err}
}

// refusalText is what the clicker reads when a control was refused: the validator's own words.
func refusalText(err error) string {
	var re *control.RefusedError
	if errors.As(err, &re) {
		return "Refused: " + re.Reason
	}
	return "Refused: " + err.Error()
}

// identity maps a Slack user to a directory person: by their users.info email, then by their
// Slack ID. Without a directory the email itself is the identity. A lookup Slack could not answer
// is an *unreachableError; one it answered no to is a refusal.
func (s *Slack) identity(ctx context.Context, userID string) (string, error) {
	email, err := s.userEmail(ctx, userID)
	if err != nil {
		if cls, _ := tgslack.Classify(err); cls != tgslack.Permanent {
			return "", &unreachableError{system: "Slack", err: err}
		}
		return "", fmt.Errorf("cannot look up your Slack profile: %w", err)
	}
	if s.o.Directory == nil {
		if email == "" {
			return "", errors.New("your Slack profile has no email Tollgate could use")
		}
		return email, nil
	}
	for _, name := range []string{email, userID} {
		if p, _, ok := s.o.Directory.Resolve(name); ok {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("Slack user %s is not in the Tollgate directory", userID)
}

// userEmail is users.info, retried and cached.
func (s *Slack) userEmail(ctx context.Context, userID string) (string, error) {
	if email, ok := s.emails.get(userID, s.o.Now()); ok {
		return email, nil
	}
	var email string
	err := s.o.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		email, err = s.o.Slack.UserEmail(ctx, userID)
		return err
	})
	if err != nil {
		return "", err
	}
	s.emails.put(userID, email, s.o.Now())
	return email, nil
}

// respond answers the clicker alone, retried. The response_url is a bearer capability: it is
// kept out of the log even if a Messenger put it in its error.
func (s *Slack) respond(ctx context.Context, responseURL, text string) {
	if responseURL == "" {
		return
	}
	err := s.o.Retry.Do(ctx, func(ctx context.Context) error { return s.o.Slack.Respond(ctx, responseURL, text) })
	if err != nil {
		s.o.Logger.Warn("slack answer not delivered", "error", strings.ReplaceAll(err.Error(), responseURL, "[response_url]"))
	}
}

// emailCache remembers users.info answers for a while.
type emailCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedEmail
}

type cachedEmail struct {
	email   string
	expires time.Time
}

func newEmailCache(ttl time.Duration) *emailCache {
	return &emailCache{ttl: ttl, m: map[string]cachedEmail{}}
}

func (c *emailCache) get(userID string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[userID]
	if !ok || !now.Before(e.expires) {
		return "", false
	}
	return e.email, true
}

func (c *emailCache) put(userID, email string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 { // a workspace's active clickers fit; past that, start over
		clear(c.m)
	}
	c.m[userID] = cachedEmail{email: email, expires: now.Add(c.ttl)}
}
