package integrity

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// Identity is a signer identity a Sigstore certificate must carry. Both fields are regular
// expressions matched against the whole value: they are anchored here, so
// "https://github.com/acme/.*" cannot match "https://evil.example/https://github.com/acme/x".
type Identity struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
}

// SigstorePolicy is how Sigstore bundles are verified: offline, against Trusted (a trusted
// root), requiring one of Identities, and a transparency-log entry when RequireTlog.
type SigstorePolicy struct {
	Trusted     root.TrustedMaterial
	Identities  []Identity
	RequireTlog bool
}

// SigstoreVerifier verifies bundles under one policy; build it once per release.
type SigstoreVerifier struct {
	policy     SigstorePolicy
	verifier   *verify.Verifier
	identities []verify.CertificateIdentity
}

// NewSigstoreVerifier checks the policy and builds its verifier. A policy without trusted
// material or without identities is an error: verifying "any signature by anyone" is not
// verification.
func NewSigstoreVerifier(p SigstorePolicy) (*SigstoreVerifier, error) {
	if p.Trusted == nil {
		return nil, errors.New("sigstore policy: no trusted root configured")
	}
	if len(p.Identities) == 0 {
		return nil, errors.New("sigstore policy: no signer identities configured")
	}
	v := &SigstoreVerifier{policy: p}
	for i, id := range p.Identities {
		if id.Subject == "" || id.Issuer == "" {
			return nil, fmt.Errorf("sigstore policy: identities[%d]: subject and issuer are both required", i)
		}
		ci, err := verify.NewShortCertificateIdentity("", anchor(id.Issuer), "", anchor(id.Subject))
		if err != nil {
			return nil, fmt.Errorf("sigstore policy: identities[%d]: %w", i, err)
		}
		v.identities = append(v.identities, ci)
	}
	// Observer timestamps accept either a signed (TSA) timestamp or a verified log entry's
	// integrated time; the log entry itself is demanded separately when RequireTlog.
	opts := []verify.VerifierOption{verify.WithObserverTimestamps(1)}
	if p.RequireTlog {
		opts = append(opts, verify.WithTransparencyLog(1))
	} else {
		opts = append(opts, verify.WithSignedTimestamps(1))
	}
	var err error
	if v.verifier, err = verify.NewVerifier(p.Trusted, opts...); err != nil {
		return nil, fmt.Errorf("sigstore policy: %w", err)
	}
	return v, nil
}

// anchor makes a pattern match a whole value only.
func anchor(re string) string { return "^(?:" + re + ")$" }

// ValidPattern reports whether re compiles, for spec validation.
func ValidPattern(re string) error {
	_, err := regexp.Compile(anchor(re))
	return err
}

// LoadBundle parses a Sigstore bundle (JSON, any supported version).
func LoadBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &b, nil
}

// VerifyBundle verifies a Sigstore entity (a bundle, or a test entity) signs the artifact with
// digest, under the policy. It always runs the full sigstore-go verification.
func (v *SigstoreVerifier) VerifyBundle(artifact string, entity verify.SignedEntity, digest Digest) Result {
	res, reason, err := v.verify(entity, digest)
	d := identityDetails(res)
	d.Digest = digest.String()
	if err != nil {
		return fail(CheckSignature, reason, fmt.Sprintf("artifact %q: sigstore bundle: %v", artifact, err), d)
	}
	return pass(CheckSignature, fmt.Sprintf("artifact %q: sigstore signature by %s (%s)", artifact, d.Identity, d.Issuer), d)
}

// verify runs sigstore-go and classifies its error into a Reason.
func (v *SigstoreVerifier) verify(entity verify.SignedEntity, digest Digest) (*verify.VerificationResult, Reason, error) {
	if entity == nil {
		return nil, ReasonUnsigned, errors.New("no bundle")
	}
	if v.policy.RequireTlog {
		entries, err := entity.TlogEntries()
		if err != nil || len(entries) == 0 {
			return nil, ReasonTlogMissing, errors.New("a transparency-log entry is required and the bundle has none")
		}
	}
	var opts []verify.PolicyOption
	for _, id := range v.identities {
		opts = append(opts, verify.WithCertificateIdentity(id))
	}
	pb := verify.NewPolicy(verify.WithArtifactDigest("sha256", digest[:]), opts...)
	res, err := v.verifier.Verify(entity, pb)
	if err != nil {
		return res, classify(err), err
	}
	return res, "", nil
}

// classify maps sigstore-go's verification stages to reasons. sigstore-go wraps each stage's
// error with a fixed prefix; x509 and identity errors are matched by type.
func classify(err error) Reason {
	var idErr *verify.ErrNoMatchingCertificateIdentity
	msg := err.Error()
	switch {
	case errors.As(err, &idErr), strings.HasPrefix(msg, "failed to verify certificate identity"):
		return ReasonIdentityMismatch
	case strings.HasPrefix(msg, "failed to verify log inclusion"):
		return ReasonTlogInvalid
	case strings.HasPrefix(msg, "failed to verify timestamps"):
		return ReasonNoTrustedTime
	case strings.HasPrefix(msg, "failed to verify leaf certificate"):
		if strings.Contains(msg, "expired") || strings.Contains(msg, "not yet valid") {
			return ReasonKeyExpired
		}
		return ReasonUntrustedCert
	case strings.HasPrefix(msg, "failed to verify signature"):
		return ReasonSignatureMismatch
	}
	return ReasonBadSignature
}

func identityDetails(res *verify.VerificationResult) Details {
	var d Details
	if res == nil || res.Signature == nil || res.Signature.Certificate == nil {
		return d
	}
	c := res.Signature.Certificate
	d.Identity = c.SubjectAlternativeName
	d.Issuer = c.Issuer
	return d
}
