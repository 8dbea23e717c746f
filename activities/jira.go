package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// ErrJiraRefused is the error type of a Jira call that will never succeed as made (400, 401,
// 404, a transition the workflow does not offer); retrying would only repeat it.
const ErrJiraRefused = "JiraRefused"

// JiraConfig is the Jira integration; a nil Tracker means Jira is not configured and the
// change record stays in Tollgate's store.
type JiraConfig struct {
	Tracker jira.Tracker
}

// JiraChangeRequestInput is the change request to create at intake.
type JiraChangeRequestInput struct {
	Change jira.ChangeRequest `json:"change"`
}

// JiraChangeRequestResult is the change request's issue key.
type JiraChangeRequestResult struct {
	Key string `json:"key"`
}

// JiraChangeRequest finds the release's change request by its marker label, or creates it:
// exactly one issue per release, whatever answers were lost.
func (a *Activities) JiraChangeRequest(ctx context.Context, in JiraChangeRequestInput) (JiraChangeRequestResult, error) {
	t := a.Jira.Tracker
	if t == nil {
		return JiraChangeRequestResult{}, temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	key, err := t.FindChange(ctx, in.Change.ReleaseID)
	if err != nil {
		return JiraChangeRequestResult{}, jiraError(err)
	}
	if key == "" {
		if key, err = t.CreateChange(ctx, in.Change); err != nil {
			return JiraChangeRequestResult{}, jiraError(err)
		}
		a.logger().InfoContext(ctx, "jira change request created", "release", in.Change.ReleaseID, "key", key)
	}
	return JiraChangeRequestResult{Key: key}, nil
}

// JiraUpdateChangeInput is the change request's content to write again.
type JiraUpdateChangeInput struct {
	Key    string             `json:"key"`
	Change jira.ChangeRequest `json:"change"`
}

// JiraUpdateChange writes the change request's content again: created at intake with the risk
// pending, it gets the assessed class and explanation. The write is a PUT of the same content,
// so a retry after a lost answer changes nothing more.
func (a *Activities) JiraUpdateChange(ctx context.Context, in JiraUpdateChangeInput) error {
	if a.Jira.Tracker == nil {
		return temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	if err := a.Jira.Tracker.UpdateChange(ctx, in.Key, in.Change); err != nil {
		return jiraError(err)
	}
	return nil
}

// JiraTransitionInput moves a change request to a phase's status.
type JiraTransitionInput struct {
	Key   string `json:"key"`
	Phase string `json:"phase"`
}

// JiraTransition moves the issue through the configured step of the phase; a phase without a
// step is a no-op, and an issue already in the step's status is left alone.
func (a *Activities) JiraTransition(ctx context.Context, in JiraTransitionInput) error {
	if a.Jira.Tracker == nil {
		return temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	if _, err := a.Jira.Tracker.Transition(ctx, in.Key, in.Phase); err != nil {
		return jiraError(err)
	}
	return nil
}

// JiraCommentInput is a comment for a change request. Marker is deterministic, given by the
// workflow per comment ("<release>/comment-<n>"); empty in activities scheduled before markers
// existed, which then add the comment unchecked.
type JiraCommentInput struct {
	Key    string `json:"key"`
	Body   string `json:"body"`
	Marker string `json:"marker,omitempty"`
}

// JiraComment adds a comment to the change request once: the marker travels in the comment's
// footer, and a retry after a lost answer finds it and adds nothing.
func (a *Activities) JiraComment(ctx context.Context, in JiraCommentInput) error {
	if a.Jira.Tracker == nil {
		return temporal.NewNonRetryableApplicationError("jira is not configured on this worker", ErrJiraRefused, nil)
	}
	if err := a.Jira.Tracker.Comment(ctx, in.Key, in.Marker, in.Body); err != nil {
		return jiraError(err)
	}
	return nil
}

// jiraError classifies at the boundary like slackError.
func jiraError(err error) error { return classified(err, ErrJiraRefused, jira.Classify) }
