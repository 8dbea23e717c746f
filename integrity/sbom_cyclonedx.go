package integrity

import (
	"bytes"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func parseCycloneDX(data []byte) (*SBOM, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("sbom: CycloneDX: %w", err)
	}
	s := &SBOM{Format: FormatCycloneDX, Version: bom.SpecVersion.String()}
	if bom.Components != nil {
		walkCDX(*bom.Components, s, 0)
	}
	return s, nil
}

// maxNesting bounds component nesting so a hostile SBOM cannot recurse without end.
const maxNesting = 32

func walkCDX(cs []cdx.Component, s *SBOM, depth int) {
	if depth > maxNesting {
		return
	}
	for _, c := range cs {
		s.Components = append(s.Components, Component{Name: c.Name, Version: c.Version, PURL: c.PackageURL, License: cdxLicense(c.Licenses)})
		if c.Components != nil {
			walkCDX(*c.Components, s, depth+1)
		}
	}
}

// cdxLicense turns CycloneDX licence choices into one SPDX expression: several entries all apply
// (AND); a named licence without an SPDX ID stays as LicenseRef so it is reviewed, not ignored.
func cdxLicense(ls *cdx.Licenses) string {
	if ls == nil {
		return ""
	}
	var parts []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			parts = append(parts, l.Expression)
		case l.License != nil && l.License.ID != "":
			parts = append(parts, l.License.ID)
		case l.License != nil && l.License.Name != "":
			parts = append(parts, "LicenseRef-"+sanitizeRef(l.License.Name))
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " AND ")
}

// sanitizeRef keeps the characters a LicenseRef may hold.
func sanitizeRef(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}
