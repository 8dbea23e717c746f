package policy

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// ParsePolicyFile reads a shared policy file: a YAML mapping with a "criteria" list of
// {id, description, owner, severity, expr}. Every criterion is checked; problems name the
// criterion's index and field.
func ParsePolicyFile(data []byte) ([]Criterion, error) {
	var doc struct {
		Criteria []Criterion `yaml:"criteria"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("policy file: %v", err)
	}
	if len(doc.Criteria) == 0 {
		return nil, fmt.Errorf("policy file: no criteria")
	}
	if _, err := Compile(doc.Criteria); err != nil {
		return nil, fmt.Errorf("policy file:\n%w", err)
	}
	return doc.Criteria, nil
}
