// Package artifacts retrieves artifacts and the files that describe them (signatures, SBOMs,
// reports) from file://, https:// and oci:// references, as streams with a size cap.
package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Fetcher opens the content a reference names. The caller closes the stream; reading past the
// fetcher's size cap fails with ErrTooLarge.
type Fetcher interface {
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
}

// Errors callers classify: both are permanent for a given ref.
var (
	ErrNotFound    = errors.New("not found")
	ErrTooLarge    = errors.New("above the size limit")
	ErrUnsupported = errors.New("unsupported reference")
)

// DefaultMaxSize is the default cap on one fetched object (8 GiB: artifacts are streamed, so the
// cap bounds time and disk of the source, not memory).
const DefaultMaxSize = 8 << 30

// ReadAll reads a small object (a signature, an SBOM) whole, refusing more than limit bytes.
func ReadAll(ctx context.Context, f Fetcher, ref string, limit int64) ([]byte, error) {
	rc, err := f.Open(ctx, ref)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w of %d bytes", ref, ErrTooLarge, limit)
	}
	return b, nil
}

// capped fails a read that goes past max bytes, so a source that lies about its size cannot
// stream forever.
type capped struct {
	rc   io.ReadCloser
	left int64
	ref  string
	max  int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe one byte: exactly max bytes is fine, more is not.
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%s: %w of %d bytes", c.ref, ErrTooLarge, c.max)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }

func capReader(rc io.ReadCloser, ref string, max int64) io.ReadCloser {
	return &capped{rc: rc, left: max, ref: ref, max: max}
}

func scheme(ref string) string {
	if i := strings.Index(ref, "://"); i > 0 {
		return ref[:i]
	}
	return ""
}
