package control

import (
	"context"
	"errors"
	"fmt"
)

// ErrRefused matches (errors.Is) a control the workflow's validator refused: the request was
// understood and answered no, so sending it again changes nothing.
var ErrRefused = errors.New("refused")

// RefusedError is a validator's refusal of one control.
type RefusedError struct {
	Update    string
	ReleaseID string
	// Reason is the validator's own words ("bob authored a change in release … and cannot approve it").
	Reason string
}

// Error keeps the wording callers have always printed.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s release %q refused: %s", e.Update, e.ReleaseID, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

type updateIDKey struct{}

// WithUpdateID returns ctx carrying an idempotency key for the next Control: it becomes the
// Temporal Update ID, so the server itself answers a resent request (a Slack retry, a webhook
// redelivery, a client repeating an API call, on any replica, after any restart) with the first
// request's outcome instead of applying it twice. An Update ID is unique within one workflow run;
// a refused update leaves no trace, so resending a refused request asks the validator again.
func WithUpdateID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, updateIDKey{}, id)
}

// UpdateID returns the idempotency key WithUpdateID put in ctx, or "" (the SDK then picks a
// random one and nothing is deduplicated).
func UpdateID(ctx context.Context) string {
	id, _ := ctx.Value(updateIDKey{}).(string)
	return id
}
