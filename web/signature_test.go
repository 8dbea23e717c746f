package web

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Slack's published example ("Verifying requests from Slack", api.slack.com/authentication/verifying-requests-from-slack).
const (
	slackDocSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	slackDocTS     = "1531420618"
	slackDocBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	slackDocSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

// GitHub's published test values ("Validating webhook deliveries", docs.github.com).
const (
	githubDocSecret  = "It's a Secret to Everybody"
	githubDocPayload = "Hello, World!"
	githubDocSig     = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
)

func slackHeader(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	return h
}

func flipLast(s string) string {
	b := []byte(s)
	b[len(b)-1] ^= 1
	return string(b)
}

func TestVerifySlackDocumentedVector(t *testing.T) {
	docNow := time.Unix(1531420618, 0).Add(time.Minute)
	tests := []struct {
		name    string
		secret  string
		header  http.Header
		body    string
		now     time.Time
		wantErr error
	}{
		{"published example verifies", slackDocSecret, slackHeader(slackDocTS, slackDocSig), slackDocBody, docNow, nil},
		{"one byte of body changed", slackDocSecret, slackHeader(slackDocTS, slackDocSig), flipLast(slackDocBody), docNow, ErrBadSignature},
		{"one byte of timestamp changed", slackDocSecret, slackHeader("1531420619", slackDocSig), slackDocBody, docNow, ErrBadSignature},
		{"one byte of secret changed", flipLast(slackDocSecret), slackHeader(slackDocTS, slackDocSig), slackDocBody, docNow, ErrBadSignature},
		{"one byte of signature changed", slackDocSecret, slackHeader(slackDocTS, flipLast(slackDocSig)), slackDocBody, docNow, ErrBadSignature},
		{"missing signature header", slackDocSecret, slackHeader(slackDocTS, ""), slackDocBody, docNow, ErrMissingSignature},
		{"missing timestamp header", slackDocSecret, slackHeader("", slackDocSig), slackDocBody, docNow, ErrMissingSignature},
		{"stale timestamp", slackDocSecret, slackHeader(slackDocTS, slackDocSig), slackDocBody, docNow.Add(5 * time.Minute), ErrStaleTimestamp},
		{"timestamp from the future", slackDocSecret, slackHeader(slackDocTS, slackDocSig), slackDocBody, docNow.Add(-7 * time.Minute), ErrStaleTimestamp},
		{"no secret configured", "", slackHeader(slackDocTS, slackDocSig), slackDocBody, docNow, ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySlack([]byte(tt.secret), tt.header, []byte(tt.body), tt.now)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), slackDocSecret)
		})
	}
}

func TestVerifyGitHubDocumentedVector(t *testing.T) {
	hdr := func(sig string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Hub-Signature-256", sig)
		}
		return h
	}
	tests := []struct {
		name    string
		secret  string
		header  http.Header
		body    string
		wantErr error
	}{
		{"published example verifies", githubDocSecret, hdr(githubDocSig), githubDocPayload, nil},
		{"one byte of body changed", githubDocSecret, hdr(githubDocSig), flipLast(githubDocPayload), ErrBadSignature},
		{"one byte of secret changed", flipLast(githubDocSecret), hdr(githubDocSig), githubDocPayload, ErrBadSignature},
		{"one byte of signature changed", githubDocSecret, hdr(flipLast(githubDocSig)), githubDocPayload, ErrBadSignature},
		{"sha1 header only", githubDocSecret, hdr("sha1=abc"), githubDocPayload, ErrBadSignature},
		{"missing header", githubDocSecret, hdr(""), githubDocPayload, ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyGitHub([]byte(tt.secret), tt.header, []byte(tt.body))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}
