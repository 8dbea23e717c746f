package activities

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// closeDuplicateChanges closes every change request of the release other than key, the one
// the workflow recorded. A duplicate exists only when a create's answer was lost and Jira's
// search index hid the new issue for longer than the retry's wait (changeSearchWaits): the
// retry then created a second issue, and the first, which the workflow never heard of, would
// otherwise stay open. The duplicate gets a comment naming key and is closed through
// jira.PhaseDuplicate; key gets a comment naming the duplicate, so the record shows both.
//
// Every step is repeatable (comments carry markers, a transition to the status an issue is
// already in does nothing), and every Jira call of the release's later transitions runs it
// again: a failure here is logged with the duplicate's key, never charged to the step that
// called it, which has already done its work.
func (a *Activities) closeDuplicateChanges(ctx context.Context, t jira.Tracker, releaseID, key string) {
	if releaseID == "" || key == "" {
		return
	}
	keys, err := t.FindChanges(ctx, releaseID)
	if err != nil {
		a.logger().WarnContext(ctx, "jira duplicate change requests not searched; the next transition looks again",
			"release", releaseID, "key", key, "error", err)
		return
	}
	for _, dup := range keys {
		if dup == key {
			continue
		}
		if err := closeDuplicateChange(ctx, t, releaseID, key, dup); err != nil {
			a.logger().WarnContext(ctx, "jira duplicate change request not closed; the next transition tries again",
				"release", releaseID, "key", key, "duplicate", dup, "error", err)
			continue
		}
		a.logger().WarnContext(ctx, "jira duplicate change request closed", "release", releaseID, "key", key, "duplicate", dup)
	}
}

// closeDuplicateChange comments on dup, closes it and comments on key; each step once.
func closeDuplicateChange(ctx context.Context, t jira.Tracker, releaseID, key, dup string) error {
	why := fmt.Sprintf("Duplicate of %s, the change request of release %s. Tollgate created it on an attempt whose answer was lost "+
		"while Jira's search index did not yet show it; the release is recorded on %s only.", key, releaseID, key)
	if err := t.Comment(ctx, dup, releaseID+"/duplicate-of-"+key, why); err != nil {
		return err
	}
	if _, err := t.Transition(ctx, dup, jira.PhaseDuplicate); err != nil {
		return err
	}
	note := fmt.Sprintf("%s duplicated this change request (created on a retried attempt while Jira's search index lagged) and was closed.", dup)
	return t.Comment(ctx, key, releaseID+"/duplicate-"+dup, note)
}
