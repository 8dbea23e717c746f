package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/retry"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

// ErrSlackRefused is the error type of a Slack call that will never succeed as made
// (channel_not_found, not_in_channel, invalid_auth); retrying would only repeat it.
const ErrSlackRefused = "SlackRefused"

// errRateLimited is the error type of a throttled call; it is retried after the server's delay.
const errRateLimited = "RateLimited"

// SlackConfig is the Slack integration; a nil Messenger means Slack is not configured and the
// embedded default (CLI and web approvals) serves alone.
type SlackConfig struct {
	Messenger slack.Messenger
	// Channel is where approval and wave messages go (TOLLGATE_SLACK_CHANNEL).
	Channel string
	// DetailsBaseURL, when set, makes the Details button a link to BASE/api/releases/ID.
	DetailsBaseURL string
}

// Integrations says which integrations the worker has; the release workflow records it at
// intake (RecordReleaseResult), so its decisions replay deterministically.
type Integrations struct {
	Slack  bool `json:"slack,omitempty"`
	GitHub bool `json:"github,omitempty"`
	Jira   bool `json:"jira,omitempty"`
	// LocalChanges: no Jira, the change request is a change record in Tollgate's store.
	LocalChanges bool `json:"localChanges,omitempty"`
}

func (a *Activities) integrations() Integrations {
	return Integrations{Slack: a.Slack.Messenger != nil && a.Slack.Channel != "",
		GitHub: a.GitHub.Deployer != nil, Jira: a.Jira.Tracker != nil,
		LocalChanges: a.Jira.Tracker == nil && a.Jira.Local != nil}
}

// SlackMessageInput is one approval, wave or exception-gate message to post or update. TS is the message's
// timestamp once known; without it the message is searched by its key before posting, so a
// retry after a lost answer updates the message Slack already has.
type SlackMessageInput struct {
	Approval *slack.ApprovalView `json:"approval,omitempty"`
	Wave     *slack.WaveView     `json:"wave,omitempty"`
	// WaveIndex numbers the wave message (its key).
	WaveIndex int `json:"waveIndex,omitempty"`
	// Exception is the freeze-exception gate of a held wave; ExceptionIndex numbers it (its key,
	// slack.ExceptionKey).
	Exception      *slack.ExceptionView `json:"exception,omitempty"`
	ExceptionIndex int                  `json:"exceptionIndex,omitempty"`
	TS             string               `json:"ts,omitempty"`
}

// SlackMessageResult carries the message's timestamp for later updates.
type SlackMessageResult struct {
	TS string `json:"ts"`
}

// SlackMessage posts or updates one of a release's Slack messages: exactly one message per key.
func (a *Activities) SlackMessage(ctx context.Context, in SlackMessageInput) (SlackMessageResult, error) {
	cfg := a.Slack
	if cfg.Messenger == nil {
		return SlackMessageResult{}, temporal.NewNonRetryableApplicationError("slack is not configured on this worker", ErrSlackRefused, nil)
	}
	var msg slack.Message
	var err error
	switch {
	case in.Approval != nil:
		v := *in.Approval
		if cfg.DetailsBaseURL != "" {
			v.DetailsURL = cfg.DetailsBaseURL + "/api/releases/" + v.ReleaseID
		}
		msg, err = slack.ApprovalMessage(v)
	case in.Wave != nil:
		msg, err = slack.WaveMessage(in.WaveIndex, *in.Wave)
	case in.Exception != nil:
		msg, err = slack.ExceptionMessage(in.ExceptionIndex, *in.Exception)
	default:
		err = fmt.Errorf("slack message: none of approval, wave or exception given")
	}
	if err != nil {
		return SlackMessageResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrSlackRefused, nil)
	}
	ts := in.TS
	if ts == "" {
		if ts, err = cfg.Messenger.Find(ctx, cfg.Channel, msg.Key); err != nil {
			return SlackMessageResult{}, slackError(err)
		}
	}
	if ts == "" {
		if ts, err = cfg.Messenger.Post(ctx, cfg.Channel, msg); err != nil {
			return SlackMessageResult{}, slackError(err)
		}
		a.logger().InfoContext(ctx, "slack message posted", "key", msg.Key, "ts", ts)
		return SlackMessageResult{TS: ts}, nil
	}
	if err := cfg.Messenger.Update(ctx, cfg.Channel, ts, msg); err != nil {
		return SlackMessageResult{}, slackError(err)
	}
	return SlackMessageResult{TS: ts}, nil
}

// slackError classifies at the boundary: permanent → non-retryable, throttled → retried after
// Slack's Retry-After, the rest retried with the workflow's backoff.
func slackError(err error) error { return classified(err, ErrSlackRefused, slack.Classify) }

// classified turns an integration's error into what Temporal should do with it: a permanent
// one is non-retryable with the integration's refusal type, a rate limit is retried after the
// server's delay, anything else is retried with backoff.
func classified(err error, refused string, classify func(error) (retry.Class, time.Duration)) error {
	switch cls, after := classify(err); cls {
	case retry.Permanent:
		return temporal.NewNonRetryableApplicationError(err.Error(), refused, nil)
	case retry.RateLimited:
		return temporal.NewApplicationErrorWithOptions(err.Error(), errRateLimited, temporal.ApplicationErrorOptions{NextRetryDelay: after})
	}
	return err
}
