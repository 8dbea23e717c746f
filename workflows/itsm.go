package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/integrations/jira"
)

// Jira phases of the change request, the keys of jira.Config.Transitions.
const (
	JiraPhaseApproval   = "approval"
	JiraPhaseDeploying  = "deploying"
	JiraPhaseRolledBack = "rolled-back"
	JiraPhaseClosed     = "closed"
)

// itsm keeps the release's GitHub deployments and Jira change request in step with its state,
// the way notifier keeps Slack: hooks enqueue, one coroutine sends in order, and nothing waits on
// GitHub or Jira beyond bounded retries. Each side is on only when the worker reported it at
// intake (RecordReleaseResult.Integrations), so other releases and recorded histories produce no
// new command.
type itsm struct {
	github, jira bool
	queue        []itsmJob
	busy         bool
	// comments counts the Jira comments enqueued; the count makes each one's marker.
	comments int
	// jiraKey is the change request once created; deployments are the GitHub IDs by environment.
	jiraKey     string
	deployments map[string]int64
	// changeErr is why the change request could not be created; ITSM-driven mode stops on it.
	changeErr string
	// stopped: the coroutine ended (a cancellation before the records version); nothing drains.
	stopped bool
}

// itsmJob is one call; exactly one of its inputs is set.
type itsmJob struct {
	change     *activities.JiraChangeRequestInput
	update     *activities.JiraUpdateChangeInput
	transition *activities.JiraTransitionInput
	comment    *activities.JiraCommentInput
	deployment *activities.GitHubDeploymentInput
}

func (r *releaseRun) startITSM(ctx workflow.Context) {
	s := &r.itsm
	s.deployments = map[string]int64{}
	if !s.github && !s.jira {
		return
	}
	if r.records {
		ctx = detached(ctx) // the closing records still go out after a cancellation
	}
	if s.jira {
		s.queue = append(s.queue, itsmJob{change: &activities.JiraChangeRequestInput{Change: r.changeRequest()}})
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			if err := workflow.Await(ctx, func() bool { return len(s.queue) > 0 }); err != nil {
				s.stopped = true
				return
			}
			job := s.queue[0]
			s.queue = s.queue[1:]
			s.busy = true
			err := s.run(ctx, actx, job)
			if err != nil {
				// The release never waits on GitHub or Jira; the status and audit trail say
				// what was not written.
				workflow.GetLogger(ctx).Warn("itsm update not sent", "error", err)
			}
			system, record := job.describe()
			r.noteRecord(ctx, system, record, err)
			s.busy = false
		}
	})
}

// describe names the job's system and record for the status and the audit trail.
func (j itsmJob) describe() (string, string) {
	switch {
	case j.change != nil:
		return "jira", "change request"
	case j.update != nil:
		return "jira", "change request update"
	case j.transition != nil:
		return "jira", "transition for phase " + j.transition.Phase
	case j.comment != nil:
		return "jira", "comment " + j.comment.Marker
	case j.deployment != nil:
		return "github", "deployment " + j.deployment.Environment + " " + string(j.deployment.State)
	}
	return "", ""
}

func (s *itsm) run(ctx, actx workflow.Context, job itsmJob) error {
	var a *activities.Activities
	switch {
	case job.change != nil:
		var res activities.JiraChangeRequestResult
		if err := workflow.ExecuteActivity(actx, a.JiraChangeRequest, *job.change).Get(ctx, &res); err != nil {
			s.changeErr = errorMessage(err)
			return err
		}
		s.jiraKey = res.Key
	case job.update != nil:
		if s.jiraKey == "" {
			return nil
		}
		job.update.Key = s.jiraKey
		return workflow.ExecuteActivity(actx, a.JiraUpdateChange, *job.update).Get(ctx, nil)
	case job.transition != nil:
		if s.jiraKey == "" {
			return nil // no change request: nothing to move
		}
		job.transition.Key = s.jiraKey
		return workflow.ExecuteActivity(actx, a.JiraTransition, *job.transition).Get(ctx, nil)
	case job.comment != nil:
		if s.jiraKey == "" {
			return nil
		}
		// The marker set at enqueue makes the comment exactly-once across lost answers. A new
		// input field changes no command, so histories recorded without it replay as they were:
		// no GetVersion is needed.
		job.comment.Key = s.jiraKey
		return workflow.ExecuteActivity(actx, a.JiraComment, *job.comment).Get(ctx, nil)
	case job.deployment != nil:
		in := *job.deployment
		in.ID = s.deployments[in.Environment]
		var res activities.GitHubDeploymentResult
		err := workflow.ExecuteActivity(actx, a.GitHubDeployment, in).Get(ctx, &res)
		if res.ID != 0 {
			s.deployments[in.Environment] = res.ID
		}
		return err
	}
	return nil
}

// flushITSM lets the records queued so far reach GitHub and Jira before the release closes.
func (r *releaseRun) flushITSM(ctx workflow.Context) {
	if !r.itsm.github && !r.itsm.jira {
		return
	}
	_ = workflow.Await(ctx, func() bool { return r.itsm.stopped || len(r.itsm.queue) == 0 && !r.itsm.busy })
}

// itsmJira moves the change request to phase (when not empty) and comments (when not empty).
func (r *releaseRun) itsmJira(phase, comment string) {
	if !r.itsm.jira {
		return
	}
	if phase != "" {
		// A new input field changes no command: histories recorded without ReleaseID replay.
		r.itsm.queue = append(r.itsm.queue, itsmJob{transition: &activities.JiraTransitionInput{Phase: phase, ReleaseID: r.spec.Metadata.ID}})
	}
	if comment != "" {
		// Deterministic: comments are enqueued in the order the workflow reaches them.
		r.itsm.comments++
		marker := fmt.Sprintf("%s/comment-%d", r.spec.Metadata.ID, r.itsm.comments)
		r.itsm.queue = append(r.itsm.queue, itsmJob{comment: &activities.JiraCommentInput{Body: comment, Marker: marker}})
	}
}

// itsmRiskChange marks releases whose change request gets the assessed risk written into it;
// it is asked only when Jira was recorded at intake.
const (
	itsmRiskChange  = "itsm-risk"
	itsmRiskVersion = 1
)

// itsmRiskAssessed writes the risk class and explanation into the change request, which was
// created at intake with the risk pending.
func (r *releaseRun) itsmRiskAssessed(ctx workflow.Context) {
	if !r.itsm.jira || r.status.Risk == nil ||
		workflow.GetVersion(ctx, itsmRiskChange, workflow.DefaultVersion, itsmRiskVersion) == workflow.DefaultVersion {
		return
	}
	r.itsm.queue = append(r.itsm.queue, itsmJob{update: &activities.JiraUpdateChangeInput{Change: r.changeRequest()}})
}

// itsmApprovalRequested records the gate results and risk the approvers decide on.
func (r *releaseRun) itsmApprovalRequested() {
	text := fmt.Sprintf("Approval requested: %d of %v. ", r.spec.Approval.Required, r.spec.Approval.Approvers)
	if rs := r.status.Risk; rs != nil {
		text += "Risk " + string(rs.Class) + ": " + rs.Explanation + ". "
	}
	if rd := r.status.Readiness; rd != nil {
		for _, g := range rd.Gates {
			text += fmt.Sprintf("Gate %s: %s. ", g.Phase, map[bool]string{true: "blocked", false: "passed"}[g.Blocked])
		}
	}
	r.itsmJira(JiraPhaseApproval, strings.TrimSpace(text))
}

// itsmWave records wave i as it stands: GitHub deployments per environment and a Jira comment.
func (r *releaseRun) itsmWave(i int, reason string) {
	if i < 0 || i >= len(r.status.Waves) {
		return
	}
	ws := r.status.Waves[i]
	var states []github.State
	switch {
	case ws.State == WaveRunning && r.records:
		states = []github.State{github.StateInProgress} // queued since intake
	case ws.State == WaveRunning:
		states = []github.State{github.StateQueued, github.StateInProgress}
	case ws.State == WaveCompleted:
		states = []github.State{github.StateSuccess}
	case ws.State == WaveFailed, ws.State == WaveAborted:
		states = []github.State{github.StateFailure}
	}
	r.itsmDeployments(i, states, "wave "+ws.Name+" "+string(ws.State)+reasonSuffix(reason))
	r.itsmJira("", "Wave "+ws.Name+" "+string(ws.State)+reasonSuffix(reason))
}

// itsmRolledBack marks wave i's deployments inactive once the wave was rolled back.
func (r *releaseRun) itsmRolledBack(i int, reason string) {
	if i < 0 || i >= len(r.status.Waves) {
		return
	}
	ws := r.status.Waves[i]
	st := github.StateInactive
	if ws.State != WaveRolledBack {
		st = github.StateFailure // the rollback itself failed: the environment is not back
	}
	r.itsmDeployments(i, []github.State{st}, "rolled back: "+reason)
	r.itsmJira("", "Wave "+ws.Name+" rollback: "+string(ws.State)+" ("+reason+")")
}

func (r *releaseRun) itsmDeployments(i int, states []github.State, desc string) {
	if !r.itsm.github {
		return
	}
	for _, env := range r.spec.Waves[i].Environments {
		e, _ := r.spec.EnvironmentByName(env)
		for _, st := range states {
			r.itsm.queue = append(r.itsm.queue, itsmJob{deployment: &activities.GitHubDeploymentInput{
				ReleaseID: r.spec.Metadata.ID, Environment: env, Ref: r.deployRef(), Description: desc, State: st,
				Production: e.IsProduction(),
			}})
		}
	}
}

// itsmClosed records the outcome and waits for the queue to drain. With the records version the
// closing comment goes first (a closed issue may refuse comments) and the close takes the
// outcome's own step, "closed/<outcome>", which falls back to "closed" where none is mapped.
func (r *releaseRun) itsmClosed(ctx workflow.Context, outcome Outcome, reason string) {
	r.itsmNotDeployed(outcome, reason)
	if outcome == OutcomeRolledBack {
		r.itsmJira(JiraPhaseRolledBack, "")
	}
	text := "Release " + string(outcome) + reasonSuffix(reason)
	if r.records {
		r.itsmJira("", text)
		r.itsmJira(JiraPhaseClosed+"/"+string(outcome), "")
	} else {
		r.itsmJira(JiraPhaseClosed, text)
	}
	r.flushITSM(ctx)
}

// deployRef is what GitHub deployments point at: the source's head, else the release's last
// commit, else the first service's version.
func (r *releaseRun) deployRef() string {
	if head, ok := r.sourceRef(); ok {
		return head
	}
	if n := len(r.spec.Commits); n > 0 {
		return r.spec.Commits[n-1].SHA
	}
	if len(r.spec.Services) > 0 {
		return r.spec.Services[0].Version
	}
	return r.spec.Metadata.ID
}

// changeRequest is the change request's content at intake; risk and gate results follow as a
// comment when the approval opens, since they are not known yet.
func (r *releaseRun) changeRequest() jira.ChangeRequest {
	s := r.spec
	cr := jira.ChangeRequest{ReleaseID: s.Metadata.ID, Summary: "Release " + s.Metadata.ID + ": " + s.Metadata.Title,
		Description: s.Metadata.Description, RiskClass: "pending", RiskExplanation: "assessed before approval; see the approval comment"}
	if rs := r.status.Risk; rs != nil {
		cr.RiskClass, cr.RiskExplanation = string(rs.Class), rs.Explanation
	}
	var impl, back, test []string
	for _, w := range s.Waves {
		impl = append(impl, "wave "+w.Name+": "+strings.Join(w.Environments, ", "))
	}
	for _, svc := range s.Services {
		cr.Services = append(cr.Services, svc.Name)
		back = append(back, svc.Name+": runbook rollback step, waves in reverse order")
		for _, sc := range svc.Smoke {
			test = append(test, svc.Name+": smoke "+sc.Name)
		}
	}
	cr.Implementation, cr.Backout, cr.Test = strings.Join(impl, "\n"), strings.Join(back, "\n"), strings.Join(test, "\n")
	return cr
}
