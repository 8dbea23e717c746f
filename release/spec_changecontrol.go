package release

// ITSM-driven mode (declared in spec.go, optional so that specs without it keep their digest).
// It needs the Jira integration on the worker:
//
//	changeControl:
//	  waitFor: Implement          # after Tollgate's approval, wait for the change request to reach this status
//	  rejectOn: [Rejected, Cancelled]   # end the release, rejected, if it is moved to one of these first
//	  pollEvery: 1m               # how often Jira is asked (default 1m)
//	  timeout: 72h                # how long to wait before the release expires (default 72h)

// ChangeControl makes the Jira change request authoritative: deployment starts only once the
// change request reaches WaitFor, and a move to a RejectOn status ends the release.
type ChangeControl struct {
	WaitFor   string   `yaml:"waitFor" json:"waitFor"`
	RejectOn  []string `yaml:"rejectOn,omitempty" json:"rejectOn,omitempty"`
	PollEvery Duration `yaml:"pollEvery,omitempty" json:"pollEvery"`
	Timeout   Duration `yaml:"timeout,omitempty" json:"timeout"`
}
