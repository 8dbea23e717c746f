package docs

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/release"
)

// Diagram is the architecture diagram of a release's services and their dependencies, in both
// notations: DOT for Graphviz, Mermaid for where Graphviz is not installed.
type Diagram struct {
	DOT     string
	Mermaid string
}

// Architecture draws the release's services with edges from each service to what it depends
// on. Services the release changes (a version different from deployed[service], or any when
// deployed has no entry) are highlighted; dependencies outside the release are drawn plain.
func Architecture(s release.Spec, deployed map[string]string) Diagram {
	var dot, mm strings.Builder
	fmt.Fprintf(&dot, "digraph %q {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n", s.Metadata.ID)
	mm.WriteString("graph LR\n")
	inRelease := map[string]bool{}
	for _, svc := range s.Services {
		inRelease[svc.Name] = true
		changed := deployed[svc.Name] != svc.Version
		label := svc.Name + " " + svc.Version
		if changed {
			fmt.Fprintf(&dot, "  %q [label=%q, style=\"rounded,filled,bold\", fillcolor=\"#ffe08a\"];\n", svc.Name, label+" (changed)")
			fmt.Fprintf(&mm, "  %s[\"%s (changed)\"]:::changed\n", mermaidID(svc.Name), label)
		} else {
			fmt.Fprintf(&dot, "  %q [label=%q];\n", svc.Name, label)
			fmt.Fprintf(&mm, "  %s[\"%s\"]\n", mermaidID(svc.Name), label)
		}
	}
	for _, svc := range s.Services {
		for _, d := range svc.DependsOn {
			if !inRelease[d] {
				fmt.Fprintf(&dot, "  %q [style=dashed];\n", d)
				fmt.Fprintf(&mm, "  %s[\"%s\"]\n", mermaidID(d), d)
				inRelease[d] = true
			}
			fmt.Fprintf(&dot, "  %q -> %q;\n", svc.Name, d)
			fmt.Fprintf(&mm, "  %s --> %s\n", mermaidID(svc.Name), mermaidID(d))
		}
	}
	dot.WriteString("}\n")
	mm.WriteString("  classDef changed fill:#ffe08a,stroke:#a07000,stroke-width:2px\n")
	return Diagram{DOT: dot.String(), Mermaid: mm.String()}
}

// mermaidID makes a service name a Mermaid node ID (letters, digits and '_').
func mermaidID(name string) string {
	return "svc_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}
