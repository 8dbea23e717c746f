package release

import (
	"slices"
	"strings"
	"time"
)

// Bounds of ITSM-driven mode. Polling faster than once a second only loads Jira; a wait longer
// than 30 days is a change request nobody is working on.
const (
	DefaultChangeControlPoll    = time.Minute
	DefaultChangeControlTimeout = 72 * time.Hour
	minChangeControlPoll        = time.Second
	maxChangeControlPoll        = time.Hour
	maxChangeControlTimeout     = 30 * 24 * time.Hour
)

// changeControl checks ITSM-driven mode: a status to wait for, rejecting statuses that differ
// from it and from each other (compared as Jira does, ignoring case), and sane poll and timeout.
func (v *validator) changeControl() {
	cc := v.spec.ChangeControl
	if cc == nil {
		return
	}
	const p = "changeControl"
	if v.required(p+".waitFor", strings.TrimSpace(cc.WaitFor), "the Jira status that lets deployment start, e.g. Implement") &&
		strings.TrimSpace(cc.WaitFor) != cc.WaitFor {
		v.add(p+".waitFor", "status %q has leading or trailing spaces", cc.WaitFor)
	}
	var seen []string
	for i, st := range cc.RejectOn {
		path := indexPath(p+".rejectOn", i)
		key := strings.ToLower(strings.TrimSpace(st))
		switch {
		case key == "":
			v.add(path, "required: a Jira status that ends the release, e.g. Rejected")
		case key == strings.ToLower(cc.WaitFor):
			v.add(path, "status %q is also waitFor: a status cannot both start and stop the release", st)
		case slices.Contains(seen, key):
			v.add(path, "duplicate status %q", st)
		default:
			seen = append(seen, key)
		}
	}
	if d := cc.PollEvery.D(); d != 0 && (d < minChangeControlPoll || d > maxChangeControlPoll) {
		v.add(p+".pollEvery", "must be between %s and %s, got %s", minChangeControlPoll, maxChangeControlPoll, cc.PollEvery)
	}
	if d := cc.Timeout.D(); d < 0 || d > maxChangeControlTimeout {
		v.add(p+".timeout", "must be between 0 (default %s) and %s, got %s", DefaultChangeControlTimeout, maxChangeControlTimeout, cc.Timeout)
	}
}
