package integrity

// Check names, one per kind of verification.
const (
	CheckDigest        = "digest"
	CheckSignature     = "signature"
	CheckAttestation   = "attestation"
	CheckSBOM          = "sbom"
	CheckLicense       = "license"
	CheckVulnerability = "vulnerabilities"
	CheckSharedLibs    = "shared-libraries"
	CheckConfig        = "config"
	CheckManifest      = "manifest"
)

// Reason is a stable machine-readable code for why a check failed; every failure mode has its
// own, so a pipeline (and a test) can tell a wrong digest from an untrusted key.
type Reason string

// Failure reasons.
const (
	ReasonFetchFailed           Reason = "fetch-failed"
	ReasonBadDigest             Reason = "invalid-digest"
	ReasonDigestMismatch        Reason = "digest-mismatch"
	ReasonUnsigned              Reason = "unsigned"
	ReasonBadSignature          Reason = "malformed-signature"
	ReasonSignatureMismatch     Reason = "signature-mismatch"
	ReasonUntrustedKey          Reason = "untrusted-key"
	ReasonKeyExpired            Reason = "key-expired"
	ReasonIdentityMismatch      Reason = "identity-mismatch"
	ReasonTlogMissing           Reason = "tlog-entry-missing"
	ReasonTlogInvalid           Reason = "tlog-entry-invalid"
	ReasonNoTrustedTime         Reason = "no-trusted-timestamp"
	ReasonUntrustedCert         Reason = "untrusted-certificate"
	ReasonAttestationMissing    Reason = "attestation-missing"
	ReasonAttestationMalformed  Reason = "attestation-malformed"
	ReasonAttestationSubject    Reason = "attestation-subject-mismatch"
	ReasonPredicateType         Reason = "predicate-type-not-allowed"
	ReasonBuilderMismatch       Reason = "builder-mismatch"
	ReasonSourceMismatch        Reason = "source-mismatch"
	ReasonSBOMMissing           Reason = "sbom-missing"
	ReasonSBOMMalformed         Reason = "sbom-malformed"
	ReasonLicenseDenied         Reason = "license-denied"
	ReasonLicenseNeedsReview    Reason = "license-needs-review"
	ReasonVulnReportMissing     Reason = "vulnerability-report-missing"
	ReasonVulnReportMalformed   Reason = "vulnerability-report-malformed"
	ReasonVulnAboveThreshold    Reason = "vulnerability-above-threshold"
	ReasonSharedLibConflict     Reason = "shared-library-conflict"
	ReasonSharedLibAmbiguous    Reason = "shared-library-ambiguous"
	ReasonConfigMissing         Reason = "config-missing"
	ReasonConfigEnvironmentHost Reason = "config-environment-host"
	ReasonConfigPrivateAddress  Reason = "config-private-address"
	ReasonConfigCredential      Reason = "config-credential"
	ReasonManifestMalformed     Reason = "manifest-malformed"
	ReasonComponentMissing      Reason = "component-missing"
	ReasonDowngrade             Reason = "downgrade"
	ReasonBadVersion            Reason = "version-unparseable"
	ReasonPolicyInvalid         Reason = "policy-invalid"
)

// Result is the outcome of one check of one artifact (or of the release, for checks that span
// services). It is small on purpose: it travels through workflow history and into the archive.
type Result struct {
	Check  string `json:"check"`
	Passed bool   `json:"passed"`
	// Reason is empty when Passed; otherwise the code of the first failure found.
	Reason  Reason  `json:"reason,omitempty"`
	Message string  `json:"message"`
	Details Details `json:"details,omitzero"`
}

// Details is the evidence a check produced, for the release record and the archive.
type Details struct {
	Digest   string       `json:"digest,omitempty"`
	KeyID    string       `json:"keyId,omitempty"`
	Identity string       `json:"identity,omitempty"`
	Issuer   string       `json:"issuer,omitempty"`
	SBOM     *SBOMSummary `json:"sbom,omitempty"`
	// Findings lists individual problems (at most MaxFindings), e.g. "app.yaml:12: ...".
	Findings []string `json:"findings,omitempty"`
}

// MaxFindings bounds the findings kept per result, so one noisy file cannot bloat history.
const MaxFindings = 20

func pass(check, msg string, d Details) Result {
	return Result{Check: check, Passed: true, Message: msg, Details: d}
}

func fail(check string, r Reason, msg string, d Details) Result {
	return Result{Check: check, Reason: r, Message: msg, Details: d}
}

// capFindings keeps the first MaxFindings findings and says how many were dropped.
func capFindings(fs []string) []string {
	if len(fs) <= MaxFindings {
		return fs
	}
	out := append([]string(nil), fs[:MaxFindings]...)
	return append(out, "… and more")
}

// AllPassed reports whether every result passed; an empty list is not a pass.
func AllPassed(rs []Result) bool {
	if len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if !r.Passed {
			return false
		}
	}
	return true
}
