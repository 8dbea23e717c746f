package artifacts

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
)

// demoKeySeed is the public seed of the demo key. Deriving the key from it (instead of drawing
// a random one) is what makes regeneration byte-identical; publishing it is what makes the key
// worthless as a trust anchor, which is the point: it is a demo key.
const demoKeySeed = "tollgate demo signing key: public on purpose, never trust it in production"

// DemoKey is the demo ed25519 key pair. Anyone can recompute it from this source file: a
// signature by it proves nothing about who built an artifact, only that the demo's files agree.
func DemoKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(demoKeySeed))
	return ed25519.NewKeyFromSeed(seed[:])
}

// privateKeyWarning precedes the PEM block of the private key; PEM parsers skip text before
// "-----BEGIN", so the file stays usable by tools while nobody can miss what it is.
const privateKeyWarning = `DEMO KEY — PUBLIC ON PURPOSE — NEVER TRUST IT IN PRODUCTION
=============================================================

This is the private half of the key that signs Tollgate's demo artifacts (examples/artifacts).
It is committed to a public repository and derived from a seed printed in
examples/artifacts/key.go, so anyone can sign anything with it. It exists only so that
"make run" and the tests exercise real signature, attestation and SBOM checks offline.

Never list demo-signing-key.pub among the trusted keys (integrity.publicKeys) of a real release.
Regenerate with: go run ./examples/artifacts/gen

`

func privateKeyPEM(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return append([]byte(privateKeyWarning), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...), nil
}

func publicKeyPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// signDigest signs the artifact's raw 32-byte SHA-256 digest, the message Tollgate's key
// signatures cover (integrity.VerifyKeySignature), and writes it as base64 with a newline.
// ed25519 is deterministic: the same key and digest always give the same signature.
func signDigest(priv ed25519.PrivateKey, digest [sha256.Size]byte) []byte {
	sig := ed25519.Sign(priv, digest[:])
	return []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
}
