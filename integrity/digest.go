package integrity

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// digestRE is the only digest form Tollgate pins artifacts with.
var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// BufferSize is the fixed read buffer of StreamDigest: memory stays constant whatever the size
// of the artifact.
const BufferSize = 1 << 20

// Digest is a parsed sha256 digest.
type Digest [sha256.Size]byte

// ParseDigest parses "sha256:<64 lower-case hex>".
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if !digestRE.MatchString(s) {
		return d, fmt.Errorf("invalid digest %q: want \"sha256:\" followed by 64 lower-case hex digits", clip(s))
	}
	_, err := hex.Decode(d[:], []byte(s[len("sha256:"):]))
	return d, err
}

// String formats the digest as sha256:<hex>.
func (d Digest) String() string { return "sha256:" + hex.EncodeToString(d[:]) }

// Short is the first 12 hex digits, for messages.
func (d Digest) Short() string { return "sha256:" + hex.EncodeToString(d[:6]) + "…" }

// StreamDigest hashes r with a fixed BufferSize buffer and returns its digest and size. progress,
// when non-nil, is called after every chunk with the bytes read so far (activities heartbeat
// from it).
func StreamDigest(r io.Reader, progress func(n int64)) (Digest, int64, error) {
	h := sha256.New()
	buf := make([]byte, BufferSize)
	var n int64
	for {
		k, err := r.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			n += int64(k)
			if progress != nil {
				progress(n)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Digest{}, n, err
		}
	}
	var d Digest
	h.Sum(d[:0])
	return d, n, nil
}

// VerifyDigest compares the digest computed while streaming with the pinned one.
func VerifyDigest(artifact string, want string, got Digest, size int64) Result {
	d := Details{Digest: got.String()}
	w, err := ParseDigest(want)
	if err != nil {
		return fail(CheckDigest, ReasonBadDigest, fmt.Sprintf("artifact %q: %v", artifact, err), d)
	}
	if w != got {
		return fail(CheckDigest, ReasonDigestMismatch,
			fmt.Sprintf("artifact %q: digest mismatch: want %s, got %s", artifact, w, got), d)
	}
	return pass(CheckDigest, fmt.Sprintf("artifact %q: %s verified over %d bytes", artifact, got.Short(), size), d)
}

// clip shortens untrusted text quoted in messages.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
