package governance

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tollgate-dev/tollgate/risk"
)

// GroupQuorum requires Min distinct approvers from Group.
type GroupQuorum struct {
	Group string `yaml:"group" json:"group"`
	Min   int    `yaml:"min" json:"min"`
}

// Policy is what one risk class needs before deployment.
type Policy struct {
	// From lists the groups whose members may approve; empty means anyone in the directory.
	From []string `yaml:"from,omitempty" json:"from,omitempty"`
	// Quorum is how many distinct people must approve.
	Quorum int `yaml:"quorum" json:"quorum"`
	// Groups adds per-group minimums, e.g. two from the CAB.
	Groups []GroupQuorum `yaml:"groups,omitempty" json:"groups,omitempty"`
	// Roles must each be held by at least one approver, e.g. team-lead.
	Roles []string `yaml:"roles,omitempty" json:"roles,omitempty"`
	// RequireMitigation needs a mitigation plan on the release with all three parts written.
	RequireMitigation bool `yaml:"requireMitigation,omitempty" json:"requireMitigation,omitempty"`
	// Flagged marks the release for attention (emergency changes).
	Flagged bool `yaml:"flagged,omitempty" json:"flagged,omitempty"`
	// ForceReview forces the post-deploy review after ReviewAfter, escalating after EscalateAfter.
	ForceReview   bool          `yaml:"forceReview,omitempty" json:"forceReview,omitempty"`
	ReviewAfter   time.Duration `yaml:"reviewAfter,omitempty" json:"reviewAfter,omitempty"`
	EscalateAfter time.Duration `yaml:"escalateAfter,omitempty" json:"escalateAfter,omitempty"`
}

// Policies maps each risk class to its policy.
type Policies struct {
	Low       Policy `yaml:"low" json:"low"`
	Medium    Policy `yaml:"medium" json:"medium"`
	High      Policy `yaml:"high" json:"high"`
	Emergency Policy `yaml:"emergency" json:"emergency"`
}

// Group names the default policies use.
const (
	GroupApprovers = "approvers"
	GroupCAB       = "cab"
	RoleTeamLead   = "team-lead"
)

// DefaultPolicies are the shipped policies:
//   - low: one approver from "approvers";
//   - medium: two, one of them a team lead;
//   - high: two, one a team lead, plus two from the CAB, and a mitigation plan;
//   - emergency: one approver, flagged, review forced after 24h, escalation at 48h.
func DefaultPolicies() Policies {
	return Policies{
		Low:    Policy{From: []string{GroupApprovers, GroupCAB}, Quorum: 1},
		Medium: Policy{From: []string{GroupApprovers, GroupCAB}, Quorum: 2, Roles: []string{RoleTeamLead}},
		High: Policy{From: []string{GroupApprovers, GroupCAB}, Quorum: 2, Roles: []string{RoleTeamLead},
			Groups: []GroupQuorum{{Group: GroupCAB, Min: 2}}, RequireMitigation: true},
		Emergency: Policy{From: []string{GroupApprovers, GroupCAB}, Quorum: 1, Flagged: true, ForceReview: true,
			ReviewAfter: 24 * time.Hour, EscalateAfter: 48 * time.Hour},
	}
}

// ParsePolicies reads YAML policies; a class omitted keeps its default.
func ParsePolicies(data []byte) (Policies, error) {
	p := DefaultPolicies()
	if err := yaml.Unmarshal(data, &p); err != nil {
		return Policies{}, fmt.Errorf("approval policies: %w", err)
	}
	for _, c := range []risk.Class{risk.Low, risk.Medium, risk.High, risk.Emergency} {
		pol := p.For(c)
		if pol.Quorum < 1 {
			return Policies{}, fmt.Errorf("approval policies: %s.quorum: must be at least 1, got %d", c, pol.Quorum)
		}
		for i, g := range pol.Groups {
			if g.Group == "" || g.Min < 1 {
				return Policies{}, fmt.Errorf("approval policies: %s.groups[%d]: want a group and min ≥ 1", c, i)
			}
		}
	}
	return p, nil
}

// For returns the policy of a class; an unknown class gets the high policy, failing closed.
func (p Policies) For(c risk.Class) Policy {
	switch c {
	case risk.Low:
		return p.Low
	case risk.Medium:
		return p.Medium
	case risk.Emergency:
		return p.Emergency
	}
	return p.High
}
