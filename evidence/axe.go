package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// AccessibilitySummary counts the axe-core violations of one or more pages: rules violated,
// elements affected, and rules by impact.
type AccessibilitySummary struct {
	Pages      int64    `json:"pages"`
	Violations int64    `json:"violations"`
	Nodes      int64    `json:"nodes"`
	Critical   int64    `json:"critical"`
	Serious    int64    `json:"serious"`
	Moderate   int64    `json:"moderate"`
	Minor      int64    `json:"minor"`
	Rules      []string `json:"rules"`
}

type axeResult struct {
	URL        string          `json:"url"`
	TestEngine json.RawMessage `json:"testEngine"`
	Violations *[]struct {
		ID     string            `json:"id"`
		Impact string            `json:"impact"`
		Nodes  []json.RawMessage `json:"nodes"`
	} `json:"violations"`
	Passes *[]json.RawMessage `json:"passes"`
}

// ParseAxe reads axe-core results: one result object (axe.run) or an array of them, one per
// page (the axe CLI). Each result must carry a violations array and a passes array; a result
// without them is not an axe report.
func ParseAxe(data []byte) (AccessibilitySummary, error) {
	const kind = "axe-core results"
	if err := checkSize(kind, data); err != nil {
		return AccessibilitySummary{}, err
	}
	var results []axeResult
	trimmed := bytes.TrimSpace(data)
	var err error
	if trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &results)
	} else {
		var one axeResult
		err = json.Unmarshal(trimmed, &one)
		results = []axeResult{one}
	}
	if err != nil {
		return AccessibilitySummary{}, fmt.Errorf("%s: malformed JSON: %v", kind, err)
	}
	if len(results) == 0 {
		return AccessibilitySummary{}, fmt.Errorf("%s: no pages tested", kind)
	}
	var s AccessibilitySummary
	seen := map[string]bool{}
	for i, r := range results {
		if r.Violations == nil || r.Passes == nil {
			return AccessibilitySummary{}, fmt.Errorf("%s: page %d (%s): no violations or passes array: not an axe-core result", kind, i, r.URL)
		}
		s.Pages++
		for _, v := range *r.Violations {
			s.Violations++
			s.Nodes += int64(len(v.Nodes))
			switch v.Impact {
			case "critical":
				s.Critical++
			case "serious":
				s.Serious++
			case "moderate":
				s.Moderate++
			default:
				s.Minor++
			}
			if !seen[v.ID] {
				seen[v.ID] = true
				s.Rules = addExample(s.Rules, v.ID)
			}
		}
	}
	return s, nil
}
