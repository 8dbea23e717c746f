package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/audit"
)

// MaxBundleBytes bounds how much a verification reads, so a hostile file cannot exhaust memory.
const MaxBundleBytes = 1 << 30

// Report is what Verify found. A bundle verifies when Err is nil.
type Report struct {
	ReleaseID string `json:"releaseId"`
	KeyID     string `json:"keyId"`
	// Trusted is true when the signature was checked with a key the caller supplied, false when
	// only the public key inside the bundle vouches for it (which proves integrity, not origin).
	Trusted        bool `json:"trusted"`
	SignatureValid bool `json:"signatureValid"`
	// Altered, Missing and Added name the files whose content differs from the manifest, that
	// the manifest lists but the bundle lacks, and that the bundle holds but the manifest does
	// not list.
	Altered []string `json:"altered"`
	Missing []string `json:"missing"`
	Added   []string `json:"added"`
	// Proof is the result of checking the audit proof inside the bundle: "verified", "absent",
	// or why it failed.
	Proof string `json:"proof"`
	Files int    `json:"files"`
	// Problems are the failures not tied to one file (no manifest, bad signature, wrong key).
	Problems []string `json:"problems"`
}

// OK reports whether the bundle verified.
func (r Report) OK() bool { return r.Err() == nil }

// Err summarises every failure, naming each file, or returns nil.
func (r Report) Err() error {
	var parts []string
	parts = append(parts, r.Problems...)
	for _, n := range r.Altered {
		parts = append(parts, fmt.Sprintf("file %q altered: its sha256 differs from the manifest", n))
	}
	for _, n := range r.Missing {
		parts = append(parts, fmt.Sprintf("file %q missing: listed in the manifest, absent from the bundle", n))
	}
	for _, n := range r.Added {
		parts = append(parts, fmt.Sprintf("file %q added: present in the bundle, not in the manifest", n))
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotVerified, strings.Join(parts, "; "))
}

// Verify reads a bundle and checks it against its signed manifest. With trusted nil the key
// inside the bundle is used and Report.Trusted is false. An error is returned only when the
// stream is not a readable tar.gz; everything else is in the report.
func Verify(r io.Reader, trusted ed25519.PublicKey) (Report, error) {
	files, dups, err := readAll(r)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Altered: []string{}, Missing: []string{}, Added: dups, Problems: []string{}}
	manifest, ok := files[ManifestName]
	if !ok {
		rep.Problems = append(rep.Problems, "no "+ManifestName+" in the bundle")
		return rep, nil
	}
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		rep.Problems = append(rep.Problems, ManifestName+": "+err.Error())
		return rep, nil
	}
	if m.Format != Format {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s: format %q, want %q", ManifestName, m.Format, Format))
	}
	rep.ReleaseID, rep.KeyID, rep.Files = m.ReleaseID, m.KeyID, len(m.Files)
	pub := checkKey(&rep, files, trusted, m.KeyID)
	if pub != nil {
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(files[SignatureName])))
		rep.SignatureValid = err == nil && ed25519.Verify(pub, manifest, sig)
		if !rep.SignatureValid {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: signature does not verify with key %s", SignatureName, audit.KeyID(pub)))
		}
	}
	listed := map[string]bool{}
	for _, d := range m.Files {
		listed[d.Name] = true
		data, ok := files[d.Name]
		switch {
		case !ok:
			rep.Missing = append(rep.Missing, d.Name)
		case sum(data) != d.SHA256 || int64(len(data)) != d.Size:
			rep.Altered = append(rep.Altered, d.Name)
		}
	}
	for name := range files {
		if !listed[name] && name != ManifestName && name != SignatureName && name != PublicKeyName {
			rep.Added = append(rep.Added, name)
		}
	}
	slices.Sort(rep.Added)
	rep.Proof = checkProof(files[ProofName], listed[ProofName], pub)
	if rep.Proof != "verified" && rep.Proof != "absent" {
		rep.Problems = append(rep.Problems, ProofName+": "+rep.Proof)
	}
	return rep, nil
}

// checkKey picks the key to verify with and records whether it is trusted. The embedded
// public key must be the signing key in every case, so that no byte of the bundle can change
// unnoticed, not even one a trusted verification would not otherwise read.
func checkKey(rep *Report, files map[string][]byte, trusted ed25519.PublicKey, keyID string) ed25519.PublicKey {
	embedded, err := parsePublic(files[PublicKeyName])
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("file %q: %v", PublicKeyName, err))
	} else if audit.KeyID(embedded) != keyID {
		rep.Problems = append(rep.Problems, fmt.Sprintf("file %q altered: it is key %s, but the manifest names key %s", PublicKeyName, audit.KeyID(embedded), keyID))
	}
	if trusted != nil {
		rep.Trusted = true
		if audit.KeyID(trusted) != keyID {
			rep.Problems = append(rep.Problems, fmt.Sprintf("signed by key %s, but the key given is %s", keyID, audit.KeyID(trusted)))
		}
		return trusted
	}
	return embedded
}

// checkProof verifies the audit proof when the manifest lists one (its digest already covers
// its content; this checks it also proves what it claims).
func checkProof(data []byte, listed bool, pub ed25519.PublicKey) string {
	if !listed || data == nil {
		return "absent"
	}
	if pub == nil {
		return "not checked: no usable public key"
	}
	var p audit.Proof
	if err := json.Unmarshal(data, &p); err != nil {
		return "unreadable: " + err.Error()
	}
	if err := audit.VerifyProof(p, pub); err != nil {
		return err.Error()
	}
	return "verified"
}

func readAll(r io.Reader) (map[string][]byte, []string, error) {
	gz, err := gzip.NewReader(io.LimitReader(r, MaxBundleBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("archive: not a gzip stream: %w", err)
	}
	defer gz.Close()
	tr := tar.NewReader(io.LimitReader(gz, MaxBundleBytes))
	files := map[string][]byte{}
	var dups []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, dups, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("archive: not a readable tar: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			dups = append(dups, hdr.Name)
			continue
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, tr); err != nil {
			return nil, nil, fmt.Errorf("archive: file %q: %w", hdr.Name, err)
		}
		if _, seen := files[hdr.Name]; seen {
			// A second copy under the same name could shadow the signed one in a naive extractor.
			dups = append(dups, hdr.Name)
			continue
		}
		files[hdr.Name] = buf.Bytes()
	}
}

func publicPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func parsePublic(data []byte) (ed25519.PublicKey, error) {
	if data == nil {
		return nil, errors.New("missing: the bundle's public key is absent")
	}
	return audit.ParsePublicKey(data)
}

// ReadManifest returns a bundle's manifest without verifying anything: for listing. Use Verify
// before trusting it.
func ReadManifest(r io.Reader) (Manifest, error) {
	files, _, err := readAll(r)
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	raw, ok := files[ManifestName]
	if !ok {
		return m, errors.New("archive: no " + ManifestName)
	}
	return m, json.Unmarshal(raw, &m)
}
