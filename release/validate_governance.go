package release

import (
	"slices"
	"strings"
)

// governance checks the change-governance fields: a mitigation plan, when given, has all three
// parts; authors are named once each; owners are team names.
func (v *validator) governance() {
	if m := v.spec.Mitigation; m != nil {
		for _, part := range []struct{ field, text, what string }{
			{"mitigation", m.Mitigation, "how the risk is reduced"},
			{"rollbackPlan", m.RollbackPlan, "how to roll back"},
			{"communicationPlan", m.CommunicationPlan, "who is told, and where"},
		} {
			if strings.TrimSpace(part.text) == "" {
				v.add("mitigation."+part.field, "required in a mitigation plan: %s", part.what)
			}
		}
	}
	var seen []string
	for i, a := range v.spec.Authors {
		p := indexPath("authors", i)
		switch {
		case strings.TrimSpace(a) == "":
			v.add(p, "required: an author's identity (GitHub login, email or directory name)")
		case slices.Contains(seen, strings.ToLower(a)):
			v.add(p, "duplicate author %q", a)
		default:
			seen = append(seen, strings.ToLower(a))
		}
	}
	for i, svc := range v.spec.Services {
		if svc.Owner != "" && strings.TrimSpace(svc.Owner) != svc.Owner {
			v.add(indexPath("services", i)+".owner", "team name %q has leading or trailing spaces", svc.Owner)
		}
	}
}
