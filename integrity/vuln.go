package integrity

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Severity orders vulnerability severities; SeverityUnknown ranks above critical so that a
// finding whose severity nobody stated can never slip under a threshold.
type Severity int

// Severities, lowest first.
const (
	SeverityNone Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
	SeverityUnknown
)

var severityNames = []string{"none", "low", "medium", "high", "critical", "unknown"}

// String names the severity.
func (s Severity) String() string { return severityNames[s] }

// ParseSeverity reads a severity name (case-insensitive; "info" is none, "moderate" medium).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "info":
		return SeverityNone, nil
	case "low":
		return SeverityLow, nil
	case "medium", "moderate":
		return SeverityMedium, nil
	case "high":
		return SeverityHigh, nil
	case "critical":
		return SeverityCritical, nil
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q: want none, low, medium, high or critical", clip(s))
}

// Vulnerability is one open finding of a report.
type Vulnerability struct {
	ID        string
	Severity  Severity
	Component string
}

// ParseVulnReport reads a CycloneDX (VEX) JSON document or a SARIF 2.1.0 log and returns the
// findings that still apply: VEX "not_affected", "false_positive" and "resolved" and SARIF
// accepted suppressions are dropped.
func ParseVulnReport(data []byte) ([]Vulnerability, string, error) {
	if len(data) > MaxSBOMSize {
		return nil, "", fmt.Errorf("vulnerability report: %d bytes is above the %d-byte limit", len(data), MaxSBOMSize)
	}
	var probe struct {
		BOMFormat string          `json:"bomFormat"`
		Version   json.RawMessage `json:"version"`
		Runs      json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, "", fmt.Errorf("vulnerability report: not a JSON object: %w", err)
	}
	switch {
	case probe.BOMFormat == FormatCycloneDX:
		v, err := parseCDXVulns(data)
		return v, "CycloneDX", err
	case probe.Runs != nil:
		v, err := parseSARIF(data)
		return v, "SARIF", err
	}
	return nil, "", errors.New("vulnerability report: unknown format: want CycloneDX VEX JSON or SARIF 2.1.0")
}

// VerifyVulnerabilities fails when any open finding is at or above failOn.
func VerifyVulnerabilities(artifact string, data []byte, failOn Severity) Result {
	if data == nil {
		return fail(CheckVulnerability, ReasonVulnReportMissing, fmt.Sprintf("artifact %q: no vulnerability report", artifact), Details{})
	}
	vulns, format, err := ParseVulnReport(data)
	if err != nil {
		return fail(CheckVulnerability, ReasonVulnReportMalformed, fmt.Sprintf("artifact %q: %v", artifact, err), Details{})
	}
	var over []string
	for _, v := range vulns {
		if v.Severity >= failOn {
			over = append(over, fmt.Sprintf("%s (%s) in %s", v.ID, v.Severity, v.Component))
		}
	}
	if len(over) > 0 {
		return fail(CheckVulnerability, ReasonVulnAboveThreshold,
			fmt.Sprintf("artifact %q: %d open vulnerabilit(ies) at or above %s, first: %s", artifact, len(over), failOn, over[0]),
			Details{Findings: capFindings(over)})
	}
	return pass(CheckVulnerability, fmt.Sprintf("artifact %q: %s report: %d open finding(s), none at or above %s", artifact, format, len(vulns), failOn), Details{})
}
