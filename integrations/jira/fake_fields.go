package jira

import (
	"encoding/json"
	"slices"
	"strings"
)

// setFields applies the fields of a create or update request that checkFields accepted.
func setFields(is *FakeIssue, fields map[string]json.RawMessage) {
	var named struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	for k, raw := range fields {
		switch k {
		case "project":
			_ = json.Unmarshal(raw, &named)
			is.Project = named.Key
		case "issuetype":
			_ = json.Unmarshal(raw, &named)
			is.Type = named.Name
		case "summary":
			_ = json.Unmarshal(raw, &is.Summary)
		case "description":
			_ = json.Unmarshal(raw, &is.Description)
		case "labels":
			_ = json.Unmarshal(raw, &is.Labels)
		case "components":
			var cs []struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &cs)
			is.Components = []string{}
			for _, c := range cs {
				is.Components = append(is.Components, c.Name)
			}
		default:
			if strings.HasPrefix(k, "customfield_") {
				if is.Custom == nil {
					is.Custom = map[string]any{} // an issue stored with AddIssue
				}
				var v any
				_ = json.Unmarshal(raw, &v)
				is.Custom[k] = v
			}
		}
	}
}

// checkFields answers what Jira's create and update screens refuse, by field ID, as Jira's
// "errors" object does: a custom field the schema (SetFieldKinds) does not know, a value of the
// wrong shape for its kind, a component the project does not have (SetComponents), a
// components value that is not a list of names. Without a schema any custom field is taken as
// sent. The caller holds mu.
func (f *Fake) checkFields(fields map[string]json.RawMessage) map[string]string {
	errs := map[string]string{}
	for id, raw := range fields {
		if id == "components" {
			if msg := f.checkComponents(raw); msg != "" {
				errs[id] = msg
			}
			continue
		}
		if !strings.HasPrefix(id, "customfield_") || f.opts.kinds == nil {
			continue
		}
		kind, ok := f.opts.kinds[id]
		if !ok {
			errs[id] = "Field '" + id + "' cannot be set. It is not on the appropriate screen, or unknown."
			continue
		}
		if msg := checkShape(kind, raw); msg != "" {
			errs[id] = msg
		}
	}
	return errs
}

// checkShape says what is wrong with raw for a field of kind; null clears any field.
func checkShape(kind string, raw json.RawMessage) string {
	if string(raw) == "null" {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "data is not valid JSON"
	}
	switch kind {
	case KindOption:
		if !isOption(v) {
			return "data was not an object with a string value"
		}
	case KindOptions:
		list, ok := v.([]any)
		if !ok {
			return "data was not an array"
		}
		if slices.ContainsFunc(list, func(o any) bool { return !isOption(o) }) {
			return "data was not an array of objects with a string value"
		}
	case KindLabels:
		list, ok := v.([]any)
		if !ok {
			return "data was not an array"
		}
		for _, l := range list {
			if s, ok := l.(string); !ok || strings.ContainsAny(s, " \t") {
				return "labels are strings without spaces"
			}
		}
	default:
		if _, ok := v.(string); !ok {
			return "Operation value must be a string"
		}
	}
	return ""
}

func isOption(v any) bool {
	o, ok := v.(map[string]any)
	if !ok {
		return false
	}
	s, ok := o["value"].(string)
	return ok && s != ""
}

// checkComponents says what is wrong with a components value.
func (f *Fake) checkComponents(raw json.RawMessage) string {
	var cs []struct {
		Name *string `json:"name"`
	}
	if json.Unmarshal(raw, &cs) != nil {
		return "data was not an array"
	}
	for _, c := range cs {
		if c.Name == nil {
			return "Component name is required"
		}
		if f.opts.components != nil && !slices.Contains(f.opts.components, *c.Name) {
			return "Component name '" + *c.Name + "' is not valid"
		}
	}
	return ""
}
