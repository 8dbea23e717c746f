package release

// Change-governance fields of a spec (declared in spec.go, all optional so that specs without
// them keep their digest):
//
//	emergency: true           # a declared emergency: one approver, flagged, review forced at
//	                          # 24h with escalation at 48h; risk never computes this class
//	mitigation:               # required for high-risk releases, all three parts written
//	  mitigation: behind the ledger-v2 feature flag, enabled for 1% first
//	  rollbackPlan: runbook rollback, then restore the 22:00 snapshot
//	  communicationPlan: "#payments-oncall and the status page"
//	authors: [bob-gh, carol@example.com]   # under any identity the directory knows
//	services:
//	  - name: ledger
//	    owner: payments       # owning team; blast radius counts teams
//	    migration: true       # this release migrates the ledger database

// Mitigation is a high-risk release's plan: how risk is reduced, how to roll back, who is told.
type Mitigation struct {
	Mitigation        string `yaml:"mitigation" json:"mitigation"`
	RollbackPlan      string `yaml:"rollbackPlan" json:"rollbackPlan"`
	CommunicationPlan string `yaml:"communicationPlan" json:"communicationPlan"`
}
