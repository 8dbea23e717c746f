package governance

import (
	"fmt"
	"slices"
	"strings"
)

// Mitigation is the plan a high-risk release must carry.
type Mitigation struct {
	Mitigation        string `json:"mitigation"`
	RollbackPlan      string `json:"rollbackPlan"`
	CommunicationPlan string `json:"communicationPlan"`
}

// Facts are what segregation of duties and the policy look at.
type Facts struct {
	ReleaseID string `json:"releaseId"`
	Owner     string `json:"owner"`
	Initiator string `json:"initiator"`
	// Authors of the release's changes, under any identity (GitHub login, email…).
	Authors    []string    `json:"authors,omitempty"`
	Mitigation *Mitigation `json:"mitigation,omitempty"`
	// Approved are the identities that approved so far, in order.
	Approved []string `json:"approved,omitempty"`
}

// Eligible returns nil when actor may approve the release now, or the refusal the caller sees.
func Eligible(p Policy, d *Directory, f Facts, actor string) error {
	person, _, ok := d.Resolve(actor)
	if !ok {
		return fmt.Errorf("%s is not in the directory and cannot approve release %q", actor, f.ReleaseID)
	}
	if err := conflict(d, person, f); err != nil {
		return err
	}
	if len(p.From) > 0 && !slices.ContainsFunc(p.From, person.InGroup) {
		return fmt.Errorf("%s is not in a group that may approve release %q (groups: %s)", person.ID, f.ReleaseID, strings.Join(p.From, ", "))
	}
	for _, prior := range f.Approved {
		if kind, same := d.samePerson(person, prior); same {
			return fmt.Errorf("%s already approved release %q%s; each person counts once", person.ID, f.ReleaseID, via(kind, prior, person))
		}
	}
	return nil
}

// conflict applies segregation of duties: owner, initiator and authors cannot approve, under
// any of their identities.
func conflict(d *Directory, person Person, f Facts) error {
	if kind, same := d.samePerson(person, f.Owner); same {
		return fmt.Errorf("%s owns release %q%s and cannot approve it", person.ID, f.ReleaseID, via(kind, f.Owner, person))
	}
	if kind, same := d.samePerson(person, f.Initiator); same {
		return fmt.Errorf("%s started release %q%s and cannot approve it", person.ID, f.ReleaseID, via(kind, f.Initiator, person))
	}
	for _, a := range f.Authors {
		if kind, same := d.samePerson(person, a); same {
			return fmt.Errorf("%s authored a change in release %q%s and cannot approve it", person.ID, f.ReleaseID, via(kind, a, person))
		}
	}
	return nil
}

// via names the alias that matched, when it is not the person's canonical name.
func via(kind, name string, p Person) string {
	if strings.EqualFold(name, p.ID) {
		return ""
	}
	return fmt.Sprintf(" (%s %s)", kind, name)
}

// Satisfied reports whether approvals meet the policy, and otherwise what is missing, in the
// policy's order. Approvals that are not eligible (unknown people, owner, initiator, authors,
// people outside the approving groups) and repeats by the same person count for nothing.
func Satisfied(p Policy, d *Directory, f Facts, approvals []string) (bool, []string) {
	var approvers []Person
	for _, a := range approvals {
		person, _, ok := d.Resolve(a)
		if !ok || conflict(d, person, f) != nil || len(p.From) > 0 && !slices.ContainsFunc(p.From, person.InGroup) {
			continue
		}
		if slices.ContainsFunc(approvers, func(q Person) bool { return q.ID == person.ID }) {
			continue
		}
		approvers = append(approvers, person)
	}
	var missing []string
	if n := len(approvers); n < p.Quorum {
		missing = append(missing, fmt.Sprintf("%d more distinct approver(s): %d of %d", p.Quorum-n, n, p.Quorum))
	}
	for _, g := range p.Groups {
		n := 0
		for _, a := range approvers {
			if a.InGroup(g.Group) {
				n++
			}
		}
		if n < g.Min {
			missing = append(missing, fmt.Sprintf("%d more approver(s) from group %s: %d of %d", g.Min-n, g.Group, n, g.Min))
		}
	}
	for _, role := range p.Roles {
		if !slices.ContainsFunc(approvers, func(a Person) bool { return a.HasRole(role) }) {
			missing = append(missing, fmt.Sprintf("an approver with role %s", role))
		}
	}
	if p.RequireMitigation {
		missing = append(missing, mitigationGaps(f.Mitigation)...)
	}
	return len(missing) == 0, missing
}

func mitigationGaps(m *Mitigation) []string {
	if m == nil {
		return []string{"a mitigation plan (mitigation, rollbackPlan, communicationPlan)"}
	}
	var out []string
	for _, part := range []struct{ name, text string }{
		{"mitigation", m.Mitigation}, {"rollbackPlan", m.RollbackPlan}, {"communicationPlan", m.CommunicationPlan},
	} {
		if strings.TrimSpace(part.text) == "" {
			out = append(out, "mitigation plan: "+part.name+" is empty")
		}
	}
	return out
}
