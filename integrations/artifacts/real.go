package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Options configure the real fetcher.
type Options struct {
	// HTTP is the client for https:// refs; nil builds one with Timeout. Its CheckRedirect is
	// replaced: a redirect may only go to another https URL.
	HTTP    *http.Client
	Timeout time.Duration
	// MaxSize caps one object; 0 means DefaultMaxSize.
	MaxSize int64
	// BaseDir resolves relative file refs (file://bin/demosvc); "" is the working directory.
	BaseDir string
	// Name and Remote are passed to go-containerregistry (e.g. name.Insecure for a local
	// registry, remote.WithAuthFromKeychain for credentials).
	Name   []name.Option
	Remote []remote.Option
}

// Real fetches from the file system, HTTPS servers and OCI registries.
type Real struct {
	opts Options
	http *http.Client
}

var _ Fetcher = (*Real)(nil)

// New builds the real fetcher.
func New(o Options) *Real {
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	c := &http.Client{Timeout: o.Timeout}
	if o.HTTP != nil {
		cp := *o.HTTP
		c = &cp
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s refused: only https is allowed", req.URL.Redacted())
		}
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		return nil
	}
	return &Real{opts: o, http: c}
}

// Open implements Fetcher.
func (r *Real) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	switch scheme(ref) {
	case "file":
		return r.openFile(ref)
	case "https":
		return r.openHTTPS(ctx, ref)
	case "oci":
		return r.openOCI(ctx, ref)
	}
	return nil, fmt.Errorf("%q: %w: want file://, https:// or oci://", ref, ErrUnsupported)
}

// FilePath resolves a file ref: file:///abs/path, or file://rel/path relative to BaseDir (the
// form the example specs use).
func (r *Real) FilePath(ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%q: %w", ref, err)
	}
	p := u.Path
	if u.Host != "" && u.Host != "localhost" {
		p = filepath.Join(r.opts.BaseDir, u.Host, u.Path)
	} else if r.opts.BaseDir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(r.opts.BaseDir, p)
	}
	if p == "" {
		return "", fmt.Errorf("%q: %w: no path", ref, ErrUnsupported)
	}
	return p, nil
}

func (r *Real) openFile(ref string) (io.ReadCloser, error) {
	p, err := r.FilePath(ref)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", ref, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() > r.opts.MaxSize {
		f.Close()
		return nil, fmt.Errorf("%s: %w of %d bytes (%d)", ref, ErrTooLarge, r.opts.MaxSize, st.Size())
	}
	return capReader(f, ref, r.opts.MaxSize), nil
}

func (r *Real) openHTTPS(ctx context.Context, ref string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", ref, err)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %w (HTTP %d)", redact(ref), ErrNotFound, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: HTTP %d", redact(ref), resp.StatusCode)
	case resp.ContentLength > r.opts.MaxSize:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %w of %d bytes (%d)", redact(ref), ErrTooLarge, r.opts.MaxSize, resp.ContentLength)
	}
	return capReader(resp.Body, redact(ref), r.opts.MaxSize), nil
}

// redact drops credentials and query strings (signed URLs) from refs quoted in errors.
func redact(ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// openOCI streams an image manifest, or a blob when the digest names one. Only digest
// references are accepted: a tag is mutable.
func (r *Real) openOCI(ctx context.Context, ref string) (io.ReadCloser, error) {
	s := strings.TrimPrefix(ref, "oci://")
	d, err := name.NewDigest(s, r.opts.Name...)
	if err != nil {
		return nil, fmt.Errorf("%q: %w: want oci://registry/repository@sha256:<digest> (%v)", ref, ErrUnsupported, err)
	}
	opts := append([]remote.Option{remote.WithContext(ctx)}, r.opts.Remote...)
	desc, err := remote.Get(d, opts...)
	if err == nil {
		if int64(len(desc.Manifest)) > r.opts.MaxSize {
			return nil, fmt.Errorf("%s: %w", ref, ErrTooLarge)
		}
		return io.NopCloser(strings.NewReader(string(desc.Manifest))), nil
	}
	if !notFound(err) {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	layer, err := remote.Layer(d, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		if notFound(err) {
			return nil, fmt.Errorf("%s: %w", ref, ErrNotFound)
		}
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return capReader(rc, ref, r.opts.MaxSize), nil
}

func notFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}
