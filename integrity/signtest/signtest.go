// Package signtest makes real, verifiable artifacts for tests and benchmarks: a file, its
// sha256 digest and an ed25519 key signature over that digest, with the integrity policy that
// trusts the key. Nothing here weakens verification; it produces what a CI pipeline would.
package signtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/release"
)

// KeyID is the policy name of the signer's key.
const KeyID = "test-ci"

// Signer writes signed artifacts into a directory.
type Signer struct {
	dir  string
	priv ed25519.PrivateKey
}

// New creates a key pair and writes its public half to dir/test-ci.pub.
func New(dir string) (*Signer, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, KeyID+".pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return &Signer{dir: dir, priv: priv}, nil
}

// Artifact writes name with content, signs its digest, and returns the spec's artifact.
func (s *Signer) Artifact(name string, content []byte) (release.Artifact, error) {
	path := filepath.Join(s.dir, name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return release.Artifact{}, err
	}
	sum := sha256.Sum256(content)
	if err := os.WriteFile(path+".sig", ed25519.Sign(s.priv, sum[:]), 0o644); err != nil {
		return release.Artifact{}, err
	}
	return release.Artifact{
		Ref:       "file://" + path,
		Digest:    "sha256:" + hex.EncodeToString(sum[:]),
		Signature: &release.Signature{Sig: "file://" + path + ".sig", Key: KeyID},
	}, nil
}

// Policy trusts the signer's key.
func (s *Signer) Policy() *release.Integrity {
	return &release.Integrity{PublicKeys: []release.PublicKeyRef{{ID: KeyID, Ref: "file://" + filepath.Join(s.dir, KeyID+".pub")}}}
}

// SignSpec replaces every service's artifact with a signed one and sets the policy.
func (s *Signer) SignSpec(spec *release.Spec) error {
	for i, svc := range spec.Services {
		a, err := s.Artifact(fmt.Sprintf("%s-%s-%s.bin", spec.Metadata.ID, svc.Name, svc.Version), []byte(spec.Metadata.ID+"/"+svc.Name+"@"+svc.Version))
		if err != nil {
			return err
		}
		spec.Services[i].Artifact = a
	}
	spec.Integrity = s.Policy()
	return nil
}
