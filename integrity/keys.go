package integrity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"time"
)

// PublicKey is a trusted signing key of a private pipeline, with its validity window.
type PublicKey struct {
	// ID is the name the spec gives the key; Fingerprint identifies the key material itself.
	ID          string
	Fingerprint string
	Key         crypto.PublicKey
	// NotBefore and NotAfter bound when the key is trusted; zero means unbounded.
	NotBefore, NotAfter time.Time
}

// ParsePublicKeyPEM parses a PKIX "PUBLIC KEY" PEM block holding an ed25519 or ECDSA key.
func ParsePublicKeyPEM(id string, data []byte, notBefore, notAfter time.Time) (PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return PublicKey{}, fmt.Errorf("public key %q: want a PEM \"PUBLIC KEY\" block", id)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return PublicKey{}, fmt.Errorf("public key %q: %w", id, err)
	}
	switch k.(type) {
	case ed25519.PublicKey, *ecdsa.PublicKey:
	default:
		return PublicKey{}, fmt.Errorf("public key %q: unsupported key type %T: want ed25519 or ECDSA", id, k)
	}
	sum := sha256.Sum256(block.Bytes)
	return PublicKey{ID: id, Fingerprint: "sha256:" + hex.EncodeToString(sum[:8]), Key: k,
		NotBefore: notBefore, NotAfter: notAfter}, nil
}

// verify checks sig over msg with the key: ECDSA signatures are ASN.1 over msg as a prehashed
// SHA-256 digest; ed25519 signs msg itself.
func (k PublicKey) verify(msg, sig []byte) bool {
	switch pub := k.Key.(type) {
	case ed25519.PublicKey:
		return ed25519.Verify(pub, msg, sig)
	case *ecdsa.PublicKey:
		h := msg
		if len(h) != sha256.Size {
			sum := sha256.Sum256(msg)
			h = sum[:]
		}
		return ecdsa.VerifyASN1(pub, h, sig)
	}
	return false
}

// validAt reports whether the key may be trusted at t, and why not.
func (k PublicKey) validAt(t time.Time) (bool, string) {
	switch {
	case !k.NotAfter.IsZero() && t.After(k.NotAfter):
		return false, fmt.Sprintf("key %q expired at %s", k.ID, k.NotAfter.UTC().Format(time.RFC3339))
	case !k.NotBefore.IsZero() && t.Before(k.NotBefore):
		return false, fmt.Sprintf("key %q is not valid before %s", k.ID, k.NotBefore.UTC().Format(time.RFC3339))
	}
	return true, ""
}

// Keyring is the set of trusted public keys, by ID.
type Keyring map[string]PublicKey

// VerifyKeySignature verifies a plain key signature over the artifact's SHA-256 digest (the 32
// raw bytes: signing the digest lets a 1 GiB artifact be verified while streaming). keyID names
// the key the spec says signed it; only a key in ring is trusted, and only within its validity
// window at now. sig may be raw or base64.
func VerifyKeySignature(artifact string, digest Digest, sig []byte, keyID string, ring Keyring, now time.Time) Result {
	d := Details{Digest: digest.String(), KeyID: keyID}
	raw, ok := decodeSig(sig)
	if !ok {
		return fail(CheckSignature, ReasonBadSignature, fmt.Sprintf("artifact %q: signature is empty or not a valid encoding", artifact), d)
	}
	k, trusted := ring[keyID]
	if !trusted {
		if other := ring.signedBy(digest[:], raw); other != "" {
			// Still untrusted for this artifact: the spec must name the key that signed it.
			return fail(CheckSignature, ReasonUntrustedKey, fmt.Sprintf("artifact %q: key %q is not a trusted key (the signature is by trusted key %q; name that key)", artifact, keyID, other), d)
		}
		return fail(CheckSignature, ReasonUntrustedKey, fmt.Sprintf("artifact %q: key %q is not among the trusted public keys", artifact, keyID), d)
	}
	d.KeyID = keyID + " (" + k.Fingerprint + ")"
	if !k.verify(digest[:], raw) {
		return fail(CheckSignature, ReasonSignatureMismatch, fmt.Sprintf("artifact %q: signature does not verify with key %q over %s: it was made over other content or by another key", artifact, keyID, digest.Short()), d)
	}
	if ok, why := k.validAt(now); !ok {
		return fail(CheckSignature, ReasonKeyExpired, fmt.Sprintf("artifact %q: %s", artifact, why), d)
	}
	return pass(CheckSignature, fmt.Sprintf("artifact %q: signed by key %q", artifact, keyID), d)
}

// signedBy returns the ID of a trusted key that verifies sig over msg, or "".
func (r Keyring) signedBy(msg, sig []byte) string {
	ids := make([]string, 0, len(r))
	for id := range r {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic when (absurdly) two keys verify
	for _, id := range ids {
		if r[id].verify(msg, sig) {
			return id
		}
	}
	return ""
}
