package release

import "time"

// Defaults Normalize applies that spec.go does not name.
const (
	// DefaultRunbookTimeout bounds one run of one runbook step.
	DefaultRunbookTimeout = 10 * time.Minute
	// DefaultExpectStatus is the HTTP status a smoke check wants.
	DefaultExpectStatus = 200
)

// Normalize fills omitted fields with their defaults, in place. It never overrides a value the
// spec sets, and leaves invalid values (a negative duration) for Validate to report.
func (s *Spec) Normalize() {
	if s.ReviewDelay == 0 {
		s.ReviewDelay = Duration(DefaultReviewDelay)
	}
	if s.Approval.Timeout == 0 {
		s.Approval.Timeout = Duration(DefaultApprovalTimeout)
	}
	if s.ChangeControl != nil {
		// A copy: the caller's spec (and its digest) must not change under it.
		cc := *s.ChangeControl
		s.ChangeControl = &cc
		if cc.PollEvery == 0 {
			cc.PollEvery = Duration(DefaultChangeControlPoll)
		}
		if cc.Timeout == 0 {
			cc.Timeout = Duration(DefaultChangeControlTimeout)
		}
	}
	if s.Deployment.MaxParallel == 0 {
		s.Deployment.MaxParallel = DefaultMaxParallel
	}
	for i := range s.Services {
		svc := &s.Services[i]
		if svc.Runbook.Timeout == 0 {
			svc.Runbook.Timeout = Duration(DefaultRunbookTimeout)
		}
		for j := range svc.Smoke {
			check := &svc.Smoke[j]
			if check.ExpectStatus == 0 {
				check.ExpectStatus = DefaultExpectStatus
			}
			if check.MaxLatency == 0 {
				check.MaxLatency = Duration(DefaultSmokeTimeout)
			}
		}
	}
}
