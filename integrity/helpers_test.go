package integrity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/stretchr/testify/require"
)

const (
	testSubject = "https://github.com/acme/ledger/.github/workflows/release.yml@refs/heads/main"
	testIssuer  = "https://token.actions.githubusercontent.com"
	testBuilder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0"
	testSource  = "https://github.com/acme/ledger"
)

var testNow = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

// testKey is an ed25519 key pair with its PEM public key.
type testKey struct {
	priv ed25519.PrivateKey
	pem  []byte
}

func newTestKey(t testing.TB) testKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return testKey{priv: priv, pem: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
}

func (k testKey) signDigest(content []byte) []byte {
	sum := sha256.Sum256(content)
	return ed25519.Sign(k.priv, sum[:])
}

func (k testKey) public(t testing.TB, id string, notAfter time.Time) PublicKey {
	pk, err := ParsePublicKeyPEM(id, k.pem, time.Time{}, notAfter)
	require.NoError(t, err)
	return pk
}

func digestOf(b []byte) Digest { return Digest(sha256.Sum256(b)) }

// provenance builds an SLSA v1 statement about digest.
func provenance(t testing.TB, d Digest, predicateType, builder, source string) []byte {
	st := map[string]any{
		"_type":         statementV1,
		"subject":       []any{map[string]any{"name": "ledger.tar.gz", "digest": map[string]string{"sha256": d.String()[7:]}}},
		"predicateType": predicateType,
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":          "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]any{"repository": source, "ref": "refs/heads/main"}},
			},
			"runDetails": map[string]any{"builder": map[string]any{"id": builder}},
		},
	}
	b, err := json.Marshal(st)
	require.NoError(t, err)
	return b
}

// virtualSigstore is an offline Sigstore (CA, TSA, transparency log) from sigstore-go's test kit.
func virtualSigstore(t testing.TB) *ca.VirtualSigstore {
	vs, err := ca.NewVirtualSigstore()
	require.NoError(t, err)
	return vs
}

func sigstoreVerifier(t testing.TB, vs *ca.VirtualSigstore, requireTlog bool) *SigstoreVerifier {
	v, err := NewSigstoreVerifier(SigstorePolicy{Trusted: vs, RequireTlog: requireTlog,
		Identities: []Identity{{Subject: `https://github\.com/acme/.*`, Issuer: `https://token\.actions\.githubusercontent\.com`}}})
	require.NoError(t, err)
	return v
}

// noTlog hides a test entity's transparency-log entries, as a bundle without one would.
type noTlog struct{ *ca.TestEntity }

func (noTlog) TlogEntries() ([]*tlog.Entry, error) { return nil, nil }

func ed25519Sign(k testKey, msg []byte) []byte { return ed25519.Sign(k.priv, msg) }
