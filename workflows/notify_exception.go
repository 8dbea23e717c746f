package workflows

import (
	"time"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/release"
)

// exceptionGate is the Slack message of a wave a freeze holds: an approval gate for the
// executives who may grant an exception. It is open while a freeze holds the wave.
type exceptionGate struct {
	index int
	view  *slack.ExceptionView
	// granted counts the release's exceptions when the message opened: one more closes it.
	granted int
}

// openExceptionGate shows (or refreshes) the wave's exception message while a freeze holds it;
// a wave held only by its deployment window has no exception to grant. Records version only.
func (r *releaseRun) openExceptionGate(g exceptionGate, wv release.Wave, freeze *calendar.Hit, until time.Time) exceptionGate {
	if !r.records || !r.notify.on {
		return g
	}
	if freeze == nil { // only a deployment window holds the wave now: no exception to grant
		r.closeExceptionGate(g, "")
		g.view = nil
		return g
	}
	v := slack.ExceptionView{
		ReleaseID: r.spec.Metadata.ID, Wave: wv.Name, Environments: wv.Environments,
		Freeze: freeze.Freeze.ID, Held: r.status.Waiting, Until: until,
	}
	if g.view != nil && g.view.Freeze == v.Freeze && g.view.Held == v.Held && g.view.Until.Equal(v.Until) {
		return g // unchanged: no update
	}
	if g.view == nil {
		g.granted = len(r.status.Exceptions)
	}
	g.view = &v
	r.notify.enqueue(notifyJob{key: slack.ExceptionKey(v.ReleaseID, g.index),
		in: activities.SlackMessageInput{Exception: &v, ExceptionIndex: g.index}})
	return g
}

// closeExceptionGate closes the wave's exception message, if it has one: with why (a rollback),
// or else with the exception granted since, or else because the freeze ended.
func (r *releaseRun) closeExceptionGate(g exceptionGate, why string) {
	if g.view == nil {
		return
	}
	v := *g.view
	switch {
	case why != "":
		v.Closed = why
	case len(r.status.Exceptions) > g.granted:
		ex := r.status.Exceptions[len(r.status.Exceptions)-1]
		v.Closed = "exception granted by " + ex.GrantedBy + " until " + ex.Expires.UTC().Format(time.RFC3339) + ": " + ex.Justification
	default:
		v.Closed = "the freeze ended"
	}
	r.notify.enqueue(notifyJob{key: slack.ExceptionKey(v.ReleaseID, g.index),
		in: activities.SlackMessageInput{Exception: &v, ExceptionIndex: g.index}})
}
