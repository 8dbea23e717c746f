package integrity

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest is the release manifest: the components a release must contain.
type Manifest struct {
	Components []ManifestComponent `yaml:"components" json:"components"`
}

// ManifestComponent is one expected component; an empty Version accepts any version.
type ManifestComponent struct {
	Name    string `yaml:"name" json:"name"`
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
}

// MaxManifestSize bounds a manifest file.
const MaxManifestSize = 1 << 20

// ParseManifest reads a manifest in YAML or JSON (JSON is YAML). Unknown fields, duplicate
// names and empty names are errors.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("manifest: %d bytes is above the %d-byte limit", len(data), MaxManifestSize)
	}
	var m Manifest
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(m.Components) == 0 {
		return nil, errors.New("manifest: no components")
	}
	seen := map[string]bool{}
	for i, c := range m.Components {
		switch {
		case c.Name == "":
			return nil, fmt.Errorf("manifest: components[%d]: name is required", i)
		case seen[c.Name]:
			return nil, fmt.Errorf("manifest: components[%d]: duplicate component %q", i, clip(c.Name))
		}
		seen[c.Name] = true
	}
	return &m, nil
}

// VerifyManifest checks that every expected component is in the release at the expected
// version, and that no service goes below the version deployed in any target environment.
// services maps service name → version being released; deployed maps environment → service →
// version currently there. m may be nil: then only the downgrade check runs.
func VerifyManifest(m *Manifest, services map[string]string, deployed map[string]map[string]string, targets []string) Result {
	var findings []string
	reason := Reason("")
	add := func(r Reason, f string) {
		findings = append(findings, f)
		if reason == "" || r == ReasonComponentMissing {
			reason = r
		}
	}
	if m != nil {
		for _, c := range m.Components {
			got, ok := services[c.Name]
			switch {
			case !ok:
				add(ReasonComponentMissing, fmt.Sprintf("component %q is in the manifest but not in the release", c.Name))
			case c.Version != "" && strings.TrimPrefix(got, "v") != strings.TrimPrefix(c.Version, "v"):
				add(ReasonComponentMissing, fmt.Sprintf("component %q: the manifest expects %s, the release has %s", c.Name, c.Version, got))
			}
		}
	}
	for _, env := range targets {
		for _, svc := range sortedNames(services) {
			cur, ok := deployed[env][svc]
			if !ok || cur == "" {
				continue
			}
			cmp, err := CompareVersions(services[svc], cur)
			switch {
			case err != nil:
				add(ReasonBadVersion, fmt.Sprintf("service %q in %s: cannot compare %s with deployed %s: %v", svc, env, services[svc], cur, err))
			case cmp < 0:
				add(ReasonDowngrade, fmt.Sprintf("service %q: %s is older than %s, deployed in %s", svc, services[svc], cur, env))
			}
		}
	}
	if len(findings) > 0 {
		return fail(CheckManifest, reason, "manifest: "+findings[0], Details{Findings: capFindings(findings)})
	}
	return pass(CheckManifest, fmt.Sprintf("manifest: %d component(s) present, none older than deployed", len(services)), Details{})
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
