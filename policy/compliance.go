package policy

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed catalog/compliance.yaml
var defaultCatalog []byte

// Control is one compliance control of the catalog.
type Control struct {
	ID        string   `yaml:"id" json:"id"`
	Framework string   `yaml:"framework" json:"framework"`
	Reference string   `yaml:"reference" json:"reference"`
	Title     string   `yaml:"title" json:"title"`
	AppliesTo []string `yaml:"appliesTo" json:"appliesTo"`
	Owner     string   `yaml:"owner" json:"owner"`
	// Requires is optional CEL that must hold besides the attestation.
	Requires string `yaml:"requires,omitempty" json:"requires,omitempty"`
}

// Catalog is a set of compliance controls.
type Catalog struct {
	Controls []Control `yaml:"controls" json:"controls"`
}

// DefaultCatalog returns the catalog shipped with Tollgate (policy/catalog/compliance.yaml).
func DefaultCatalog() Catalog {
	c, err := ParseCatalog(defaultCatalog)
	if err != nil {
		panic("policy: shipped compliance catalog is invalid: " + err.Error()) // caught by tests
	}
	return c
}

// ParseCatalog reads and checks a catalog: every control needs an ID, a title, an owner and at
// least one data category, and each generated criterion must compile.
func ParseCatalog(data []byte) (Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Catalog{}, fmt.Errorf("compliance catalog: %v", err)
	}
	if len(c.Controls) == 0 {
		return Catalog{}, fmt.Errorf("compliance catalog: no controls")
	}
	var probs []string
	seen := map[string]bool{}
	for i, ctl := range c.Controls {
		p := fmt.Sprintf("controls[%d]", i)
		if seen[ctl.ID] {
			probs = append(probs, fmt.Sprintf("%s.id: duplicate control %q", p, ctl.ID))
		}
		seen[ctl.ID] = true
		if ctl.Title == "" {
			probs = append(probs, fmt.Sprintf("%s.title: required", p))
		}
		if len(ctl.AppliesTo) == 0 {
			probs = append(probs, fmt.Sprintf("%s.appliesTo: required: data categories, or \"*\" for every release", p))
		}
		for _, pr := range Check(ctl.Criterion()) {
			probs = append(probs, fmt.Sprintf("%s.%s: %s", p, pr.Field, pr.Message))
		}
	}
	if len(probs) > 0 {
		return Catalog{}, fmt.Errorf("compliance catalog:\n%s", strings.Join(probs, "\n"))
	}
	return c, nil
}

// Applicable returns the controls that apply to a release with the given data categories, in
// catalog order. Compliance is opt-in: a release that declares no data category gets no
// controls, so specs written before the checklist existed are not blocked by it; "*" matches
// any declared category.
func (c Catalog) Applicable(categories []string) []Control {
	if len(categories) == 0 {
		return nil
	}
	var out []Control
	for _, ctl := range c.Controls {
		if slices.Contains(ctl.AppliesTo, "*") || slices.ContainsFunc(ctl.AppliesTo, func(a string) bool {
			return slices.Contains(categories, a)
		}) {
			out = append(out, ctl)
		}
	}
	return out
}

// Criterion turns a control into a blocking criterion: its attestation exists, is attested by
// the control's owner, and Requires holds.
func (ctl Control) Criterion() Criterion {
	id := strconv.Quote(ctl.ID)
	expr := fmt.Sprintf(`%s in evidence.attestations && evidence.attestations[%s].attested && evidence.attestations[%s].by == %s`,
		id, id, id, strconv.Quote(ctl.Owner))
	if ctl.Requires != "" {
		expr += " && (" + ctl.Requires + ")"
	}
	desc := fmt.Sprintf("%s %s: %s", ctl.Framework, ctl.Reference, ctl.Title)
	return Criterion{ID: "compliance." + ctl.ID, Description: strings.TrimSpace(desc), Owner: ctl.Owner, Severity: Blocking, Expr: expr}
}
