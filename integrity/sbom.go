package integrity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// MaxSBOMSize bounds an SBOM the parsers accept; the largest real SBOMs are tens of MiB.
const MaxSBOMSize = 64 << 20

// SBOM formats.
const (
	FormatCycloneDX = "CycloneDX"
	FormatSPDX      = "SPDX"
)

// Component is one package listed in an SBOM.
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl,omitempty"`
	// License is an SPDX expression; empty when the SBOM declares none (NOASSERTION, NONE).
	License string `json:"license,omitempty"`
}

// SBOM is the format-independent content Tollgate checks.
type SBOM struct {
	Format     string
	Version    string // spec version, e.g. "1.6" or "SPDX-2.3"
	Components []Component
}

// SBOMSummary is what the release record keeps of an SBOM: never the SBOM itself.
type SBOMSummary struct {
	Format     string `json:"format"`
	Version    string `json:"version"`
	Digest     string `json:"digest"`
	Components int    `json:"components"`
	// Licenses counts components per license expression.
	Licenses map[string]int `json:"licenses,omitempty"`
}

// ParseSBOM detects the format of a JSON SBOM (CycloneDX or SPDX 2.x) and parses it.
func ParseSBOM(data []byte) (*SBOM, error) {
	if len(data) > MaxSBOMSize {
		return nil, fmt.Errorf("sbom: %d bytes is above the %d-byte limit", len(data), MaxSBOMSize)
	}
	var probe struct {
		BOMFormat   string `json:"bomFormat"`
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("sbom: not a JSON object: %w", err)
	}
	switch {
	case probe.BOMFormat == FormatCycloneDX && probe.SPDXVersion == "":
		return parseCycloneDX(data)
	case probe.SPDXVersion != "" && probe.BOMFormat == "":
		return parseSPDX(data)
	case probe.BOMFormat != "" && probe.SPDXVersion != "":
		return nil, errors.New("sbom: document claims to be both CycloneDX and SPDX")
	}
	return nil, errors.New(`sbom: unknown format: want CycloneDX JSON ("bomFormat": "CycloneDX") or SPDX JSON ("spdxVersion")`)
}

// Summarize reduces an SBOM to what the release record keeps.
func (s *SBOM) Summarize(digest Digest) *SBOMSummary {
	sum := &SBOMSummary{Format: s.Format, Version: s.Version, Digest: digest.String(), Components: len(s.Components),
		Licenses: map[string]int{}}
	for _, c := range s.Components {
		l := c.License
		if l == "" {
			l = "(none declared)"
		}
		sum.Licenses[l]++
	}
	// Cap distinct licenses kept: the summary must stay small whatever the SBOM.
	if len(sum.Licenses) > MaxFindings {
		keys := make([]string, 0, len(sum.Licenses))
		for k := range sum.Licenses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys[MaxFindings:] {
			delete(sum.Licenses, k)
		}
	}
	return sum
}

// VerifySBOM parses an SBOM and returns the parsed document with a result carrying its summary.
func VerifySBOM(artifact string, data []byte, digest Digest) (*SBOM, Result) {
	if data == nil {
		return nil, fail(CheckSBOM, ReasonSBOMMissing, fmt.Sprintf("artifact %q: no SBOM", artifact), Details{})
	}
	s, err := ParseSBOM(bytes.TrimSpace(data))
	if err != nil {
		return nil, fail(CheckSBOM, ReasonSBOMMalformed, fmt.Sprintf("artifact %q: %v", artifact, err), Details{Digest: digest.String()})
	}
	sum := s.Summarize(digest)
	return s, pass(CheckSBOM, fmt.Sprintf("artifact %q: %s %s SBOM with %d components", artifact, s.Format, s.Version, len(s.Components)),
		Details{Digest: digest.String(), SBOM: sum})
}
