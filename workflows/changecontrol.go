package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
)

// changeControlChange marks releases that follow their Jira change request (ITSM-driven mode).
// The version is asked only by releases whose spec declares changeControl, so other releases
// record no marker and earlier histories replay unchanged.
const (
	changeControlChange  = "change-control"
	changeControlVersion = 1
)

// ChangeControlStatus is ITSM-driven mode as the status query shows it.
type ChangeControlStatus struct {
	// Key is the change request; empty until the ITSM coroutine created it.
	Key      string    `json:"key,omitempty"`
	WaitFor  string    `json:"waitFor"`
	RejectOn []string  `json:"rejectOn,omitempty"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline"`
	// Status is the change request's status when the wait ended; Decided is when.
	Status  string    `json:"status,omitempty"`
	Decided time.Time `json:"decided,omitzero"`
}

// changeControlGate holds an approved release until its Jira change request reaches the
// spec's waitFor status. A move to a rejectOn status, a Tollgate rejection, an unreadable
// change request or the timeout end the release before anything is deployed.
func (r *releaseRun) changeControlGate(ctx workflow.Context) (Outcome, string, bool) {
	cc := r.spec.ChangeControl
	if cc == nil || workflow.GetVersion(ctx, changeControlChange, workflow.DefaultVersion, changeControlVersion) == workflow.DefaultVersion {
		return "", "", true
	}
	r.setPhase(ctx, PhaseChangeControl)
	now := workflow.Now(ctx)
	st := &ChangeControlStatus{WaitFor: cc.WaitFor, RejectOn: cc.RejectOn, Since: now, Deadline: now.Add(cc.Timeout.D())}
	r.status.ChangeControl = st
	rejected := func() bool { return r.status.Approval.Rejected != nil }

	// The ITSM coroutine creates the change request at intake; it is normally there already.
	created, _ := workflow.AwaitWithTimeout(ctx, cc.Timeout.D(), func() bool {
		return r.itsm.jiraKey != "" || r.itsm.changeErr != "" || rejected()
	})
	switch {
	case rejected():
		return OutcomeRejected, "rejected by " + r.status.Approval.Rejected.Actor + ": " + r.status.Approval.Rejected.Reason, false
	case !created || r.itsm.jiraKey == "":
		return OutcomeInvalid, "change control: no Jira change request to follow: " + orText(r.itsm.changeErr, "not created within "+cc.Timeout.String()), false
	}
	st.Key = r.itsm.jiraKey
	r.event(ctx, "change-control", "", fmt.Sprintf("waiting for %s to reach %q in Jira until %s%s", st.Key, cc.WaitFor,
		st.Deadline.Format(time.RFC3339), prefixIf("; stops on ", strings.Join(cc.RejectOn, ", "))))
	r.itsmJira("", "Approved in Tollgate. Deployment waits for this change request to reach "+cc.WaitFor+".")

	res, err := r.awaitChangeStatus(ctx, st, rejected)
	actor := "jira:" + st.Key
	switch {
	case rejected():
		return OutcomeRejected, "rejected by " + r.status.Approval.Rejected.Actor + ": " + r.status.Approval.Rejected.Reason, false
	case isTimeout(err):
		msg := fmt.Sprintf("change request %s did not reach %q within %s", st.Key, cc.WaitFor, cc.Timeout)
		r.audit(ctx, "change-control", actor, msg, st)
		return OutcomeApprovalExpired, msg, false
	case err != nil:
		msg := "change control: change request " + st.Key + " cannot be followed: " + errorMessage(err)
		r.audit(ctx, "change-control", actor, msg, st)
		return OutcomeInvalid, msg, false
	}
	st.Status, st.Decided = res.Status, workflow.Now(ctx)
	if res.Rejected {
		msg := fmt.Sprintf("change request %s moved to %q in Jira", st.Key, res.Status)
		r.event(ctx, "change-rejected", actor, msg)
		r.audit(ctx, "change-control", actor, msg, st)
		return OutcomeRejected, msg, false
	}
	msg := fmt.Sprintf("change request %s reached %q in Jira: deployment authorized", st.Key, res.Status)
	r.event(ctx, "change-authorized", actor, msg)
	r.audit(ctx, "change-control", actor, msg, st)
	return "", "", true
}

// awaitChangeStatus runs the heartbeating poll, cancelled when a Tollgate rejection arrives
// first. The schedule-to-close timeout is what is left of the wait, so a worker restart resumes
// the same deadline instead of starting a new one.
func (r *releaseRun) awaitChangeStatus(ctx workflow.Context, st *ChangeControlStatus, rejected func() bool) (activities.JiraAwaitStatusResult, error) {
	cc := r.spec.ChangeControl
	left := st.Deadline.Sub(workflow.Now(ctx))
	if left <= 0 {
		return activities.JiraAwaitStatusResult{}, temporal.NewTimeoutError(0, nil)
	}
	actx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	actx = workflow.WithActivityOptions(actx, workflow.ActivityOptions{
		ScheduleToCloseTimeout: left,
		StartToCloseTimeout:    left,
		HeartbeatTimeout:       2*cc.PollEvery.D() + 30*time.Second,
		RetryPolicy:            &temporal.RetryPolicy{MaximumInterval: time.Minute},
		WaitForCancellation:    false,
	})
	var a *activities.Activities
	fut := workflow.ExecuteActivity(actx, a.JiraAwaitStatus, activities.JiraAwaitStatusInput{
		Key: st.Key, WaitFor: cc.WaitFor, RejectOn: cc.RejectOn, PollEvery: cc.PollEvery.D(),
	})
	if err := workflow.Await(ctx, func() bool { return fut.IsReady() || rejected() }); err != nil {
		return activities.JiraAwaitStatusResult{}, err
	}
	if !fut.IsReady() {
		return activities.JiraAwaitStatusResult{}, nil // rejected in Tollgate; cancel stops the poll
	}
	var res activities.JiraAwaitStatusResult
	err := fut.Get(ctx, &res)
	return res, err
}

func isTimeout(err error) bool {
	var te *temporal.TimeoutError
	return errors.As(err, &te)
}

func orText(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// changeStillAuthorized reads the change request before each wave of an ITSM-driven release:
// moved to a rejecting status since deployment was authorized, the release stops and rolls
// back what it deployed. A read that fails after its retries leaves the authorization standing
// (an event says so): a Jira outage must not strand a release half-way.
func (r *releaseRun) changeStillAuthorized(ctx workflow.Context, wave string) (string, bool) {
	st := r.status.ChangeControl
	if !r.records || st == nil || st.Key == "" || len(st.RejectOn) == 0 {
		return "", true
	}
	var a *activities.Activities
	var res activities.JiraAwaitStatusResult
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: 30 * time.Second, MaximumAttempts: 5},
	})
	err := workflow.ExecuteActivity(actx, a.JiraCheckStatus, activities.JiraCheckStatusInput{
		Key: st.Key, RejectOn: st.RejectOn,
	}).Get(ctx, &res)
	if err != nil {
		r.event(ctx, "change-unread", "", "change request "+st.Key+" not read before wave "+wave+": "+errorMessage(err)+"; the authorization stands")
		return "", true
	}
	if !res.Rejected {
		return "", true
	}
	msg := fmt.Sprintf("change request %s moved to %q in Jira before wave %s", st.Key, res.Status, wave)
	actor := "jira:" + st.Key
	r.event(ctx, "change-rejected", actor, msg)
	r.audit(ctx, "change-control", actor, msg, st)
	return msg, false
}
