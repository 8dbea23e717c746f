// Package governance decides who may approve a release and when its approvals suffice: approval
// policies per risk class, segregation of duties resolved through a directory of people and
// their aliases. It is pure and deterministic, so a workflow's update validator can call it.
package governance

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Person is one human, with every identity they may act under.
type Person struct {
	// ID is the canonical name, used in messages.
	ID      string   `yaml:"id" json:"id"`
	Email   string   `yaml:"email,omitempty" json:"email,omitempty"`
	Slack   string   `yaml:"slack,omitempty" json:"slack,omitempty"`   // Slack user ID, e.g. U01BOB
	GitHub  string   `yaml:"github,omitempty" json:"github,omitempty"` // GitHub login
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Groups  []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	Roles   []string `yaml:"roles,omitempty" json:"roles,omitempty"`
}

// Directory is the people file. Identifiers compare case-insensitively (emails and GitHub
// logins are case-insensitive; a Slack ID is upper-case anyway).
type Directory struct {
	People []Person `yaml:"people" json:"people"`
}

// identity is one way to name a person.
type identity struct{ kind, value string }

func (p Person) identities() []identity {
	ids := []identity{{"name", p.ID}, {"email", p.Email}, {"Slack user", p.Slack}, {"GitHub login", p.GitHub}}
	for _, a := range p.Aliases {
		ids = append(ids, identity{"alias", a})
	}
	return slices.DeleteFunc(ids, func(i identity) bool { return i.value == "" })
}

// ParseDirectory reads and checks a directory file.
func ParseDirectory(data []byte) (*Directory, error) {
	var d Directory
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	return &d, d.Validate()
}

// Validate refuses a directory where one identifier names two people: that is exactly the hole
// segregation of duties must not have.
func (d *Directory) Validate() error {
	owner := map[string]string{}
	for i, p := range d.People {
		if p.ID == "" {
			return fmt.Errorf("directory: people[%d].id: required", i)
		}
		for _, id := range p.identities() {
			k := strings.ToLower(id.value)
			if prev, ok := owner[k]; ok && prev != p.ID {
				return fmt.Errorf("directory: %s %q names both %s and %s", id.kind, id.value, prev, p.ID)
			}
			owner[k] = p.ID
		}
	}
	return nil
}

// Resolve finds the person an identity names, and which of their identities it is.
func (d *Directory) Resolve(name string) (Person, string, bool) {
	if d == nil || name == "" {
		return Person{}, "", false
	}
	for _, p := range d.People {
		for _, id := range p.identities() {
			if strings.EqualFold(id.value, name) {
				return p, id.kind, true
			}
		}
	}
	return Person{}, "", false
}

// samePerson reports whether name denotes person p: through the directory, or, for a name the
// directory does not know, by equality with one of p's identities.
func (d *Directory) samePerson(p Person, name string) (kind string, ok bool) {
	if q, k, found := d.Resolve(name); found {
		return k, q.ID == p.ID
	}
	for _, id := range p.identities() {
		if strings.EqualFold(id.value, name) {
			return id.kind, true
		}
	}
	return "", false
}

// InGroup reports whether p is in group.
func (p Person) InGroup(group string) bool { return slices.Contains(p.Groups, group) }

// HasRole reports whether p holds role.
func (p Person) HasRole(role string) bool { return slices.Contains(p.Roles, role) }
