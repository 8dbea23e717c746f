package integrity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
)

// mapOpener serves refs from memory.
type mapOpener map[string][]byte

func (m mapOpener) Open(_ context.Context, ref string) (io.ReadCloser, error) {
	b, ok := m[ref]
	if !ok {
		return nil, errors.New(ref + ": not found")
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// keyEnvelope signs a statement as a DSSE envelope with an ed25519 key.
func keyEnvelope(t *testing.T, k testKey, stmt []byte) []byte {
	sig := base64.StdEncoding.EncodeToString(ed25519Sign(k, PAE(InTotoPayloadType, stmt)))
	b, err := json.Marshal(map[string]any{"payloadType": InTotoPayloadType, "payload": base64.StdEncoding.EncodeToString(stmt),
		"signatures": []any{map[string]string{"keyid": "ci", "sig": sig}}})
	require.NoError(t, err)
	return b
}

func TestVerifyRelease(t *testing.T) {
	k := newTestKey(t)
	ledger, api := []byte("ledger 3.1.0"), []byte("payments-api 3.1.0")
	files := mapOpener{
		"mem://ci.pub": k.pem, "mem://ledger": ledger, "mem://api": api,
		"mem://ledger.sig": k.signDigest(ledger), "mem://api.sig": k.signDigest(api),
		"mem://ledger.intoto": keyEnvelope(t, k, provenance(t, digestOf(ledger), SLSAProvenanceV1, testBuilder, testSource)),
		"mem://api.intoto":    keyEnvelope(t, k, provenance(t, digestOf(api), SLSAProvenanceV1, testBuilder, "https://github.com/acme/payments-api")),
		"mem://ledger.cdx":    cdxSBOM("acme-json", "1.4.0", "MIT"),
		"mem://api.cdx":       cdxSBOM("acme-json", "1.6.0", "Apache-2.0"),
		"mem://vex":           vexReport("medium", ""),
	}
	svc := func(name string, content []byte, source string) release.Service {
		return release.Service{Name: name, Version: "3.1.0", Artifact: release.Artifact{
			Ref: "mem://" + name, Digest: digestOf(content).String(), Source: source,
			Signature:    &release.Signature{Sig: "mem://" + name + ".sig", Key: "ci"},
			Attestations: []release.Attestation{{Envelope: "mem://" + name + ".intoto", Key: "ci"}},
			SBOM:         "mem://" + name + ".cdx", Vulnerabilities: "mem://vex",
		}}
	}
	in := Input{
		Services: []release.Service{svc("ledger", ledger, testSource), svc("api", api, "https://github.com/acme/payments-api")},
		Policy: &release.Integrity{
			PublicKeys:      []release.PublicKeyRef{{ID: "ci", Ref: "mem://ci.pub"}},
			Attestations:    &release.AttestationRules{PredicateTypes: []string{SLSAProvenanceV1}, BuilderIDs: []string{testBuilder}},
			Licenses:        &release.LicenseRules{Allow: []string{"MIT", "Apache-2.0", "Zlib"}, Owner: "legal"},
			Vulnerabilities: &release.VulnerabilityRules{FailOn: "high"},
			SharedLibraries: []release.SharedLibraryRule{{Name: "acme-json", Match: "major"}},
		},
		Now: testNow,
	}
	rep := Verify(context.Background(), files, in)
	require.True(t, rep.Passed, "%v", rep.Failures())
	require.Len(t, rep.Artifacts[0].Checks, 6) // digest, signature, attestation, sbom, license, vulnerabilities
	require.Equal(t, 2, rep.Artifacts[0].Checks[3].Details.SBOM.Components)

	// Fail closed: drop the signature of one artifact and make the key expire.
	in.Services[1].Artifact.Signature = nil
	in.Policy.PublicKeys[0].NotAfter = testNow.Add(-time.Minute).Format(time.RFC3339)
	rep = Verify(context.Background(), files, in)
	require.False(t, rep.Passed)
	reasons := map[Reason]bool{}
	for _, a := range rep.Artifacts {
		for _, c := range a.Checks {
			reasons[c.Reason] = true
		}
	}
	require.True(t, reasons[ReasonUnsigned])
	require.True(t, reasons[ReasonKeyExpired])

	// An unreadable trusted root fails every bundle with a reason, never skips it.
	in.Services[0].Artifact.Signature = &release.Signature{Bundle: "mem://missing.bundle"}
	in.Policy.TrustedRoot = "mem://missing-root.json"
	rep = Verify(context.Background(), files, in)
	require.Equal(t, ReasonPolicyInvalid, rep.Artifacts[0].Checks[1].Reason, rep.Artifacts[0].Checks[1].Message)
}
