package artifacts

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fetch "github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/release"
)

// repoRoot is the fetcher's base dir, as in the worker and the CLI: the specs' file:// refs are
// relative to it.
const repoRoot = "../.."

var verifyAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func loadSpec(t *testing.T, file string) *release.Spec {
	t.Helper()
	spec, err := release.Load(filepath.Join(repoRoot, "examples", "releases", file))
	require.NoError(t, err)
	return spec
}

func verify(t *testing.T, spec *release.Spec, op integrity.Opener) integrity.Report {
	t.Helper()
	var targets []string
	for _, e := range spec.Environments {
		targets = append(targets, e.Name)
	}
	return integrity.Verify(context.Background(), op, integrity.Input{Services: spec.Services, Policy: spec.Integrity, Targets: targets, Now: verifyAt})
}

// TestExampleReleasesVerify runs the integrity phase's checks over both example releases with
// the real fetcher, and wants every check of every artifact to run and pass.
func TestExampleReleasesVerify(t *testing.T) {
	perArtifact := []string{integrity.CheckDigest, integrity.CheckSignature, integrity.CheckAttestation, integrity.CheckSBOM,
		integrity.CheckLicense, integrity.CheckVulnerability, integrity.CheckConfig}
	tests := []struct {
		file     string
		services []string
	}{
		{file: "storefront.yaml", services: []string{"catalog", "cart", "checkout"}},
		{file: "payments.yaml", services: []string{"ledger", "payments-api"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec := loadSpec(t, tt.file)
			rep := verify(t, spec, fetch.New(fetch.Options{BaseDir: repoRoot}))
			assert.True(t, rep.Passed, "failures: %v", rep.Failures())
			var got []string
			for _, a := range rep.Artifacts {
				got = append(got, a.Service)
				var checks []string
				for _, c := range a.Checks {
					checks = append(checks, c.Check)
				}
				assert.Equal(t, perArtifact, checks, a.Service)
				svc, ok := spec.ServiceByName(a.Service)
				require.True(t, ok, a.Service)
				assert.Equal(t, svc.Artifact.Digest, a.Digest, a.Service)
			}
			assert.Equal(t, tt.services, got)
			var release []string
			for _, c := range rep.Release {
				release = append(release, c.Check)
			}
			assert.Equal(t, []string{integrity.CheckSharedLibs, integrity.CheckManifest}, release)
		})
	}
}

// swapped serves some refs from other bytes, the way a compromised mirror would.
type swapped struct {
	real integrity.Opener
	with map[string][]byte
}

func (s swapped) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	if b, ok := s.with[ref]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return s.real.Open(ctx, ref)
}

// TestExampleReleasesTampered proves the demo files are actually checked: each kind of
// substitution fails the release with its own reason.
func TestExampleReleasesTampered(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		return b
	}
	flipped := read("cart-2.0.0.tar.gz")
	flipped[len(flipped)/2] ^= 1
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherKey, err := publicKeyPEM(other.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	const at = RefPrefix
	tests := []struct {
		name   string
		with   map[string][]byte
		check  string
		reason integrity.Reason
	}{
		{name: "artifact bytes changed", with: map[string][]byte{at + "cart-2.0.0.tar.gz": flipped},
			check: integrity.CheckDigest, reason: integrity.ReasonDigestMismatch},
		{name: "another artifact's signature", with: map[string][]byte{at + "cart-2.0.0.sig": read("catalog-2.0.0.sig")},
			check: integrity.CheckSignature, reason: integrity.ReasonSignatureMismatch},
		{name: "another artifact's provenance", with: map[string][]byte{at + "cart-2.0.0.intoto.json": read("checkout-2.0.0.intoto.json")},
			check: integrity.CheckAttestation, reason: integrity.ReasonAttestationSubject},
		{name: "trusted key replaced", with: map[string][]byte{at + PublicKeyFile: otherKey},
			check: integrity.CheckSignature, reason: integrity.ReasonSignatureMismatch},
		{name: "config with an environment host", with: map[string][]byte{at + "cart-2.0.0.app.yaml": []byte("upstream: https://catalog.eu.shop.example\n")},
			check: integrity.CheckConfig, reason: integrity.ReasonConfigEnvironmentHost},
	}
	spec := loadSpec(t, "storefront.yaml")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := verify(t, spec, swapped{real: fetch.New(fetch.Options{BaseDir: repoRoot}), with: tt.with})
			require.False(t, rep.Passed)
			var reasons []integrity.Reason
			for _, a := range rep.Artifacts {
				for _, c := range a.Checks {
					if !c.Passed {
						reasons = append(reasons, c.Reason)
						if c.Check == tt.check {
							assert.Equal(t, tt.reason, c.Reason, a.Service)
						}
					}
				}
			}
			assert.Contains(t, reasons, tt.reason)
		})
	}
}
