package jira

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Kinds of Jira field a Tollgate field can be written to (the ":kind" of a Config.Fields target).
const (
	KindText       = "text"
	KindOption     = "option"
	KindOptions    = "options"
	KindLabels     = "labels"
	KindComponents = "components"
)

// fieldOrder is Tollgate's fields in the order the description lists the unmapped ones.
var fieldOrder = []string{FieldRisk, FieldRiskClass, FieldImplementation, FieldBackout, FieldTest, FieldServices}

// FieldKeys lists the keys Config.Fields accepts (TOLLGATE_JIRA_FIELDS).
func FieldKeys() []string { return slices.Clone(fieldOrder) }

// customField is the ID of a custom field; system fields other than components hold Jira's own
// content (summary, description, labels) and are not targets.
var customField = regexp.MustCompile(`^customfield_[0-9]+$`)

// fieldTarget is a parsed Config.Fields value.
type fieldTarget struct {
	ID, Kind string
}

// CheckField says whether key may be mapped to target, and why not: an unknown key, a target
// that is neither a custom field nor components, an unknown kind, or a kind that cannot hold
// the field (a single select for the list of services, components for anything else).
func CheckField(key, target string) error {
	_, err := parseTarget(key, target)
	return err
}

func parseTarget(key, target string) (fieldTarget, error) {
	if !slices.Contains(fieldOrder, key) {
		return fieldTarget{}, fmt.Errorf("unknown field %q (accepted: %s)", key, strings.Join(fieldOrder, ", "))
	}
	if target == KindComponents {
		if key != FieldServices {
			return fieldTarget{}, fmt.Errorf("field %q: components holds services only", key)
		}
		return fieldTarget{ID: KindComponents, Kind: KindComponents}, nil
	}
	id, kind, typed := strings.Cut(target, ":")
	if !typed {
		kind = KindText
	}
	if !customField.MatchString(id) {
		return fieldTarget{}, fmt.Errorf("field %q: target %q: want customfield_NNNNN[:kind] or components", key, target)
	}
	switch kind {
	case KindText, KindOptions, KindLabels:
	case KindOption:
		if key == FieldServices {
			return fieldTarget{}, fmt.Errorf("field %q: target %q: a single select holds one value, services are a list (use :options, :labels or components)", key, target)
		}
	default:
		return fieldTarget{}, fmt.Errorf("field %q: target %q: unknown kind %q (accepted: text, option, options, labels)", key, target, kind)
	}
	return fieldTarget{ID: id, Kind: kind}, nil
}

// checkFields parses every mapping, in key order so the first error is always the same.
func checkFields(fields map[string]string) (map[string]fieldTarget, error) {
	out := map[string]fieldTarget{}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		t, err := parseTarget(key, fields[key])
		if err != nil {
			return nil, fmt.Errorf("jira field mapping: %w", err)
		}
		out[key] = t
	}
	return out, nil
}

// fieldValue is one Tollgate field's content: a list for services, one value otherwise.
type fieldValue struct {
	one  string
	list []string
	many bool
}

func (v fieldValue) items() []string {
	if v.many {
		return slices.DeleteFunc(slices.Clone(v.list), func(s string) bool { return s == "" })
	}
	if v.one == "" {
		return []string{}
	}
	return []string{v.one}
}

func (v fieldValue) text() string {
	if v.many {
		return strings.Join(v.list, ", ")
	}
	return v.one
}

// render is the JSON value Jira takes for a field of the target's kind. An empty single select
// is null, which clears it: Jira refuses {"value": ""} as an option that does not exist.
func (t fieldTarget) render(v fieldValue) any {
	switch t.Kind {
	case KindOption:
		if v.one == "" {
			return nil
		}
		return map[string]string{"value": v.one}
	case KindOptions, KindComponents:
		name := "value"
		if t.Kind == KindComponents {
			name = "name"
		}
		out := []map[string]string{}
		for _, s := range v.items() {
			out = append(out, map[string]string{name: s})
		}
		return out
	case KindLabels:
		out := []string{}
		for _, s := range v.items() {
			out = append(out, labelSafe(s))
		}
		return out
	}
	return v.text()
}

// content renders a change request: the description, with a section for each of Tollgate's
// fields that Config.Fields does not map, and the mapped fields' values by Jira field ID.
func (c *Client) content(cr ChangeRequest) (string, map[string]any) {
	values := map[string]fieldValue{
		FieldRisk:           {one: strings.TrimSpace(strings.TrimSuffix(cr.RiskClass+": "+cr.RiskExplanation, ": "))},
		FieldRiskClass:      {one: cr.RiskClass},
		FieldImplementation: {one: cr.Implementation},
		FieldBackout:        {one: cr.Backout},
		FieldTest:           {one: cr.Test},
		FieldServices:       {list: cr.Services, many: true},
	}
	desc := []string{cr.Description}
	custom := map[string]any{}
	for _, f := range fieldOrder {
		if t, ok := c.fields[f]; ok {
			custom[t.ID] = t.render(values[f])
		} else if s := values[f].text(); s != "" && f != FieldRiskClass {
			desc = append(desc, "h3. "+f+"\n"+s)
		}
	}
	return strings.Join(desc, "\n\n"), custom
}
