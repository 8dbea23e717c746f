package artifacts

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, f Fetcher, ref string) ([]byte, error) {
	t.Helper()
	rc, err := f.Open(context.Background(), ref)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestFileRefs(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "demosvc"), []byte("binary"), 0o644))
	f := New(Options{BaseDir: dir, MaxSize: 4})
	big := New(Options{BaseDir: dir})

	got, err := readAll(t, big, "file://bin/demosvc") // relative, as the example specs write it
	require.NoError(t, err)
	require.Equal(t, "binary", string(got))
	got, err = readAll(t, big, "file://"+filepath.Join(dir, "bin", "demosvc"))
	require.NoError(t, err)
	require.Equal(t, "binary", string(got))

	_, err = readAll(t, f, "file://bin/demosvc")
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = readAll(t, big, "file://bin/missing")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = readAll(t, big, "ftp://example.com/x")
	require.ErrorIs(t, err, ErrUnsupported)
}

func TestHTTPSRefs(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "downgraded") }))
	defer plain.Close()
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, http.MethodGet, r.Method)
		switch r.URL.Path {
		case "/ledger.tar.gz":
			io.WriteString(w, "ledger bytes")
		case "/to-http":
			http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
		case "/to-https":
			http.Redirect(w, r, srv.URL+"/ledger.tar.gz", http.StatusFound)
		case "/endless":
			// No Content-Length: the cap must hold while streaming.
			w.(http.Flusher).Flush()
			io.WriteString(w, strings.Repeat("x", 1000))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := New(Options{HTTP: srv.Client(), MaxSize: 100})

	got, err := readAll(t, f, srv.URL+"/ledger.tar.gz")
	require.NoError(t, err)
	require.Equal(t, "ledger bytes", string(got))
	got, err = readAll(t, f, srv.URL+"/to-https")
	require.NoError(t, err)
	require.Equal(t, "ledger bytes", string(got))

	_, err = readAll(t, f, srv.URL+"/to-http")
	require.ErrorContains(t, err, "only https is allowed")
	_, err = readAll(t, f, srv.URL+"/nope?token=secret")
	require.ErrorIs(t, err, ErrNotFound)
	require.NotContains(t, err.Error(), "secret")
	_, err = readAll(t, f, srv.URL+"/endless")
	require.ErrorIs(t, err, ErrTooLarge)
	_, err = readAll(t, f, strings.Replace(plain.URL, "http://", "http://", 1)+"/x")
	require.ErrorIs(t, err, ErrUnsupported, "plain http is not a supported scheme")
}

func TestOCIRefs(t *testing.T) {
	reg := httptest.NewServer(registry.New())
	defer reg.Close()
	u, err := url.Parse(reg.URL)
	require.NoError(t, err)
	img, err := random.Image(256, 1)
	require.NoError(t, err)
	tag, err := name.NewTag(u.Host+"/acme/ledger:3.1.0", name.Insecure)
	require.NoError(t, err)
	require.NoError(t, remote.Write(tag, img))
	digest, err := img.Digest()
	require.NoError(t, err)
	raw, err := img.RawManifest()
	require.NoError(t, err)
	layers, err := img.Layers()
	require.NoError(t, err)
	layerDigest, err := layers[0].Digest()
	require.NoError(t, err)
	f := New(Options{Name: []name.Option{name.Insecure}})

	got, err := readAll(t, f, "oci://"+u.Host+"/acme/ledger@"+digest.String())
	require.NoError(t, err)
	require.Equal(t, raw, got, "an image ref streams its manifest, whose digest is the image digest")

	got, err = readAll(t, f, "oci://"+u.Host+"/acme/ledger@"+layerDigest.String())
	require.NoError(t, err)
	want, err := layers[0].Compressed()
	require.NoError(t, err)
	wantBytes, _ := io.ReadAll(want)
	require.Equal(t, wantBytes, got, "a blob digest streams the blob")

	_, err = readAll(t, f, "oci://"+u.Host+"/acme/ledger:3.1.0")
	require.ErrorIs(t, err, ErrUnsupported, "a tag is mutable")
	_, err = readAll(t, f, "oci://"+u.Host+"/acme/ledger@sha256:"+strings.Repeat("0", 64))
	require.Error(t, err)
}

func TestFake(t *testing.T) {
	f := NewFake()
	f.Put("file://a", []byte("A"))
	f.Fail("file://b", io.ErrUnexpectedEOF)
	got, err := readAll(t, f, "file://a")
	require.NoError(t, err)
	require.Equal(t, "A", string(got))
	_, err = readAll(t, f, "file://b")
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = readAll(t, f, "file://c")
	require.ErrorIs(t, err, ErrNotFound)
	require.Equal(t, []string{"file://a", "file://b", "file://c"}, f.Calls())
}
