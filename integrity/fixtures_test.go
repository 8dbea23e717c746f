package integrity

import (
	"fmt"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/stretchr/testify/require"
)

// TestSigned is a virtual-Sigstore signed entity.
type TestSigned struct{ *ca.TestEntity }

func cdxSBOM(lib, version, license string) []byte {
	return fmt.Appendf(nil, `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
 {"type":"library","name":%q,"version":%q,"purl":"pkg:golang/%s@v%s","licenses":[{"license":{"id":%q}}]},
 {"type":"library","name":"zlib","version":"1.3.1","licenses":[{"expression":"Zlib OR MIT"}]}]}`, lib, version, lib, version, license)
}

func vexReport(severity, state string) []byte {
	analysis := ""
	if state != "" {
		analysis = fmt.Sprintf(`,"analysis":{"state":%q}`, state)
	}
	return fmt.Appendf(nil, `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"vulnerabilities":[
 {"id":"CVE-2026-0001","ratings":[{"severity":%q}],"affects":[{"ref":"pkg:golang/acme-json@v1.4.0"}]%s}]}`, severity, analysis)
}

func mustSBOM(t testing.TB, data []byte) *SBOM {
	s, err := ParseSBOM(data)
	require.NoError(t, err)
	return s
}
