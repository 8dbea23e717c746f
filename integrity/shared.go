package integrity

import (
	"fmt"
	"strings"
)

// Library match rules.
const (
	MatchExact = "exact"
	MatchMajor = "major"
)

// LibraryRule says how the versions of one shared library must agree across services. Name is
// matched against a component's name or its package URL without the version.
type LibraryRule struct {
	Name  string
	Match string
}

// ServiceSBOM pairs a service with its parsed SBOM.
type ServiceSBOM struct {
	Service string
	SBOM    *SBOM
}

type libUse struct{ service, version string }

// VerifySharedLibraries finds, for each rule, every service that uses the library and checks
// that their versions agree under the rule. A conflict names both services and versions.
func VerifySharedLibraries(sboms []ServiceSBOM, rules []LibraryRule) Result {
	var findings []string
	reason := Reason("")
	for _, rule := range rules {
		uses := libraryUses(sboms, rule.Name)
		if len(uses) < 2 {
			continue
		}
		first := uses[0]
		for _, u := range uses[1:] {
			ok, err := compatible(rule.Match, first.version, u.version)
			switch {
			case err != nil:
				findings = append(findings, fmt.Sprintf("%s: %s uses %s, %s uses %s: %v", rule.Name, first.service, first.version, u.service, u.version, err))
				if reason == "" {
					reason = ReasonSharedLibAmbiguous
				}
			case !ok:
				findings = append(findings, fmt.Sprintf("%s: %s uses %s but %s uses %s (rule: %s)", rule.Name, first.service, first.version, u.service, u.version, rule.Match))
				reason = ReasonSharedLibConflict
			}
		}
	}
	if len(findings) > 0 {
		return fail(CheckSharedLibs, reason, "shared libraries: "+findings[0], Details{Findings: capFindings(findings)})
	}
	return pass(CheckSharedLibs, fmt.Sprintf("shared libraries: %d rule(s) hold across %d service(s)", len(rules), len(sboms)), Details{})
}

func libraryUses(sboms []ServiceSBOM, name string) []libUse {
	var out []libUse
	for _, s := range sboms {
		if s.SBOM == nil {
			continue
		}
		for _, c := range s.SBOM.Components {
			if c.Name == name || purlBase(c.PURL) == name {
				out = append(out, libUse{service: s.Service, version: c.Version})
			}
		}
	}
	return out
}

// purlBase strips the version, qualifiers and subpath from a package URL.
func purlBase(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndex(p, "@"); i >= 0 {
		p = p[:i]
	}
	return p
}

func compatible(rule, a, b string) (bool, error) {
	switch rule {
	case MatchExact:
		return strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v"), nil
	case MatchMajor:
		va, err := parseVersion(a)
		if err != nil {
			return false, err
		}
		vb, err := parseVersion(b)
		if err != nil {
			return false, err
		}
		return va.Major() == vb.Major(), nil
	}
	return false, fmt.Errorf("unknown rule %q: want exact or major", rule)
}
