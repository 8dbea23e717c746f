package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/slack"
)

// notifier keeps a release's Slack messages in step with its state. Hooks only enqueue the
// latest view; one coroutine sends them in order, so updates never overtake each other and a
// burst of approvals coalesces into one chat.update. It is on only when the worker reported
// Slack at intake (RecordReleaseResult.Integrations), so releases without Slack — and every
// history recorded before it — produce no new command.
type notifier struct {
	on      bool
	started bool
	queue   []notifyJob
	busy    bool
	// stopped: the coroutine ended (a cancellation before the records version); nothing drains.
	stopped bool
	// ts are the message timestamps by key, once Slack returned them.
	ts map[string]string
}

type notifyJob struct {
	key string
	in  activities.SlackMessageInput
}

// enqueue replaces a pending job for the same message, or appends one.
func (n *notifier) enqueue(job notifyJob) {
	for i := range n.queue {
		if n.queue[i].key == job.key {
			n.queue[i] = job
			return
		}
	}
	n.queue = append(n.queue, job)
}

func (r *releaseRun) startNotifier(ctx workflow.Context) {
	n := &r.notify
	if !n.on || n.started {
		return
	}
	n.started, n.ts = true, map[string]string{}
	if r.records {
		ctx = detached(ctx) // the closing messages still go out after a cancellation
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		var a *activities.Activities
		for {
			if err := workflow.Await(ctx, func() bool { return len(n.queue) > 0 }); err != nil {
				n.stopped = true
				return
			}
			job := n.queue[0]
			n.queue = n.queue[1:]
			n.busy = true
			job.in.TS = n.ts[job.key]
			var res activities.SlackMessageResult
			if err := workflow.ExecuteActivity(actx, a.SlackMessage, job.in).Get(ctx, &res); err != nil {
				// A message is a courtesy: the release never waits on Slack.
				workflow.GetLogger(ctx).Warn("slack message not sent", "key", job.key, "error", err)
			} else {
				n.ts[job.key] = res.TS
			}
			n.busy = false
		}
	})
}

// flushNotify lets the messages queued so far reach Slack before the release closes.
func (r *releaseRun) flushNotify(ctx workflow.Context) {
	if !r.notify.on {
		return
	}
	_ = workflow.Await(ctx, func() bool { return r.notify.stopped || len(r.notify.queue) == 0 && !r.notify.busy })
}

// notifyApproval renders the approval gate as it stands; closed is empty while it is open.
func (r *releaseRun) notifyApproval(closed string) {
	if !r.notify.on {
		return
	}
	v := slack.ApprovalView{
		ReleaseID: r.spec.Metadata.ID, Title: r.spec.Metadata.Title, Owner: r.spec.Metadata.Owner,
		Initiator: r.status.Initiator, Approvers: r.spec.Approval.Approvers, Required: r.spec.Approval.Required,
		Approved: r.approvers(), Missing: r.status.Approval.Missing, Closed: closed,
	}
	if rs := r.status.Risk; rs != nil {
		v.RiskClass, v.RiskExplain = string(rs.Class), rs.Explanation
	}
	if rd := r.status.Readiness; rd != nil {
		for _, g := range rd.Gates {
			state := "passed"
			if g.Blocked {
				state = "blocked"
			}
			v.Gates = append(v.Gates, string(g.Phase)+": "+state+" — "+g.Summary)
		}
	}
	if in := r.status.Integrity; in != nil {
		v.Gates = append(v.Gates, "integrity: "+map[bool]string{true: "passed", false: "failed"}[in.Passed])
	}
	key := slack.ApprovalKey(v.ReleaseID)
	r.notify.enqueue(notifyJob{key: key, in: activities.SlackMessageInput{Approval: &v}})
}

// approvalClosedText says how the gate closed.
func (r *releaseRun) approvalClosedText() string {
	switch {
	case r.status.Approval.Rejected != nil:
		return "rejected by " + r.status.Approval.Rejected.Actor + ": " + r.status.Approval.Rejected.Reason
	case r.approvalSatisfied():
		return "approved by " + strings.Join(r.approvers(), ", ")
	}
	return "expired"
}

// notifyWave renders wave i as it stands.
func (r *releaseRun) notifyWave(i int, reason string) {
	if !r.notify.on || i < 0 || i >= len(r.status.Waves) {
		return
	}
	ws := r.status.Waves[i]
	v := slack.WaveView{
		ReleaseID: r.spec.Metadata.ID, Wave: ws.Name, Environments: r.spec.Waves[i].Environments,
		State: string(ws.State), Reason: reason, Final: r.waveFinal(ws.State),
	}
	r.notify.enqueue(notifyJob{key: slack.WaveKey(v.ReleaseID, i), in: activities.SlackMessageInput{Wave: &v, WaveIndex: i}})
}
