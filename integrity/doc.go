// Package integrity decides whether the artifacts of a release may deploy: digest, signature
// (Sigstore bundle or plain key), in-toto attestations, SBOM, license policy, vulnerability
// threshold, shared-library consistency, externalized configuration and the release manifest.
//
// It fails closed: an error, a missing input or an ambiguous answer is a failed check with its
// own Reason, never a pass. It performs no I/O of its own; content arrives through io.Reader
// values and the Opener the caller injects.
package integrity
