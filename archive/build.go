package archive

import (
	"archive/tar"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/audit"
)

// File is one file of a bundle: a slash-separated relative name and its content.
type File struct {
	Name string
	Data []byte
}

// Digest is one manifest line.
type Digest struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Manifest lists every file of a bundle with its digest; its canonical JSON is what is signed.
type Manifest struct {
	Format    string    `json:"format"`
	ReleaseID string    `json:"releaseId"`
	CreatedAt time.Time `json:"createdAt"`
	// KeyID names the signing key (audit.KeyID), so a verifier can tell which key to expect.
	KeyID string   `json:"keyId"`
	Files []Digest `json:"files"`
}

// Write writes a bundle of files for releaseID to w, signed with key. The output is
// deterministic: the same files, key and time give the same bytes. Names must be clean
// relative paths, unique, and not one of the bundle's own files.
func Write(w io.Writer, releaseID string, files []File, key ed25519.PrivateKey, now time.Time) (Manifest, error) {
	if len(key) != ed25519.PrivateKeySize {
		return Manifest{}, fmt.Errorf("archive of release %q: no signing key", releaseID)
	}
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	pub := key.Public().(ed25519.PublicKey)
	m := Manifest{Format: Format, ReleaseID: releaseID, CreatedAt: now.UTC(), KeyID: audit.KeyID(pub), Files: []Digest{}}
	for i, f := range sorted {
		if err := checkName(f.Name); err != nil {
			return Manifest{}, fmt.Errorf("archive of release %q: %w", releaseID, err)
		}
		if i > 0 && sorted[i-1].Name == f.Name {
			return Manifest{}, fmt.Errorf("archive of release %q: file %q appears twice", releaseID, f.Name)
		}
		m.Files = append(m.Files, Digest{Name: f.Name, SHA256: sum(f.Data), Size: int64(len(f.Data))})
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, manifest))
	pubPEM, err := publicPEM(pub)
	if err != nil {
		return Manifest{}, err
	}
	gz := gzip.NewWriter(w)
	gz.ModTime = m.CreatedAt
	tw := tar.NewWriter(gz)
	own := []File{{ManifestName, manifest}, {SignatureName, []byte(sig + "\n")}, {PublicKeyName, pubPEM}}
	for _, f := range append(own, sorted...) {
		hdr := &tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return Manifest{}, fmt.Errorf("archive of release %q: file %q: %w", releaseID, f.Name, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return Manifest{}, fmt.Errorf("archive of release %q: file %q: %w", releaseID, f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return Manifest{}, err
	}
	return m, gz.Close()
}

func checkName(name string) error {
	switch {
	case name == "" || name != path.Clean(name) || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../"):
		return fmt.Errorf("file name %q: want a clean relative path", name)
	case name == ManifestName || name == SignatureName || name == PublicKeyName:
		return fmt.Errorf("file name %q is reserved for the bundle itself", name)
	}
	return nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
