// Package docs generates a release's documentation from its spec: the runbook for operators
// and support, the architecture diagram of its services (Graphviz DOT and Mermaid), and the
// breaking-change diff of the OpenAPI documents attached to service versions.
//
// The package is pure: rendering DOT to SVG with the graphviz binary happens in activities.
package docs

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/release"
)

// Contact is one person or group to reach about a release, with their role.
type Contact struct {
	Role string
	Name string
}

// Contacts lists who to reach, in escalation order: the release owner, the service owners,
// the support contact, then the escalation targets.
func Contacts(s release.Spec) []Contact {
	out := []Contact{{"release owner", s.Metadata.Owner}}
	seen := map[string]bool{}
	for _, svc := range s.Services {
		if svc.Owner != "" && !seen[svc.Owner] {
			seen[svc.Owner] = true
			out = append(out, Contact{"owner of " + svc.Name, svc.Owner})
		}
	}
	if s.Handoff.Contact != "" {
		out = append(out, Contact{"support", s.Handoff.Contact})
	}
	if s.Handoff.EscalateTo != "" {
		out = append(out, Contact{"escalation (handoff)", s.Handoff.EscalateTo})
	}
	if s.Approval.EscalateTo != "" && s.Approval.EscalateTo != s.Handoff.EscalateTo {
		out = append(out, Contact{"escalation (approval)", s.Approval.EscalateTo})
	}
	return out
}

// Runbook renders the release runbook in Markdown: what is deployed where and in which order,
// the steps of each service, contacts and escalation path, and the rollback procedure.
func Runbook(s release.Spec) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Runbook: %s (%s)\n\n", s.Metadata.Title, s.Metadata.ID)
	if s.Metadata.Description != "" {
		p("%s\n\n", s.Metadata.Description)
	}
	p("## Services\n\n| Service | Version | Artifact | Depends on |\n|---|---|---|---|\n")
	for _, svc := range s.Services {
		p("| %s | %s | `%s` | %s |\n", svc.Name, svc.Version, svc.Artifact.Ref, orNone(strings.Join(svc.DependsOn, ", ")))
	}
	p("\n## Waves\n\n")
	for i, wv := range s.Waves {
		p("%d. **%s**: %s\n", i+1, wv.Name, strings.Join(wv.Environments, ", "))
	}
	order := deployOrder(s)
	p("\nServices deploy in dependency order: %s.\n\n## Steps per service\n\n", strings.Join(order, " → "))
	for _, name := range order {
		svc, _ := s.ServiceByName(name)
		p("### %s %s\n\n", svc.Name, svc.Version)
		if svc.Strategy != nil {
			p("- Strategy: %s\n", svc.Strategy.Name())
		}
		p("- Deploy: `%s`\n- Verify: `%s`\n", svc.Runbook.Deploy, svc.Runbook.Verify)
		for _, c := range svc.Smoke {
			if len(c.Steps) == 0 {
				p("- Smoke check %s: `GET %s`\n", c.Name, c.URL)
				continue
			}
			p("- Smoke workflow %s (%d steps from %s)\n", c.Name, len(c.Steps), c.URL)
		}
		p("\n")
	}
	p("## Contacts and escalation\n\n")
	for i, c := range Contacts(s) {
		p("%d. %s: %s\n", i+1, c.Role, c.Name)
	}
	p("\n## Rollback procedure\n\n")
	p("Roll back with `tollgate rollback %s --reason TEXT`: Tollgate undoes every service a wave touched, waves in reverse order and services in reverse dependency order (%s), running each service's rollback step:\n\n", s.Metadata.ID, strings.Join(reversed(order), " → "))
	for _, name := range reversed(order) {
		svc, _ := s.ServiceByName(name)
		p("- %s: `%s`\n", svc.Name, svc.Runbook.Rollback)
	}
	if pd := s.PostDeploy; pd != nil && pd.Watch != nil {
		w := pd.Watch.WatchDefaults()
		p("\nAfter each production wave the health watch runs for %s; a confirmed breach triggers a %s.\n", w.Duration, w.OnBreach)
	}
	return b.String()
}

// deployOrder is the services in dependency order, ties by spec order.
func deployOrder(s release.Spec) []string {
	done := map[string]bool{}
	var out []string
	for len(out) < len(s.Services) {
		progress := false
		for _, svc := range s.Services {
			if done[svc.Name] {
				continue
			}
			ready := true
			for _, d := range svc.DependsOn {
				ready = ready && done[d]
			}
			if ready {
				done[svc.Name], progress = true, true
				out = append(out, svc.Name)
			}
		}
		if !progress { // a cycle: validation refuses it; list the rest as written
			for _, svc := range s.Services {
				if !done[svc.Name] {
					done[svc.Name] = true
					out = append(out, svc.Name)
				}
			}
		}
	}
	return out
}

func reversed(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
