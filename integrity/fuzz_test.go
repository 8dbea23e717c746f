package integrity

import (
	"os"
	"testing"
)

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseSBOM: malformed SBOMs never panic, and an accepted one summarizes.
func FuzzParseSBOM(f *testing.F) {
	seed(f, "sbom-cyclonedx.json", "sbom-spdx.json")
	f.Add([]byte(`{"bomFormat":"CycloneDX","spdxVersion":"SPDX-2.3"}`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSBOM(data)
		if err != nil {
			return
		}
		sum := s.Summarize(digestOf(data))
		if sum.Components != len(s.Components) {
			t.Fatalf("summary counts %d components, SBOM has %d", sum.Components, len(s.Components))
		}
		_ = VerifyLicenses("fuzz", s, LicensePolicy{Allow: []string{"MIT"}, Deny: []string{"GPL-3.0-only"}})
	})
}

// FuzzParseManifest: malformed manifests never panic, and an accepted one has named components.
func FuzzParseManifest(f *testing.F) {
	seed(f, "manifest.yaml")
	f.Add([]byte(`{"components":[{"name":"a","version":"1.0.0"},{"name":"a"}]}`))
	f.Add([]byte("components: &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, c := range m.Components {
			if c.Name == "" {
				t.Fatal("accepted a component without a name")
			}
		}
		_ = VerifyManifest(m, map[string]string{"a": "1.0.0"}, map[string]map[string]string{"prod": {"a": "x"}}, []string{"prod"})
	})
}

// FuzzParseVulnReport: malformed reports never panic.
func FuzzParseVulnReport(f *testing.F) {
	seed(f, "vulns.sarif")
	f.Add(vexReport("high", "not_affected"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _ = ParseVulnReport(data)
	})
}
