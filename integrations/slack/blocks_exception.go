package slack

import (
	"errors"
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

const (
	// maxButtonValue is Slack's limit on a button's value.
	maxButtonValue = 2000
	// maxPrivateMetadata is Slack's limit on a view's private metadata.
	maxPrivateMetadata = 3000
	// exceptionBlockID names the action block of an open exception gate.
	exceptionBlockID = "exception_gate"
)

// ExceptionView is what the message of a wave held by a change freeze shows: an approval gate
// for the executives who may grant an exception. It is rendered anew on every change.
type ExceptionView struct {
	ReleaseID    string   `json:"releaseId"`
	Wave         string   `json:"wave"`
	Environments []string `json:"environments"`
	// Freeze is the ID of the freeze holding the wave: the one an exception lifts.
	Freeze string `json:"freeze"`
	// Held is the calendar's message, e.g. "freeze black-friday until 2026-11-30T00:00:00Z".
	Held string `json:"held,omitempty"`
	// Until is when the wave may go ahead without an exception; zero when nothing opens within
	// a year.
	Until time.Time `json:"until,omitzero"`
	// Closed is set once the gate closed: "exception granted by vic until …: …", "the freeze
	// ended", "rollback requested by …". A closed gate has no button.
	Closed string `json:"closed,omitempty"`
}

// ExceptionKey is the message key of the exception gate of one wave of a release.
func ExceptionKey(releaseID string, waveIndex int) string {
	return fmt.Sprintf("%s/exception-%d", releaseID, waveIndex)
}

// ExceptionValue is the value of the Grant exception button: "release|freeze". Release IDs
// cannot contain "|" (release validation), so the first "|" separates them whatever the freeze
// ID holds.
func ExceptionValue(releaseID, freeze string) (string, error) {
	switch {
	case releaseID == "" || strings.Contains(releaseID, "|"):
		return "", fmt.Errorf("exception gate: release ID %q: want a non-empty ID without \"|\"", releaseID)
	case freeze == "":
		return "", fmt.Errorf("exception gate of release %q: freeze: required", releaseID)
	}
	v := releaseID + "|" + freeze
	if len(v) > maxButtonValue {
		return "", fmt.Errorf("exception gate of release %q: freeze ID of %d characters does not fit Slack's %d-character button value", releaseID, len(freeze), maxButtonValue)
	}
	return v, nil
}

// ParseExceptionValue splits a Grant exception button's value into release and freeze.
func ParseExceptionValue(value string) (releaseID, freeze string, err error) {
	releaseID, freeze, ok := strings.Cut(value, "|")
	if !ok || releaseID == "" || freeze == "" {
		return "", "", fmt.Errorf("exception button value %q: want \"release|freeze\"", value)
	}
	return releaseID, freeze, nil
}

// exceptionMetadata is the exception modal's private metadata: "release|freeze|response_url".
// The release has no "|" and a response_url has none unescaped, so the first and the last "|"
// delimit the freeze whatever it holds.
func exceptionMetadata(m ExceptionModal) (string, error) {
	if strings.Contains(m.ReleaseID, "|") || strings.Contains(m.ResponseURL, "|") {
		return "", fmt.Errorf("exception modal of release %q: release ID and response_url must not contain \"|\"", m.ReleaseID)
	}
	md := m.ReleaseID + "|" + m.Freeze + "|" + m.ResponseURL
	if len(md) > maxPrivateMetadata {
		return "", fmt.Errorf("exception modal of release %q: metadata of %d characters exceeds Slack's %d", m.ReleaseID, len(md), maxPrivateMetadata)
	}
	return md, nil
}

// ParseExceptionMetadata reads the private metadata of a submitted exception modal.
func ParseExceptionMetadata(md string) (ExceptionModal, error) {
	first, last := strings.Index(md, "|"), strings.LastIndex(md, "|")
	if first < 0 || first == last {
		return ExceptionModal{}, errors.New("exception modal metadata: want \"release|freeze|response_url\"")
	}
	m := ExceptionModal{ReleaseID: md[:first], Freeze: md[first+1 : last], ResponseURL: md[last+1:]}
	if m.ReleaseID == "" || m.Freeze == "" {
		return ExceptionModal{}, fmt.Errorf("exception modal metadata: release %q, freeze %q: both required", m.ReleaseID, m.Freeze)
	}
	return m, nil
}

// ExceptionMessage renders a wave's exception gate: what holds it and until when and, while
// open, the Grant exception button; once closed, why, and no button.
func ExceptionMessage(index int, v ExceptionView) (Message, error) {
	key := ExceptionKey(v.ReleaseID, index)
	opens := "Nothing opens within a year"
	if !v.Until.IsZero() {
		opens = "It may go ahead at " + v.Until.UTC().Format(time.RFC3339)
	}
	held := v.Held
	if held == "" {
		held = "freeze " + v.Freeze
	}
	line := fmt.Sprintf(":no_entry: *Release %s*, wave *%s* (%s) is held: %s\n%s; an executive may grant an exception to freeze *%s*.",
		v.ReleaseID, v.Wave, strings.Join(v.Environments, ", "), held, opens, v.Freeze)
	blocks := []slackapi.Block{slackapi.NewSectionBlock(text(clip(line)), nil, nil)}
	fallback := fmt.Sprintf("Release %s wave %s held by freeze %s: an executive may grant an exception", v.ReleaseID, v.Wave, v.Freeze)
	if v.Closed != "" {
		blocks = append(blocks, slackapi.NewContextBlock("closed", text(clip("Exception gate closed: "+v.Closed))))
		fallback = fmt.Sprintf("Release %s wave %s exception gate closed: %s", v.ReleaseID, v.Wave, v.Closed)
	} else {
		value, err := ExceptionValue(v.ReleaseID, v.Freeze)
		if err != nil {
			return Message{}, fmt.Errorf("message %q: %w", key, err)
		}
		blocks = append(blocks, slackapi.NewActionBlock(exceptionBlockID,
			slackapi.NewButtonBlockElement(ActionGrantException, value, plain("Grant exception")).WithStyle(slackapi.StylePrimary)))
	}
	return render(key, fallback, blocks)
}
