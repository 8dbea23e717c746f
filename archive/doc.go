// Package archive writes and checks the signed bundle a release leaves behind when it closes:
// a deterministic tar.gz of named files with a manifest of their SHA-256 digests, signed with
// the installation's ed25519 key. Verification needs only the bundle's bytes and the public
// key, so an auditor checks a release on a machine that never saw the store.
//
// The package is pure: it reads and writes byte streams and takes the time as a parameter.
package archive

import "errors"

// Format names the bundle layout; Verify refuses a manifest of another format.
const Format = "tollgate-archive/v1"

// Names of the bundle's own files. They are not listed in the manifest: the manifest cannot
// contain its own digest, and the signature and public key are checked, not digested.
const (
	ManifestName  = "MANIFEST.json"
	SignatureName = "MANIFEST.sig"
	PublicKeyName = "MANIFEST.pub"
	// ProofName is where an archive keeps the audit proof of the release (audit.Proof as
	// JSON); Verify checks it with the same public key when present.
	ProofName = "audit/proof.json"
)

// ErrNotVerified is wrapped by Report.Err when a bundle does not verify.
var ErrNotVerified = errors.New("archive does not verify")
