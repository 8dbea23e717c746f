package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// ErrJiraRefused is the error type of a Jira call that will never succeed as made (400, 401,
// 404, a transition the workflow does not offer); retrying would only repeat it.
const ErrJiraRefused = "JiraRefused"

// JiraConfig is the Jira integration. A nil Tracker means Jira is not configured: change
// requests then go to Local, the change records in Tollgate's store (LocalChanges), while what
// only Jira can do (incident search, ITSM-driven mode) is off.
type JiraConfig struct {
	Tracker jira.Tracker
	Local   jira.Tracker
}

// changeTracker is where change requests go: Jira when configured, else the local change
// records; nil when neither is.
func (a *Activities) changeTracker() (t jira.Tracker, local bool) {
	if a.Jira.Tracker != nil {
		return a.Jira.Tracker, false
	}
	return a.Jira.Local, a.Jira.Local != nil
}

// errNoChangeTracker is the answer of a change-request activity on a worker with neither.
func errNoChangeTracker() error {
	return temporal.NewNonRetryableApplicationError("jira is not configured on this worker, nor the local change records", ErrJiraRefused, nil)
}

// JiraChangeRequestInput is the change request to create at intake.
type JiraChangeRequestInput struct {
	Change jira.ChangeRequest `json:"change"`
}

// JiraChangeRequestResult is the change request's issue key.
type JiraChangeRequestResult struct {
	Key string `json:"key"`
}

// changeSearchWaits are the pauses between the searches a retried JiraChangeRequest makes
// before creating: 15 s in all, half the 30 s StartToClose the workflow gives it, leaving the
// create its time. Jira's search is eventually consistent (Cloud documents /search/jql so), and
// an issue the previous attempt created moments before its answer was lost may not be
// searchable yet. The wait is no heartbeat's worth: Temporal sees one short call.
var changeSearchWaits = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}

// createReserve is the time left for the create after the last search wait.
const createReserve = 5 * time.Second

// JiraChangeRequest finds the release's change request by its marker label, or creates it:
// exactly one issue per release, whatever answers were lost. The first attempt creates when
// the search finds nothing; a later attempt, whose predecessor may have created the issue,
// searches again over changeSearchWaits (paced by Activities.Clock) before it does.
func (a *Activities) JiraChangeRequest(ctx context.Context, in JiraChangeRequestInput) (JiraChangeRequestResult, error) {
	t, local := a.changeTracker()
	if t == nil {
		return JiraChangeRequestResult{}, errNoChangeTracker()
	}
	key, err := t.FindChange(ctx, in.Change.ReleaseID)
	if err != nil {
		return JiraChangeRequestResult{}, jiraError(err)
	}
	// The local store reads its own writes; only Jira's search index can lag.
	if key == "" && !local && attempt(ctx) > 1 {
		if key, err = a.findLaggingChange(ctx, t, in.Change.ReleaseID); err != nil {
			return JiraChangeRequestResult{}, err
		}
	}
	if key == "" {
		if key, err = t.CreateChange(ctx, in.Change); err != nil {
			return JiraChangeRequestResult{}, jiraError(err)
		}
		a.logger().InfoContext(ctx, "jira change request created", "release", in.Change.ReleaseID, "key", key)
	}
	return JiraChangeRequestResult{Key: key}, nil
}

// findLaggingChange searches again after each of changeSearchWaits while the activity's
// deadline leaves room for the wait and the create; "" when the issue never showed up.
func (a *Activities) findLaggingChange(ctx context.Context, t jira.Tracker, releaseID string) (string, error) {
	for i, wait := range changeSearchWaits {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait+createReserve {
			break
		}
		if err := a.Clock.sleep(ctx, wait); err != nil {
			return "", err
		}
		key, err := t.FindChange(ctx, releaseID)
		if err != nil {
			return "", jiraError(err)
		}
		if key != "" {
			a.logger().InfoContext(ctx, "jira change request found by a later search", "release", releaseID, "key", key, "searches", i+2)
			return key, nil
		}
	}
	a.logger().WarnContext(ctx, "jira change request not found after waiting for the search index; creating it", "release", releaseID)
	return "", nil
}

// JiraUpdateChangeInput is the change request's content to write again.
type JiraUpdateChangeInput struct {
	Key    string             `json:"key"`
	Change jira.ChangeRequest `json:"change"`
}

// JiraUpdateChange writes the change request's content again: created at intake with the risk
// pending, it gets the assessed class and explanation. The write is a PUT of the same content,
// so a retry after a lost answer changes nothing more. A duplicate of the change request is
// then closed (closeDuplicateChanges).
func (a *Activities) JiraUpdateChange(ctx context.Context, in JiraUpdateChangeInput) error {
	t, local := a.changeTracker()
	if t == nil {
		return errNoChangeTracker()
	}
	if err := t.UpdateChange(ctx, in.Key, in.Change); err != nil {
		return jiraError(err)
	}
	if !local {
		a.closeDuplicateChanges(ctx, t, in.Change.ReleaseID, in.Key)
	}
	return nil
}

// JiraTransitionInput moves a change request to a phase's status. ReleaseID, when set, lets
// the transition look for duplicates of the change request; activities scheduled before it
// existed leave it empty.
type JiraTransitionInput struct {
	Key       string `json:"key"`
	Phase     string `json:"phase"`
	ReleaseID string `json:"releaseId,omitempty"`
}

// JiraTransition moves the issue through the configured step of the phase; a phase without a
// step is a no-op, and an issue already in the step's status is left alone. A duplicate of the
// change request is then closed (closeDuplicateChanges).
func (a *Activities) JiraTransition(ctx context.Context, in JiraTransitionInput) error {
	t, local := a.changeTracker()
	if t == nil {
		return errNoChangeTracker()
	}
	if _, err := t.Transition(ctx, in.Key, in.Phase); err != nil {
		return jiraError(err)
	}
	if !local && in.ReleaseID != "" {
		a.closeDuplicateChanges(ctx, t, in.ReleaseID, in.Key)
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
	t, _ := a.changeTracker()
	if t == nil {
		return errNoChangeTracker()
	}
	if err := t.Comment(ctx, in.Key, in.Marker, in.Body); err != nil {
		return jiraError(err)
	}
	return nil
}

// jiraError classifies at the boundary like slackError.
func jiraError(err error) error { return classified(err, ErrJiraRefused, jira.Classify) }
