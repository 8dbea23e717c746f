package slack

import (
	"errors"
	"net/url"
	"strings"
)

// redactedPath replaces the secret part of a response_url in errors.
const redactedPath = "/[response_url]"

// redactURL returns err without the response_url it was given: that URL is a bearer capability
// (anyone holding it may answer the clicker for 30 minutes), so it must reach no log line.
// slack-go wraps a failed POST in a *url.Error whose message carries the whole URL, behind a
// wrapper that already rendered it; the chain is rebuilt from the *url.Error with only the
// scheme and host kept, so timeouts and network errors still classify as before.
func redactURL(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err // status and rate-limit errors carry no URL
	}
	var ue *url.Error
	if errors.As(err, &ue) && !strings.Contains(ue.Err.Error(), secret) {
		return &url.Error{Op: ue.Op, URL: hostOnly(ue.URL), Err: ue.Err}
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, hostOnly(secret)))
}

// hostOnly keeps scheme and host of a URL, the part that helps diagnose a network failure.
func hostOnly(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[response_url]"
	}
	return u.Scheme + "://" + u.Host + redactedPath
}
