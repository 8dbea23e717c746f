package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/release"
)

// conflictRetry is how often a wave that waits for another release's targets looks again.
const conflictRetry = 30 * time.Second

// freezeOutlook checks the calendar before approval, so approvers see a freeze in force; the
// binding check runs again before every wave.
func (r *releaseRun) freezeOutlook(ctx workflow.Context) {
	if len(r.spec.Waves) == 0 {
		return
	}
	for _, name := range r.spec.Waves[0].Environments {
		res, err := r.checkFreeze(ctx, name)
		if err == nil && !res.Allowed {
			r.event(ctx, "freeze", "", "before approval: "+res.Message)
		}
	}
}

func (r *releaseRun) checkFreeze(ctx workflow.Context, envName string) (activities.CheckFreezeResult, error) {
	env, _ := r.spec.EnvironmentByName(envName)
	services := make([]string, 0, len(r.spec.Services))
	for _, s := range r.spec.Services {
		services = append(services, s.Name)
	}
	var a *activities.Activities
	var res activities.CheckFreezeResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.CheckFreeze, activities.CheckFreezeInput{
		ReleaseID: r.spec.Metadata.ID, Environment: env.Name, Region: env.Region, Services: services,
		Exceptions: r.status.Exceptions, At: workflow.Now(ctx),
	}).Get(ctx, &res)
	return res, err
}

// awaitWaveAllowed holds a wave until no freeze blocks any of its environments and each one's
// deployment window is open, waiting durably for the next allowed instant. A granted exception
// or a rollback request wakes it early. It returns a reason when the release must stop.
func (r *releaseRun) awaitWaveAllowed(ctx workflow.Context, i int, wv release.Wave) (string, bool) {
	if !r.governed {
		return "", true
	}
	gate := exceptionGate{index: i}
	for {
		var waits []string
		var next time.Time
		var freeze *calendar.Hit
		for _, name := range wv.Environments {
			res, err := r.checkFreeze(ctx, name)
			if err != nil {
				return "calendar: " + errorMessage(err), false
			}
			if res.Allowed {
				continue
			}
			waits = append(waits, res.Message)
			if res.NextAllowed.After(next) {
				next = res.NextAllowed
			}
			if res.Freeze != nil {
				r.lastFreeze, freeze = res.Freeze, res.Freeze
			}
		}
		if len(waits) == 0 {
			r.status.Waiting = ""
			r.closeExceptionGate(gate, "")
			return "", true
		}
		r.status.Waiting = strings.Join(waits, "; ")
		r.event(ctx, "waiting", "", "wave "+wv.Name+" waits: "+r.status.Waiting)
		gate = r.openExceptionGate(gate, wv, freeze, next)
		granted := len(r.status.Exceptions)
		cond := func() bool { return r.rollback != nil || len(r.status.Exceptions) != granted }
		var err error
		if next.IsZero() {
			err = workflow.Await(ctx, cond) // nothing opens within a year: only a person can help
		} else {
			_, err = workflow.AwaitWithTimeout(ctx, next.Sub(workflow.Now(ctx)), cond)
		}
		if err != nil {
			return err.Error(), false
		}
		if r.rollback != nil {
			r.closeExceptionGate(gate, "rollback requested by "+r.rollback.Actor)
			return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
		}
	}
}

// acquireWaveTargets takes the wave's (environment, service) targets so no other release
// deploys them meanwhile. By policy it waits for a holder to finish or refuses at once.
func (r *releaseRun) acquireWaveTargets(ctx workflow.Context, wv release.Wave) (string, bool) {
	if !r.governed {
		return "", true
	}
	services := make([]string, 0, len(r.spec.Services))
	for _, s := range r.spec.Services {
		services = append(services, s.Name)
	}
	var a *activities.Activities
	for _, env := range wv.Environments {
		for {
			var res activities.AcquireTargetsResult
			err := workflow.ExecuteActivity(shortActivity(ctx), a.AcquireTargets, activities.AcquireTargetsInput{
				ReleaseID: r.spec.Metadata.ID, Environment: env, Services: services,
			}).Get(ctx, &res)
			if err != nil {
				return "targets: " + errorMessage(err), false
			}
			if len(res.Conflicts) == 0 {
				break
			}
			var held []string
			for _, c := range res.Conflicts {
				held = append(held, fmt.Sprintf("%s/%s held by release %s", c.Environment, c.Service, c.ReleaseID))
			}
			msg := strings.Join(held, "; ")
			if r.spec.Deployment.OnConflict == release.OnConflictRefuse {
				return "refused: " + msg, false
			}
			r.status.Waiting = msg
			r.event(ctx, "waiting", "", "wave "+wv.Name+" waits: "+msg)
			if _, err := workflow.AwaitWithTimeout(ctx, conflictRetry, func() bool { return r.rollback != nil }); err != nil {
				return err.Error(), false
			}
			if r.rollback != nil {
				return "rollback requested by " + r.rollback.Actor + ": " + r.rollback.Reason, false
			}
		}
	}
	r.status.Waiting = ""
	return "", true
}

// releaseTargets frees the release's targets when it closes.
func (r *releaseRun) releaseTargets(ctx workflow.Context) {
	if !r.governed {
		return
	}
	var a *activities.Activities
	err := workflow.ExecuteActivity(shortActivity(ctx), a.ReleaseTargets, activities.ReleaseTargetsInput{ReleaseID: r.spec.Metadata.ID}).Get(ctx, nil)
	if err != nil {
		r.event(ctx, "targets", "", "targets not freed: "+errorMessage(err))
	}
}

// grantable checks an exception request against the freeze the release is waiting on.
func (r *releaseRun) grantable(ctx workflow.Context, req Request) (calendar.Exception, error) {
	ex := calendar.Exception{Freeze: req.Freeze, Release: r.spec.Metadata.ID, GrantedBy: req.Actor, Justification: req.Reason, Expires: req.Expires}
	if r.lastFreeze == nil {
		return ex, fmt.Errorf("release %q is not held by a freeze", r.status.ReleaseID)
	}
	if req.Freeze != r.lastFreeze.Freeze.ID {
		return ex, fmt.Errorf("release %q is held by freeze %q, not %q", r.status.ReleaseID, r.lastFreeze.Freeze.ID, req.Freeze)
	}
	var roles []string
	if r.gov != nil {
		if p, _, ok := r.gov.Directory.Resolve(req.Actor); ok {
			roles = p.Roles
			ex.GrantedBy = p.ID
		}
	}
	cal := calendar.Calendar{Freezes: []calendar.Freeze{r.lastFreeze.Freeze}}
	return ex, cal.Grant(ex, roles, workflow.Now(ctx))
}
