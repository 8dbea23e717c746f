package integrity

import (
	"encoding/json"
	"fmt"
	"strings"
)

// spdxDoc is the subset of SPDX 2.3 JSON Tollgate reads. The official Go tools (spdx/tools-golang)
// pull in every serialisation format; these fields are all the checks need.
type spdxDoc struct {
	SPDXVersion string        `json:"spdxVersion"`
	SPDXID      string        `json:"SPDXID"`
	Name        string        `json:"name"`
	Packages    []spdxPackage `json:"packages"`
}

type spdxPackage struct {
	SPDXID           string `json:"SPDXID"`
	Name             string `json:"name"`
	VersionInfo      string `json:"versionInfo"`
	LicenseConcluded string `json:"licenseConcluded"`
	LicenseDeclared  string `json:"licenseDeclared"`
	ExternalRefs     []struct {
		ReferenceCategory string `json:"referenceCategory"`
		ReferenceType     string `json:"referenceType"`
		ReferenceLocator  string `json:"referenceLocator"`
	} `json:"externalRefs"`
}

func parseSPDX(data []byte) (*SBOM, error) {
	var doc spdxDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sbom: SPDX: %w", err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-2.") {
		return nil, fmt.Errorf("sbom: SPDX version %q not supported: want SPDX-2.x", clip(doc.SPDXVersion))
	}
	if doc.SPDXID != "SPDXRef-DOCUMENT" {
		return nil, fmt.Errorf("sbom: SPDX: SPDXID %q: want SPDXRef-DOCUMENT", clip(doc.SPDXID))
	}
	s := &SBOM{Format: FormatSPDX, Version: doc.SPDXVersion}
	for i, p := range doc.Packages {
		if p.Name == "" {
			return nil, fmt.Errorf("sbom: SPDX: packages[%d]: name is required", i)
		}
		c := Component{Name: p.Name, Version: p.VersionInfo, License: spdxLicense(p)}
		for _, r := range p.ExternalRefs {
			if r.ReferenceType == "purl" {
				c.PURL = r.ReferenceLocator
			}
		}
		s.Components = append(s.Components, c)
	}
	return s, nil
}

// spdxLicense prefers the concluded licence (what a reviewer decided) over the declared one.
func spdxLicense(p spdxPackage) string {
	for _, l := range []string{p.LicenseConcluded, p.LicenseDeclared} {
		if l != "" && l != "NOASSERTION" && l != "NONE" {
			return l
		}
	}
	return ""
}
