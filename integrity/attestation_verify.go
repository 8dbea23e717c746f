package integrity

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/sigstore/sigstore-go/pkg/verify"
)

// VerifyAttestationBundle checks a Sigstore bundle holding a DSSE in-toto attestation: content
// first (each content fault has its own reason), then the full signature verification.
func (v *SigstoreVerifier) VerifyAttestationBundle(artifact string, entity verify.SignedEntity, digest Digest, p AttestationPolicy, source string) Result {
	if entity == nil {
		return fail(CheckAttestation, ReasonAttestationMissing, fmt.Sprintf("artifact %q: no attestation", artifact), Details{})
	}
	sc, err := entity.SignatureContent()
	if err != nil || sc.EnvelopeContent() == nil {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation bundle holds no DSSE envelope", artifact), Details{})
	}
	env := sc.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation payload is not base64", artifact), Details{})
	}
	if r := p.CheckStatement(artifact, env.PayloadType, payload, digest, source); !r.Passed {
		return r
	}
	res, reason, err := v.verify(entity, digest)
	d := identityDetails(res)
	d.Digest = digest.String()
	if err != nil {
		return fail(CheckAttestation, reason, fmt.Sprintf("artifact %q: attestation signature: %v", artifact, err), d)
	}
	r := p.CheckStatement(artifact, env.PayloadType, payload, digest, source)
	r.Details = d
	return r
}

// dsseEnvelope is a DSSE envelope as JSON.
type dsseEnvelope struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	} `json:"signatures"`
}

// PAE is DSSE's pre-authentication encoding: what a DSSE signature covers.
func PAE(payloadType string, payload []byte) []byte {
	s := "DSSEv1 " + strconv.Itoa(len(payloadType)) + " " + payloadType + " " + strconv.Itoa(len(payload)) + " "
	return append([]byte(s), payload...)
}

// VerifyAttestationEnvelope checks a DSSE envelope signed with a plain key of a private
// pipeline: content first, then one signature by keyID, trusted and valid at now.
func VerifyAttestationEnvelope(artifact string, data []byte, keyID string, ring Keyring, now time.Time, digest Digest, p AttestationPolicy, source string) Result {
	d := Details{Digest: digest.String(), KeyID: keyID}
	if data == nil {
		return fail(CheckAttestation, ReasonAttestationMissing, fmt.Sprintf("artifact %q: no attestation", artifact), d)
	}
	var env dsseEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation is not a DSSE envelope: %v", artifact, err), d)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation payload is not base64", artifact), d)
	}
	if r := p.CheckStatement(artifact, env.PayloadType, payload, digest, source); !r.Passed {
		return r
	}
	k, trusted := ring[keyID]
	if !trusted {
		return fail(CheckAttestation, ReasonUntrustedKey, fmt.Sprintf("artifact %q: attestation key %q is not among the trusted public keys", artifact, keyID), d)
	}
	msg := PAE(env.PayloadType, payload)
	verified := false
	for _, s := range env.Signatures {
		if raw, ok := decodeSig([]byte(s.Sig)); ok && k.verify(msg, raw) {
			verified = true
			break
		}
	}
	if !verified {
		return fail(CheckAttestation, ReasonSignatureMismatch, fmt.Sprintf("artifact %q: no attestation signature verifies with key %q", artifact, keyID), d)
	}
	if ok, why := k.validAt(now); !ok {
		return fail(CheckAttestation, ReasonKeyExpired, fmt.Sprintf("artifact %q: attestation %s", artifact, why), d)
	}
	r := p.CheckStatement(artifact, env.PayloadType, payload, digest, source)
	r.Details = d
	return r
}
