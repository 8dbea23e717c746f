package evidence

import (
	"encoding/json"
	"fmt"
	"maps"
)

// SARIFSummary counts the findings of one or more SARIF logs by level and by rule. Only
// results whose kind is "fail" (the default) count: "pass" and "notApplicable" results are
// not findings.
type SARIFSummary struct {
	Runs     int64            `json:"runs"`
	Errors   int64            `json:"errors"`
	Warnings int64            `json:"warnings"`
	Notes    int64            `json:"notes"`
	Total    int64            `json:"total"`
	ByRule   map[string]int64 `json:"by_rule"`
	Tools    []string         `json:"tools"`
}

type sarifLog struct {
	Version string      `json:"version"`
	Runs    *[]sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver struct {
			Name  string      `json:"name"`
			Rules []sarifRule `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Results *[]sarifResult `json:"results"`
}

type sarifRule struct {
	ID                   string `json:"id"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Rule      struct {
		ID    string `json:"id"`
		Index *int   `json:"index"`
	} `json:"rule"`
	Level string `json:"level"`
	Kind  string `json:"kind"`
}

// ParseSARIF reads a SARIF 2.1.0 log. A log without runs, or a run without a results array,
// is an error: SARIF says a run whose results are absent was not analysed, which is not the
// same as "no findings" (an empty array).
func ParseSARIF(data []byte) (SARIFSummary, error) {
	const kind = "SARIF"
	if err := checkSize(kind, data); err != nil {
		return SARIFSummary{}, err
	}
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		return SARIFSummary{}, fmt.Errorf("%s: malformed JSON: %v", kind, err)
	}
	if log.Version != "2.1.0" {
		return SARIFSummary{}, fmt.Errorf("%s: version %q, want \"2.1.0\"", kind, log.Version)
	}
	if log.Runs == nil || len(*log.Runs) == 0 {
		return SARIFSummary{}, fmt.Errorf("%s: no runs: the log records no analysis", kind)
	}
	s := SARIFSummary{ByRule: make(map[string]int64)}
	for i, run := range *log.Runs {
		tool := run.Tool.Driver.Name
		if tool == "" {
			return SARIFSummary{}, fmt.Errorf("%s: runs[%d]: tool.driver.name is missing", kind, i)
		}
		if run.Results == nil {
			return SARIFSummary{}, fmt.Errorf("%s: runs[%d] (%s): no results array: the tool did not complete its analysis", kind, i, tool)
		}
		s.Runs++
		s.Tools = append(s.Tools, tool)
		for _, r := range *run.Results {
			if r.Kind != "" && r.Kind != "fail" {
				continue
			}
			rule, level := resolveRule(run.Tool.Driver.Rules, r)
			switch level {
			case "error":
				s.Errors++
			case "note":
				s.Notes++
			case "none":
				continue
			default: // "warning" and SARIF's default when nothing says otherwise
				s.Warnings++
			}
			s.Total++
			s.ByRule[rule]++
		}
	}
	return s, nil
}

// resolveRule finds a result's rule ID and effective level: the result's own level, else its
// rule's default configuration, else "warning" (SARIF 2.1.0 §3.27.10).
func resolveRule(rules []sarifRule, r sarifResult) (string, string) {
	id := r.RuleID
	if id == "" {
		id = r.Rule.ID
	}
	idx := r.RuleIndex
	if idx == nil {
		idx = r.Rule.Index
	}
	var rule *sarifRule
	if idx != nil && *idx >= 0 && *idx < len(rules) {
		rule = &rules[*idx]
	} else {
		for i := range rules {
			if rules[i].ID == id {
				rule = &rules[i]
				break
			}
		}
	}
	if id == "" && rule != nil {
		id = rule.ID
	}
	if id == "" {
		id = "(no rule)"
	}
	level := r.Level
	if level == "" && rule != nil {
		level = rule.DefaultConfiguration.Level
	}
	if level == "" {
		level = "warning"
	}
	return id, level
}

// Merge adds another log's counts.
func (s SARIFSummary) Merge(o SARIFSummary) SARIFSummary {
	// Clone: s is a copy, but its map would still be shared with the caller's value.
	s.ByRule = maps.Clone(s.ByRule)
	if s.ByRule == nil {
		s.ByRule = make(map[string]int64)
	}
	s.Runs += o.Runs
	s.Errors += o.Errors
	s.Warnings += o.Warnings
	s.Notes += o.Notes
	s.Total += o.Total
	for k, v := range o.ByRule {
		s.ByRule[k] += v
	}
	s.Tools = append(s.Tools, o.Tools...)
	return s
}
