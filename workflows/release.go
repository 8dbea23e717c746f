package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/release"
)

// ReleaseInput starts a release.
type ReleaseInput struct {
	Spec release.Spec `json:"spec"`
	// Initiator is the person who started the release; segregation of duties excludes them
	// from approving it.
	Initiator string `json:"initiator"`
}

// ReleaseResult is how a release ended.
type ReleaseResult struct {
	ReleaseID string  `json:"releaseId"`
	Outcome   Outcome `json:"outcome"`
	Reason    string  `json:"reason,omitempty"`
}

// ReleaseWorkflow takes a release from intake through approval, deployment waves and the review
// wait to its close. Controls arrive as Updates; the status Query shows where it is.
func ReleaseWorkflow(ctx workflow.Context, in ReleaseInput) (ReleaseResult, error) {
	r := newReleaseRun(ctx, in)
	if err := r.setup(ctx); err != nil {
		return ReleaseResult{}, err
	}
	return r.run(ctx)
}

// releaseRun is the state of one release; every field is driven only by history.
type releaseRun struct {
	spec     release.Spec
	status   Status
	rollback *Decision
	// child is the wave child running now, so controls can reach it.
	child     workflow.ChildWorkflowFuture
	childMode WaveMode
	// governed is true for releases started since risk, policies, freezes, target locks and
	// the audit trail joined the workflow (governanceChange).
	governed bool
	// gov is the risk assessment with the approval policy and directory it selected.
	gov        *activities.AssessRiskResult
	auditSeq   int64
	lastFreeze *calendar.Hit
	// notify keeps the release's Slack messages current (notify.go).
	notify notifier
	// itsm keeps its GitHub deployments and Jira change request current (itsm.go).
	itsm itsm
	// postDeploy is true for releases started since the health watch, review filing, handoff
	// and archive joined the workflow (postDeployChange); deployStarted and deployFinished
	// bound the waves for the review's DORA figures.
	postDeploy                    bool
	deployStarted, deployFinished time.Time
	// records is true for releases started since the records version (records.go).
	records bool
	// cancelledIn is the phase a cancellation through Temporal arrived in (cancel.go).
	cancelledIn Phase
	// gateEvaluating is true while the last readiness gate collects and judges its evidence: a
	// recheck requested then (CI finishing meanwhile) is kept for the gate to use if it blocks.
	gateEvaluating bool
}

func newReleaseRun(ctx workflow.Context, in ReleaseInput) *releaseRun {
	spec := in.Spec
	spec.Normalize()
	r := &releaseRun{spec: spec}
	r.status = Status{
		ReleaseID: spec.Metadata.ID,
		Title:     spec.Metadata.Title,
		Owner:     spec.Metadata.Owner,
		Initiator: in.Initiator,
		Phase:     PhaseIntake,
		Approval: ApprovalStatus{
			Required:  spec.Approval.Required,
			Approvers: spec.Approval.Approvers,
			Approved:  []Decision{},
		},
		Timeline: []Event{},
	}
	for _, wv := range spec.Waves {
		ws := WaveStatus{Name: wv.Name, State: WavePending}
		for _, env := range wv.Environments {
			es := EnvironmentStatus{Name: env}
			for _, svc := range spec.Services {
				es.Services = append(es.Services, ServiceStatus{Name: svc.Name, Version: svc.Version, State: ServicePending})
			}
			ws.Environments = append(ws.Environments, es)
		}
		r.status.Waves = append(r.status.Waves, ws)
	}
	return r
}

func (r *releaseRun) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) { return r.status, nil }); err != nil {
		return err
	}
	held := workflow.GetSignalChannel(ctx, SignalWaveHeld)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var h WaveHeld
			if !held.Receive(ctx, &h) {
				return
			}
			r.status.Paused = true
			r.event(ctx, "held", "", fmt.Sprintf("wave %s paused itself at %s/%s for a human: %s (resume or roll back)", h.Wave, h.Environment, h.Service, h.Reason))
		}
	})
	if err := r.registerControls(ctx); err != nil {
		return err
	}
	if err := r.registerHandoffControls(ctx); err != nil {
		return err
	}
	return r.registerReadinessControls(ctx)
}

// gate is a phase before deployment; false ends the release with the outcome and reason.
type gate func(workflow.Context) (Outcome, string, bool)

// gates are the phases before deployment, in order. A phase added to a release shape that
// already ran in production goes behind workflow.GetVersion inside its own function.
func (r *releaseRun) gates() []gate {
	return []gate{
		r.intake,
		r.readinessGate,
		r.integrityGate,
		r.apiDocsGate,
		r.preDeployGate,
		r.riskGate,
		r.approval,
		r.changeControlGate,
	}
}

func (r *releaseRun) run(ctx workflow.Context) (ReleaseResult, error) {
	r.governed = workflow.GetVersion(ctx, governanceChange, workflow.DefaultVersion, governanceVersion) == governanceVersion
	r.postDeploy = workflow.GetVersion(ctx, postDeployChange, workflow.DefaultVersion, postDeployVersion) == postDeployVersion
	r.event(ctx, "started", r.status.Initiator, "release "+r.spec.Metadata.ID+" started")
	r.audit(ctx, "phase", r.status.Initiator, "release started", nil)
	for _, g := range r.gates() {
		if outcome, reason, ok := g(ctx); !ok {
			return r.close(ctx, outcome, reason)
		}
	}
	if reason, ok := r.deploy(ctx); !ok {
		return r.rollbackAll(ctx, reason)
	}
	if r.review(ctx) {
		return r.rollbackAll(ctx, "rollback requested by "+r.rollback.Actor+": "+r.rollback.Reason)
	}
	if r.cancelledIn != "" {
		return r.close(ctx, OutcomeCompleted, "") // closes cancelled
	}
	r.handoff(ctx)
	return r.close(ctx, OutcomeCompleted, "")
}

func (r *releaseRun) intake(ctx workflow.Context) (Outcome, string, bool) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var res activities.RecordReleaseResult
	err := workflow.ExecuteActivity(ctx, a.RecordRelease, activities.RecordReleaseInput{
		Spec: r.spec, Initiator: r.status.Initiator, StartedAt: workflow.Now(ctx),
	}).Get(ctx, &res)
	if err != nil {
		return OutcomeInvalid, errorMessage(err), false
	}
	r.event(ctx, "intake", "", "spec recorded, digest "+res.SpecDigest)
	r.notify.on = res.Integrations.Slack
	// The change request is a Jira issue, or else a change record in Tollgate's store: the same
	// activities, content, phases and comments either way.
	r.itsm.github, r.itsm.jira = res.Integrations.GitHub, res.Integrations.Jira || res.Integrations.LocalChanges
	// Deciding the version first adds no command before it: the coroutines send nothing yet.
	r.decideRecords(ctx)
	r.startNotifier(ctx)
	r.startITSM(ctx)
	if r.spec.ChangeControl != nil && !res.Integrations.Jira {
		// Fail closed: ITSM-driven mode without Jira would deploy with nobody's authorization.
		return OutcomeInvalid, "changeControl needs the Jira integration on the worker (TOLLGATE_JIRA_URL, TOLLGATE_JIRA_PROJECT): the change request cannot be followed", false
	}
	return "", "", true
}

// approval waits for the quorum, a rejection or the deadline, whichever comes first,
// reminding the approvers and escalating as the spec asks.
func (r *releaseRun) approval(ctx workflow.Context) (Outcome, string, bool) {
	r.setPhase(ctx, PhaseApproval)
	ap := r.spec.Approval
	timeout := ap.Timeout.D()
	start := workflow.Now(ctx)
	r.status.Approval.Deadline = start.Add(timeout)
	r.event(ctx, "approval-requested", "", fmt.Sprintf("waiting for %d of %v until %s",
		ap.Required, ap.Approvers, r.status.Approval.Deadline.Format(time.RFC3339)))
	if r.directoryGoverned() {
		// The first message already says what the policy needs, not only the spec's quorum.
		_, r.status.Approval.Missing = r.approvalState()
	}
	r.notifyApproval("")
	r.itsmApprovalRequested()
	r.itsmQueued()
	defer func() {
		r.notifyApproval(r.approvalClosedText())
		r.itsmJira("", "Approval "+r.approvalClosedText())
	}()
	decided := func() bool { return r.status.Approval.Rejected != nil || r.approvalSatisfied() }
	nextReminder := time.Time{}
	if ap.RemindEvery > 0 {
		nextReminder = start.Add(ap.RemindEvery.D())
	}
	escalateAt := time.Time{}
	if ap.EscalateAfter > 0 {
		escalateAt = start.Add(ap.EscalateAfter.D())
	}
	// The wait always starts with a timer, even when the quorum arrived during intake: the
	// command sequence of releases recorded before reminders existed stays the same.
	for {
		now := workflow.Now(ctx)
		if !now.Before(r.status.Approval.Deadline) && !decided() {
			return OutcomeApprovalExpired, fmt.Sprintf("approval expired after %s with %d of %d approvals",
				timeout, len(r.status.Approval.Approved), ap.Required), false
		}
		wake := earliest(r.status.Approval.Deadline, nextReminder, escalateAt)
		ok, err := workflow.AwaitWithTimeout(ctx, wake.Sub(now), decided)
		if err != nil {
			return OutcomeApprovalExpired, err.Error(), false
		}
		if ok {
			break
		}
		now = workflow.Now(ctx)
		if !nextReminder.IsZero() && !now.Before(nextReminder) {
			r.event(ctx, "reminder", "", "approval still needed: "+r.pendingText())
			nextReminder = nextReminder.Add(ap.RemindEvery.D())
		}
		if !escalateAt.IsZero() && !now.Before(escalateAt) {
			r.status.Approval.Escalated = now
			msg := "escalated to " + ap.EscalateTo + ": " + r.pendingText()
			r.event(ctx, "escalation", "", msg)
			r.audit(ctx, "escalation", "", msg, nil)
			escalateAt = time.Time{}
		}
	}
	if rej := r.status.Approval.Rejected; rej != nil {
		return OutcomeRejected, "rejected by " + rej.Actor + ": " + rej.Reason, false
	}
	r.event(ctx, "approved", "", "approval policy satisfied by "+strings.Join(r.approvers(), ", "))
	return "", "", true
}

// pendingText says who has not answered and what the policy still needs.
func (r *releaseRun) pendingText() string {
	var waiting []string
	for _, name := range r.spec.Approval.Approvers {
		if !slices.Contains(r.approvers(), name) && name != r.spec.Metadata.Owner && name != r.status.Initiator {
			waiting = append(waiting, name)
		}
	}
	text := fmt.Sprintf("%d of %d approvals; not yet answered: %s", len(r.status.Approval.Approved), r.spec.Approval.Required, strings.Join(waiting, ", "))
	if len(r.status.Approval.Missing) > 0 {
		text += "; policy needs " + strings.Join(r.status.Approval.Missing, ", ")
	}
	return text
}

// earliest returns the earliest non-zero time.
func earliest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t
		}
	}
	return out
}

// deploy runs the waves in order. It returns false with a reason when the release must be
// rolled back: a failed wave or a rollback request.
func (r *releaseRun) deploy(ctx workflow.Context) (string, bool) {
	r.setPhase(ctx, PhaseDeploying)
	r.itsmJira(JiraPhaseDeploying, "")
	r.deployStarted = workflow.Now(ctx)
	for i, wv := range r.spec.Waves {
		if err := workflow.Await(ctx, func() bool { return !r.status.Paused || r.rollback != nil }); err != nil {
			return err.Error(), false
		}
		if r.rollback != nil {
			return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
		}
		if bake := r.spec.Deployment.WaveBake.D(); i > 0 && bake > 0 {
			r.event(ctx, "wave-bake", "", fmt.Sprintf("baking %s before wave %s", bake, wv.Name))
			if _, err := workflow.AwaitWithTimeout(ctx, bake, func() bool { return r.rollback != nil }); err != nil {
				return err.Error(), false
			}
			if err := workflow.Await(ctx, func() bool { return !r.status.Paused || r.rollback != nil }); err != nil {
				return err.Error(), false
			}
			if r.rollback != nil {
				return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
			}
		}
		if reason, ok := r.awaitWaveAllowed(ctx, i, wv); !ok {
			return reason, false
		}
		if reason, ok := r.changeStillAuthorized(ctx, wv.Name); !ok {
			return reason, false
		}
		if reason, ok := r.acquireWaveTargets(ctx, wv); !ok {
			return reason, false
		}
		res, err := r.runWave(ctx, i, wv)
		if err != nil {
			return "wave " + wv.Name + ": " + errorMessage(err), false
		}
		switch res.State {
		case WaveFailed:
			return "wave " + wv.Name + " failed: " + res.Reason, false
		case WaveAborted:
			return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
		}
		if reason, ok := r.watchWave(ctx, i, wv); !ok {
			return reason, false
		}
	}
	r.deployFinished = workflow.Now(ctx)
	return "", true
}

func (r *releaseRun) runWave(ctx workflow.Context, i int, wv release.Wave) (WaveResult, error) {
	in := WaveInput{
		ReleaseID:   r.spec.Metadata.ID,
		Index:       i,
		Name:        wv.Name,
		Mode:        WaveDeploy,
		Services:    r.spec.Services,
		MaxParallel: r.spec.Deployment.MaxParallel,
		Paused:      r.status.Paused,
		Analysis:    r.spec.Analysis,
	}
	for _, name := range wv.Environments {
		env, _ := r.spec.EnvironmentByName(name)
		in.Environments = append(in.Environments, env)
	}
	r.status.Waves[i].State = WaveRunning
	r.status.Waves[i].WorkflowID = WaveWorkflowID(in.ReleaseID, i, WaveDeploy)
	r.upsertEnvironments(ctx, wv.Environments)
	r.event(ctx, "wave-started", "", "wave "+wv.Name+" started: "+fmt.Sprint(wv.Environments))
	r.notifyWave(i, "")
	r.itsmWave(i, "")
	res, err := r.runChild(ctx, in)
	if err != nil {
		r.status.Waves[i].State = WaveFailed
		r.itsmWave(i, errorMessage(err))
		return res, err
	}
	r.status.Waves[i].State = res.State
	r.status.Waves[i].Environments = res.Environments
	r.event(ctx, "wave-"+string(res.State), "", "wave "+wv.Name+" "+string(res.State)+reasonSuffix(res.Reason))
	r.notifyWave(i, res.Reason)
	r.itsmWave(i, res.Reason)
	return res, nil
}

func (r *releaseRun) runChild(ctx workflow.Context, in WaveInput) (WaveResult, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: WaveWorkflowID(in.ReleaseID, in.Index, in.Mode),
		// A wave must not outlive the release that controls it.
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	})
	r.child = workflow.ExecuteChildWorkflow(cctx, WaveWorkflowName, in)
	r.childMode = in.Mode
	var res WaveResult
	err := r.child.Get(ctx, &res)
	r.child = nil
	return res, err
}

// review waits the review delay after the last wave. It returns true when a rollback was
// requested during the wait.
func (r *releaseRun) review(ctx workflow.Context) bool {
	r.setPhase(ctx, PhaseReview)
	delay := r.spec.ReviewDelay.D()
	if r.gov != nil && r.gov.Policy.ForceReview && r.gov.Policy.ReviewAfter > 0 && delay < r.gov.Policy.ReviewAfter {
		// Emergency changes get at least the full review, whatever shorter delay the spec asked for.
		delay = r.gov.Policy.ReviewAfter
		r.event(ctx, "review-forced", "", "the "+string(r.gov.Assessment.Class)+" policy forces a review after "+delay.String())
	}
	r.status.ReviewDue = workflow.Now(ctx).Add(delay)
	r.event(ctx, "review-scheduled", "", "review due "+r.status.ReviewDue.Format(time.RFC3339))
	requested, err := workflow.AwaitWithTimeout(ctx, delay, func() bool { return r.rollback != nil })
	if err != nil {
		if _, cancelled := r.survive(ctx); cancelled {
			return false // the release closes cancelled; nothing is reviewed or handed off
		}
	}
	if !requested {
		r.event(ctx, "review-due", "", "review delay of "+delay.String()+" elapsed")
		r.fileReview(ctx, false, time.Time{})
	}
	return requested
}

// rollbackAll undoes every service a wave touched, waves in reverse order and services in
// reverse dependency order, then closes the release.
func (r *releaseRun) rollbackAll(ctx workflow.Context, reason string) (ReleaseResult, error) {
	ctx, cancelled := r.survive(ctx)
	if cancelled {
		if !r.touchedAny() {
			return r.close(ctx, OutcomeCancelled, "")
		}
		reason = cancelledReason
	}
	rollbackStarted := workflow.Now(ctx)
	r.setPhase(ctx, PhaseRollingBack)
	r.status.Paused = false
	r.event(ctx, "rollback-started", "", reason)
	if declaresRollbackPrerequisites(r.spec) {
		r.verifyRollbackPrerequisites(ctx) // warns on a mismatch; the rollback proceeds (readiness_rollback.go)
	}
	outcome := OutcomeRolledBack
	for i := len(r.spec.Waves) - 1; i >= 0; i-- {
		targets := touched(r.status.Waves[i])
		if len(targets) == 0 {
			continue
		}
		in := WaveInput{
			ReleaseID:   r.spec.Metadata.ID,
			Index:       i,
			Name:        r.spec.Waves[i].Name,
			Mode:        WaveRollback,
			Services:    r.spec.Services,
			Targets:     targets,
			MaxParallel: r.spec.Deployment.MaxParallel,
		}
		for _, t := range targets {
			env, _ := r.spec.EnvironmentByName(t.Environment)
			in.Environments = append(in.Environments, env)
		}
		res, err := r.runChild(ctx, in)
		if err != nil {
			outcome = OutcomeRollbackFailed
			r.event(ctx, "rollback-failed", "", "wave "+in.Name+": "+errorMessage(err))
			if r.records {
				// The environments are not back: GitHub, Jira and Slack say so.
				r.status.Waves[i].State = WaveFailed
				r.notifyWave(i, "rollback failed: "+errorMessage(err))
				r.itsmRolledBack(i, reason)
			}
			continue
		}
		mergeRollback(&r.status.Waves[i], res)
		r.notifyWave(i, "rolled back: "+reason)
		r.itsmRolledBack(i, reason)
		if res.State != WaveRolledBack {
			outcome = OutcomeRollbackFailed
		}
		r.event(ctx, "wave-"+string(r.status.Waves[i].State), "", "rollback of wave "+in.Name+" "+string(res.State)+reasonSuffix(res.Reason))
	}
	if outcome == OutcomeRolledBack {
		r.fileReview(ctx, true, rollbackStarted)
	}
	return r.close(ctx, outcome, reason)
}

// touchedAny reports whether any wave started to change a service.
func (r *releaseRun) touchedAny() bool {
	for _, ws := range r.status.Waves {
		if len(touched(ws)) > 0 {
			return true
		}
	}
	return false
}

// touched lists, per environment, the services a wave started to change.
func touched(ws WaveStatus) []Targets {
	var out []Targets
	for _, env := range ws.Environments {
		t := Targets{Environment: env.Name}
		for _, s := range env.Services {
			if s.State != ServicePending && s.State != ServiceRolledBack {
				t.Services = append(t.Services, s.Name)
				if s.Rollout != nil {
					t.Rollouts = append(t.Rollouts, RolloutRecord{Service: s.Name, Previous: s.Rollout.Previous, Started: s.Rollout.Started})
				}
			}
		}
		if len(t.Services) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func mergeRollback(ws *WaveStatus, res WaveResult) {
	for _, renv := range res.Environments {
		for ei := range ws.Environments {
			if ws.Environments[ei].Name != renv.Name {
				continue
			}
			for _, rs := range renv.Services {
				for si := range ws.Environments[ei].Services {
					s := &ws.Environments[ei].Services[si]
					if s.Name == rs.Name {
						s.State, s.Error = rs.State, rs.Error
					}
				}
			}
		}
	}
	if res.State == WaveRolledBack {
		ws.State = WaveRolledBack
	} else {
		ws.State = WaveFailed
	}
}

func (r *releaseRun) close(ctx workflow.Context, outcome Outcome, reason string) (ReleaseResult, error) {
	ctx, cancelled := r.survive(ctx)
	if cancelled {
		outcome, reason = r.cancelledOutcome(outcome)
	}
	r.status.Outcome, r.status.Reason = outcome, reason
	r.event(ctx, "closed", "", "release "+string(outcome)+reasonSuffix(reason))
	r.setPhase(ctx, PhaseClosed)
	r.finalWaveMessages("release " + string(outcome) + reasonSuffix(reason))
	r.releaseTargets(ctx)
	// Controls still in flight finish before the run ends, so no caller is left without an answer.
	r.flushNotify(ctx)
	r.itsmClosed(ctx, outcome, reason)
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return ReleaseResult{}, err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	err := workflow.ExecuteActivity(actx, a.CloseRelease, activities.CloseReleaseInput{
		ReleaseID: r.spec.Metadata.ID, Outcome: string(outcome), Reason: reason,
		ClosedAt: workflow.Now(ctx), Status: r.status,
	}).Get(ctx, nil)
	if err != nil && outcome != OutcomeInvalid {
		return ReleaseResult{}, fmt.Errorf("close release %q: %w", r.spec.Metadata.ID, err)
	}
	r.sealAudit(ctx)
	r.archive(ctx)
	return ReleaseResult{ReleaseID: r.spec.Metadata.ID, Outcome: outcome, Reason: reason}, nil
}

func (r *releaseRun) event(ctx workflow.Context, kind, actor, msg string) {
	r.status.Timeline = append(r.status.Timeline, Event{Time: workflow.Now(ctx), Kind: kind, Actor: actor, Message: msg})
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
