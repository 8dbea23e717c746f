package integrity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTamperMatrix checks that every kind of tampering fails, each with its own reason, and
// that the same fixture untampered passes (so no case passes for the wrong reason).
func TestTamperMatrix(t *testing.T) {
	artifact := []byte("ledger 3.1.0 release tarball")
	other := []byte("something else entirely")
	d := digestOf(artifact)
	vs := virtualSigstore(t)
	foreign := virtualSigstore(t)
	sv := sigstoreVerifier(t, vs, false)
	svTlog := sigstoreVerifier(t, vs, true)
	key := newTestKey(t)
	ring := Keyring{"ci": key.public(t, "ci", testNow.Add(time.Hour))}
	expiredRing := Keyring{"ci": key.public(t, "ci", testNow.Add(-time.Hour))}
	attPol := AttestationPolicy{PredicateTypes: []string{SLSAProvenanceV1}, BuilderIDs: []string{testBuilder}}

	sign := func(identity string, content []byte) *TestSigned {
		e, err := vs.Sign(identity, testIssuer, content)
		require.NoError(t, err)
		return &TestSigned{e}
	}
	attest := func(stmt []byte) Result {
		e, err := vs.Attest(testSubject, testIssuer, stmt)
		require.NoError(t, err)
		return sv.VerifyAttestationBundle("ledger", e, d, attPol, testSource)
	}
	sbom := mustSBOM(t, cdxSBOM("acme-json", "1.4.0", "MIT"))
	licPol := LicensePolicy{Allow: []string{"MIT", "Apache-2.0"}, Deny: []string{"AGPL-3.0-only"}, Owner: "legal@acme"}
	cfgPol := ConfigPolicy{EnvironmentHosts: map[string][]string{"prod-eu": {"db.prod-eu.acme.internal"}}}
	manifest := &Manifest{Components: []ManifestComponent{{Name: "ledger", Version: "3.1.0"}, {Name: "payments-api"}}}
	release := map[string]string{"ledger": "3.1.0", "payments-api": "3.1.0"}

	cases := []struct {
		name     string
		good     func() Result
		tampered func() Result
		reason   Reason
	}{
		{"wrong digest",
			func() Result { return VerifyDigest("ledger", d.String(), d, 1) },
			func() Result { return VerifyDigest("ledger", digestOf(other).String(), d, 1) },
			ReasonDigestMismatch},
		{"signature over another artifact",
			func() Result { return sv.VerifyBundle("ledger", sign(testSubject, artifact), d) },
			func() Result { return sv.VerifyBundle("ledger", sign(testSubject, other), d) },
			ReasonSignatureMismatch},
		{"identity mismatch",
			func() Result { return sv.VerifyBundle("ledger", sign(testSubject, artifact), d) },
			func() Result {
				// The anchored pattern must not match an identity that merely contains it.
				return sv.VerifyBundle("ledger", sign("https://evil.example/https://github.com/acme/ledger", artifact), d)
			},
			ReasonIdentityMismatch},
		{"untrusted key",
			func() Result { return VerifyKeySignature("ledger", d, key.signDigest(artifact), "ci", ring, testNow) },
			func() Result {
				stranger := newTestKey(t)
				return VerifyKeySignature("ledger", d, stranger.signDigest(artifact), "stranger", ring, testNow)
			},
			ReasonUntrustedKey},
		{"untrusted sigstore instance",
			func() Result { return sv.VerifyBundle("ledger", sign(testSubject, artifact), d) },
			func() Result {
				e, err := foreign.Sign(testSubject, testIssuer, artifact)
				require.NoError(t, err)
				return sv.VerifyBundle("ledger", e, d)
			},
			ReasonNoTrustedTime},
		{"expired key",
			func() Result { return VerifyKeySignature("ledger", d, key.signDigest(artifact), "ci", ring, testNow) },
			func() Result {
				return VerifyKeySignature("ledger", d, key.signDigest(artifact), "ci", expiredRing, testNow)
			},
			ReasonKeyExpired},
		{"missing tlog entry when required",
			func() Result { return svTlog.VerifyBundle("ledger", sign(testSubject, artifact), d) },
			func() Result { return svTlog.VerifyBundle("ledger", noTlog{sign(testSubject, artifact).TestEntity}, d) },
			ReasonTlogMissing},
		{"attestation for another digest",
			func() Result { return attest(provenance(t, d, SLSAProvenanceV1, testBuilder, testSource)) },
			func() Result {
				return attest(provenance(t, digestOf(other), SLSAProvenanceV1, testBuilder, testSource))
			},
			ReasonAttestationSubject},
		{"unknown predicate type",
			func() Result { return attest(provenance(t, d, SLSAProvenanceV1, testBuilder, testSource)) },
			func() Result {
				return attest(provenance(t, d, "https://example.com/made-up/v1", testBuilder, testSource))
			},
			ReasonPredicateType},
		{"foreign builder",
			func() Result { return attest(provenance(t, d, SLSAProvenanceV1, testBuilder, testSource)) },
			func() Result {
				return attest(provenance(t, d, SLSAProvenanceV1, "https://evil.example/builder", testSource))
			},
			ReasonBuilderMismatch},
		{"other source repository",
			func() Result { return attest(provenance(t, d, SLSAProvenanceV1, testBuilder, testSource)) },
			func() Result {
				return attest(provenance(t, d, SLSAProvenanceV1, testBuilder, "https://github.com/acme/ledger-fork"))
			},
			ReasonSourceMismatch},
		{"denied license",
			func() Result { return VerifyLicenses("ledger", sbom, licPol) },
			func() Result {
				return VerifyLicenses("ledger", mustSBOM(t, cdxSBOM("acme-json", "1.4.0", "AGPL-3.0-only")), licPol)
			},
			ReasonLicenseDenied},
		{"vulnerability above threshold",
			func() Result { return VerifyVulnerabilities("ledger", vexReport("low", ""), SeverityHigh) },
			func() Result { return VerifyVulnerabilities("ledger", vexReport("critical", ""), SeverityHigh) },
			ReasonVulnAboveThreshold},
		{"conflicting shared library",
			func() Result {
				return VerifySharedLibraries([]ServiceSBOM{{"ledger", sbom}, {"payments-api", mustSBOM(t, cdxSBOM("acme-json", "1.9.2", "MIT"))}},
					[]LibraryRule{{Name: "acme-json", Match: MatchMajor}})
			},
			func() Result {
				return VerifySharedLibraries([]ServiceSBOM{{"ledger", sbom}, {"payments-api", mustSBOM(t, cdxSBOM("acme-json", "2.0.0", "MIT"))}},
					[]LibraryRule{{Name: "acme-json", Match: MatchMajor}})
			},
			ReasonSharedLibConflict},
		{"hard-coded production host",
			func() Result {
				return ScanConfig("ledger", []ConfigFile{{Name: "app.yaml", Data: []byte("db:\n  host: ${DB_HOST}\n")}}, cfgPol)
			},
			func() Result {
				return ScanConfig("ledger", []ConfigFile{{Name: "app.yaml", Data: []byte("db:\n  host: db.prod-eu.acme.internal\n")}}, cfgPol)
			},
			ReasonConfigEnvironmentHost},
		{"missing component",
			func() Result { return VerifyManifest(manifest, release, nil, nil) },
			func() Result { return VerifyManifest(manifest, map[string]string{"ledger": "3.1.0"}, nil, nil) },
			ReasonComponentMissing},
		{"downgrade",
			func() Result {
				return VerifyManifest(manifest, release, map[string]map[string]string{"prod-eu": {"ledger": "3.0.9"}}, []string{"prod-eu"})
			},
			func() Result {
				return VerifyManifest(manifest, release, map[string]map[string]string{"prod-eu": {"ledger": "3.2.0"}}, []string{"prod-eu"})
			},
			ReasonDowngrade},
	}
	seen := map[Reason]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			good := c.good()
			require.True(t, good.Passed, "untampered fixture must pass: %s", good.Message)
			bad := c.tampered()
			require.False(t, bad.Passed, "tampered fixture must fail")
			require.Equal(t, c.reason, bad.Reason, bad.Message)
			require.NotEmpty(t, bad.Message)
		})
		require.NotContains(t, seen, c.reason, "reason %s reused by %q and %q", c.reason, seen[c.reason], c.name)
		seen[c.reason] = c.name
	}
}

// TestSigstoreExpiredCertificate: a log entry integrated after the short-lived certificate
// expired fails closed. sigstore-go rejects such an entry without saying why (it only counts
// verified entries), so the reason is the log entry's, not key-expired.
func TestSigstoreExpiredCertificate(t *testing.T) {
	artifact := []byte("ledger 3.1.0 release tarball")
	vs := virtualSigstore(t)
	v := sigstoreVerifier(t, vs, true)
	ok, err := vs.SignAtTime(testSubject, testIssuer, artifact, time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.True(t, v.VerifyBundle("ledger", ok, digestOf(artifact)).Passed)
	late, err := vs.SignAtTime(testSubject, testIssuer, artifact, time.Now().Add(2*time.Hour))
	require.NoError(t, err)
	r := v.VerifyBundle("ledger", late, digestOf(artifact))
	require.False(t, r.Passed)
	require.Equal(t, ReasonTlogInvalid, r.Reason, r.Message)
}
