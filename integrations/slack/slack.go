// Package slack is Tollgate's Slack integration: approval and wave messages with buttons, the
// users.info lookup that turns a clicker into a Tollgate identity, ephemeral answers, the reason
// modal and the freeze-exception gate with its modal. The real client wraps
// github.com/slack-go/slack; Fake serves the same API subset over HTTP so tests exercise the real
// client code.
package slack

import (
	"context"

	slackapi "github.com/slack-go/slack"
)

// Action IDs of Tollgate's buttons and the modal; the web handler dispatches on them.
const (
	ActionApprove  = "tollgate_approve"
	ActionReject   = "tollgate_reject"
	ActionDetails  = "tollgate_details"
	ActionPause    = "tollgate_pause"
	ActionResume   = "tollgate_resume"
	ActionRollback = "tollgate_rollback"
	// CallbackReason is the callback ID of the modal that asks for a reason (reject, pause,
	// roll back); its private metadata is "action|release".
	CallbackReason = "tollgate_reason"
	// ReasonBlock and ReasonInput locate the reason in a view submission's state.
	ReasonBlock = "reason"
	ReasonInput = "reason_input"
	// MetadataEventType marks Tollgate's messages; the payload's "key" finds a message again.
	MetadataEventType = "tollgate_message"
	// ActionGrantException is the button of a wave held by a freeze; its value is
	// "release|freeze" (ExceptionValue).
	ActionGrantException = "tollgate_grant_exception"
	// CallbackException is the callback ID of the exception modal; its private metadata is
	// "release|freeze|response_url" (ParseExceptionMetadata).
	CallbackException = "tollgate_exception"
	// ExceptionJustificationBlock/Input and ExceptionDurationBlock/Input locate the exception
	// modal's answers in a view submission's state; the block IDs are also where a submission's
	// validation errors are shown.
	ExceptionJustificationBlock = "exception_justification"
	ExceptionJustificationInput = "exception_justification_input"
	ExceptionDurationBlock      = "exception_duration"
	ExceptionDurationInput      = "exception_duration_input"
)

// Message is one Slack message Tollgate owns. Key is deterministic (release ID + step) and
// travels in the message metadata, so a retried post finds the message instead of posting twice.
type Message struct {
	Key    string
	Text   string
	Blocks []byte // JSON array of Block Kit blocks
}

// ReasonModal asks the clicker for the reason an action needs.
type ReasonModal struct {
	Action    string // one of the Action constants
	ReleaseID string
	Title     string
	Prompt    string
	// ResponseURL is where the answer to the submission goes (view submissions carry none).
	ResponseURL string
}

// ExceptionModal asks an executive for the justification and the lifetime of a freeze exception.
type ExceptionModal struct {
	ReleaseID string
	Freeze    string
	// ResponseURL is where the answer to the submission goes (view submissions carry none).
	ResponseURL string
}

// Messenger is what Tollgate needs from Slack.
type Messenger interface {
	// Post posts a new message and returns its timestamp (Slack's message ID).
	Post(ctx context.Context, channel string, m Message) (string, error)
	// Update replaces the message at ts (chat.update).
	Update(ctx context.Context, channel, ts string, m Message) error
	// Find returns the timestamp of the recent message carrying key, or "" when there is none.
	Find(ctx context.Context, channel, key string) (string, error)
	// FindMessage is Find with the message's blocks, for rewriting it; a zero Found when none.
	FindMessage(ctx context.Context, channel, key string) (Found, error)
	// UserEmail returns the email of a Slack user (users.info; scope users:read.email).
	UserEmail(ctx context.Context, userID string) (string, error)
	// Respond sends an ephemeral answer to the user through an interaction's response_url.
	Respond(ctx context.Context, responseURL, text string) error
	// OpenReasonModal opens the reason modal for the interaction that carried triggerID.
	OpenReasonModal(ctx context.Context, triggerID string, m ReasonModal) error
	// OpenExceptionModal opens the freeze-exception modal for the interaction that carried
	// triggerID.
	OpenExceptionModal(ctx context.Context, triggerID string, m ExceptionModal) error
}

// Found is a message found by its key: its timestamp and its blocks as Slack holds them.
type Found struct {
	TS     string
	Blocks []slackapi.Block
}
