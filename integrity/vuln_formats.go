package integrity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func parseCDXVulns(data []byte) ([]Vulnerability, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("vulnerability report: CycloneDX: %w", err)
	}
	if bom.Vulnerabilities == nil {
		return nil, nil
	}
	var out []Vulnerability
	for _, v := range *bom.Vulnerabilities {
		if v.Analysis != nil {
			switch v.Analysis.State {
			case cdx.IASNotAffected, cdx.IASFalsePositive, cdx.IASResolved, cdx.IASResolvedWithPedigree:
				continue
			}
		}
		sev := SeverityUnknown
		if v.Ratings != nil {
			sev = SeverityNone
			for _, r := range *v.Ratings {
				s, err := ParseSeverity(string(r.Severity))
				if err != nil {
					s = SeverityUnknown
				}
				sev = max(sev, s)
			}
			if len(*v.Ratings) == 0 {
				sev = SeverityUnknown
			}
		}
		comp := ""
		if v.Affects != nil && len(*v.Affects) > 0 {
			comp = (*v.Affects)[0].Ref
		}
		out = append(out, Vulnerability{ID: v.ID, Severity: sev, Component: comp})
	}
	return out, nil
}

// sarifLog is the subset of SARIF 2.1.0 needed to rank findings.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID         string          `json:"id"`
					Properties sarifProperties `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID       string          `json:"ruleId"`
			Level        string          `json:"level"`
			Properties   sarifProperties `json:"properties"`
			Suppressions []struct {
				Status string `json:"status"`
			} `json:"suppressions"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifProperties struct {
	SecuritySeverity json.RawMessage `json:"security-severity"`
}

func parseSARIF(data []byte) ([]Vulnerability, error) {
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		return nil, fmt.Errorf("vulnerability report: SARIF: %w", err)
	}
	if log.Version != "2.1.0" {
		return nil, fmt.Errorf("vulnerability report: SARIF version %q: want 2.1.0", clip(log.Version))
	}
	var out []Vulnerability
	for _, run := range log.Runs {
		ruleSev := map[string]json.RawMessage{}
		for _, r := range run.Tool.Driver.Rules {
			ruleSev[r.ID] = r.Properties.SecuritySeverity
		}
		for _, res := range run.Results {
			if suppressed(res.Suppressions) {
				continue
			}
			score := res.Properties.SecuritySeverity
			if score == nil {
				score = ruleSev[res.RuleID]
			}
			comp := ""
			if len(res.Locations) > 0 {
				comp = res.Locations[0].PhysicalLocation.ArtifactLocation.URI
			}
			out = append(out, Vulnerability{ID: res.RuleID, Severity: sarifSeverity(score, res.Level), Component: comp})
		}
	}
	return out, nil
}

func suppressed(ss []struct {
	Status string `json:"status"`
}) bool {
	for _, s := range ss {
		// SARIF: a suppression without a status is accepted; "underReview" and "rejected" are not.
		if s.Status == "" || s.Status == "accepted" {
			return true
		}
	}
	return false
}

// sarifSeverity ranks a finding by its CVSS "security-severity" (the GitHub convention) when
// present, else by its level; a missing level is SARIF's default "warning".
func sarifSeverity(score json.RawMessage, level string) Severity {
	if score != nil {
		var s string
		if json.Unmarshal(score, &s) != nil {
			s = string(score)
		}
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || f < 0 || f > 10:
			return SeverityUnknown
		case f >= 9:
			return SeverityCritical
		case f >= 7:
			return SeverityHigh
		case f >= 4:
			return SeverityMedium
		case f > 0:
			return SeverityLow
		}
		return SeverityNone
	}
	switch level {
	case "error":
		return SeverityHigh
	case "warning", "":
		return SeverityMedium
	case "note":
		return SeverityLow
	case "none":
		return SeverityNone
	}
	return SeverityUnknown
}
