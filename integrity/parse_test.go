package integrity

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseSBOM(t *testing.T) {
	cdx, err := os.ReadFile("testdata/sbom-cyclonedx.json")
	require.NoError(t, err)
	spdx, err := os.ReadFile("testdata/sbom-spdx.json")
	require.NoError(t, err)
	tests := []struct {
		name    string
		data    []byte
		format  string
		comps   int
		license map[string]string
		wantErr string
	}{
		{name: "CycloneDX with nested components", data: cdx, format: FormatCycloneDX, comps: 3,
			license: map[string]string{"acme-json": "MIT", "zlib": "Zlib OR MIT", "zlib-asm": "LicenseRef-Custom-Licence-1.0"}},
		{name: "SPDX 2.3 prefers the concluded licence", data: spdx, format: FormatSPDX, comps: 2,
			license: map[string]string{"acme-json": "MIT", "left-pad": "WTFPL"}},
		{name: "both formats at once", data: []byte(`{"bomFormat":"CycloneDX","spdxVersion":"SPDX-2.3"}`), wantErr: "both"},
		{name: "neither format", data: []byte(`{"hello":1}`), wantErr: "unknown format"},
		{name: "SPDX 3", data: []byte(`{"spdxVersion":"SPDX-3.0","SPDXID":"SPDXRef-DOCUMENT"}`), wantErr: "not supported"},
		{name: "not JSON", data: []byte(`<bom/>`), wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSBOM(tt.data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.format, s.Format)
			require.Len(t, s.Components, tt.comps)
			for _, c := range s.Components {
				require.Equal(t, tt.license[c.Name], c.License, c.Name)
			}
		})
	}
}

func TestLicensePolicyClassify(t *testing.T) {
	p := LicensePolicy{Allow: []string{"MIT", "Apache-2.0"}, Deny: []string{"GPL-3.0-only", "AGPL-3.0-only"}, Owner: "legal"}
	tests := []struct {
		expr string
		want LicenseVerdict
	}{
		{"MIT", LicenseAllowed},
		{"MIT OR GPL-3.0-only", LicenseAllowed},
		{"MIT AND GPL-3.0-only", LicenseDenied},
		{"GPL-3.0-only OR AGPL-3.0-only", LicenseDenied},
		{"BSD-3-Clause OR GPL-3.0-only", LicenseUnknown},
		{"BSD-3-Clause", LicenseUnknown},
		{"", LicenseUnknown},
		{"MIT AND (", LicenseUnknown},
	}
	for _, tt := range tests {
		got, why := p.Classify(tt.expr)
		require.Equal(t, tt.want, got, "%q: %s", tt.expr, why)
	}
}

func TestVerifyLicensesNamesTheOwner(t *testing.T) {
	r := VerifyLicenses("ledger", mustSBOM(t, cdxSBOM("x", "1.0.0", "BSD-3-Clause")), LicensePolicy{Allow: []string{"MIT", "Zlib"}, Owner: "legal@acme"})
	require.Equal(t, ReasonLicenseNeedsReview, r.Reason)
	require.Contains(t, r.Message, "legal@acme")
}

func TestVulnerabilityReports(t *testing.T) {
	sarif, err := os.ReadFile("testdata/vulns.sarif")
	require.NoError(t, err)
	tests := []struct {
		name   string
		data   []byte
		failOn Severity
		reason Reason
	}{
		{"SARIF security-severity 7.5 is high", sarif, SeverityHigh, ReasonVulnAboveThreshold},
		{"SARIF under a critical threshold", sarif, SeverityCritical, ""},
		{"VEX not_affected is dropped", vexReport("critical", "not_affected"), SeverityLow, ""},
		{"VEX in_triage still counts", vexReport("critical", "in_triage"), SeverityHigh, ReasonVulnAboveThreshold},
		{"unknown severity blocks", vexReport("whatever", ""), SeverityCritical, ReasonVulnAboveThreshold},
		{"missing report", nil, SeverityHigh, ReasonVulnReportMissing},
		{"malformed report", []byte(`{"runs":"x"}`), SeverityHigh, ReasonVulnReportMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := VerifyVulnerabilities("ledger", tt.data, tt.failOn)
			require.Equal(t, tt.reason, r.Reason, r.Message)
			require.Equal(t, tt.reason == "", r.Passed)
		})
	}
}

func TestScanConfig(t *testing.T) {
	pol := ConfigPolicy{EnvironmentHosts: map[string][]string{"prod-eu": {".prod-eu.acme.internal"}, "staging": {"db.staging.acme.internal"}}}
	tests := []struct {
		name, file, data string
		reason           Reason
		finding          string
	}{
		{"externalized YAML", "app.yaml", "db:\n  host: ${DB_HOST}\n  password: ${DB_PASSWORD}\n", "", ""},
		{"production host by domain", "app.properties", "# comment db.prod-eu.acme.internal\ndb.url=jdbc:postgresql://pg1.prod-eu.acme.internal/ledger\n", ReasonConfigEnvironmentHost, "app.properties:2"},
		{"literal password in .env", ".env", "DB_USER=ledger\nDB_PASSWORD=hunter2\n", ReasonConfigCredential, ".env:2"},
		{"AWS key in JSON", "c.json", `{"k": "AKIAABCDEFGHIJKLMNOP"}`, ReasonConfigCredential, "c.json:1"},
		{"password in URL", "c.yaml", "url: https://app:s3cret@api.example.com/\n", ReasonConfigCredential, "c.yaml:1"},
		{"private address", "c.yaml", "upstream: 10.20.30.40:8080\n", ReasonConfigPrivateAddress, "c.yaml:1"},
		{"loopback is not environment-specific", "c.yaml", "listen: 127.0.0.1:8080\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ScanConfig("ledger", []ConfigFile{{Name: tt.file, Data: []byte(tt.data)}}, pol)
			require.Equal(t, tt.reason, r.Reason, r.Message)
			if tt.finding != "" {
				require.Contains(t, r.Details.Findings[0], tt.finding)
				require.NotContains(t, r.Message, "hunter2")
				require.NotContains(t, r.Message, "s3cret")
			}
		})
	}
	require.Equal(t, ReasonConfigMissing, ScanConfig("ledger", nil, pol).Reason)
}

func TestParseManifest(t *testing.T) {
	tests := []struct{ name, data, wantErr string }{
		{"valid", "components:\n  - name: a\n    version: 1.0.0\n", ""},
		{"unknown field", "components:\n  - name: a\n    versoin: 1\n", "versoin"},
		{"duplicate", "components: [{name: a}, {name: a}]", "duplicate"},
		{"empty", "components: []", "no components"},
		{"no name", "components: [{version: 1.0.0}]", "name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tt.data))
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

func TestVerifyManifestUnparseableVersionFailsClosed(t *testing.T) {
	r := VerifyManifest(nil, map[string]string{"a": "2.0.0"}, map[string]map[string]string{"prod": {"a": "build-77"}}, []string{"prod"})
	require.Equal(t, ReasonBadVersion, r.Reason)
}

func TestStreamDigestProgress(t *testing.T) {
	var last int64
	d, n, err := StreamDigest(&genReader{left: 3*BufferSize + 7, state: 1}, func(k int64) { last = k })
	require.NoError(t, err)
	require.Equal(t, int64(3*BufferSize+7), n)
	require.Equal(t, n, last)
	require.NotEqual(t, Digest{}, d)
}
