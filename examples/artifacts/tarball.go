package artifacts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
)

// appConfig is the configuration baked into a service's artifact. It names no host, address or
// credential of any environment: each of those is a ${PLACEHOLDER} the runbook fills at deploy
// time, which is what the integrity phase's configuration scan checks.
func appConfig(s Service) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s: configuration baked into the artifact. Nothing here belongs to one\n", s.Name, s.Version)
	b.WriteString("# environment: addresses and credentials come from the environment at deploy time.\n")
	fmt.Fprintf(&b, "service: %s\nversion: %s\n", s.Name, s.Version)
	b.WriteString("listen: ${ADDR}\nbehaviour: ${BEHAVIOUR}\n")
	if len(s.Upstreams) > 0 {
		b.WriteString("upstreams:\n")
		for _, u := range s.Upstreams {
			fmt.Fprintf(&b, "  %s: ${%s_URL}\n", u, envName(u))
		}
	}
	fmt.Fprintf(&b, "database:\n  url: ${%s_DATABASE_URL}\n  password: ${%s_DATABASE_PASSWORD}\n", envName(s.Name), envName(s.Name))
	b.WriteString("log:\n  level: info\n  format: json\n")
	return []byte(b.String())
}

func envName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

// tarball builds the deployable unit. Every header field that could differ between runs or
// machines is fixed (mtime, owner, mode, format, order) and gzip carries no name or time, so
// the digest is a function of the content alone.
func tarball(s Service, cfg []byte) ([]byte, error) {
	entries := []struct {
		name string
		dir  bool
		data []byte
	}{
		{name: "README", data: fmt.Appendf(nil, "%s %s: a Tollgate demo artifact (examples/artifacts). bin/demosvc plays the service.\n", s.Name, s.Version)},
		{name: "VERSION", data: []byte(s.Version + "\n")},
		{name: "config/", dir: true},
		{name: "config/app.yaml", data: cfg},
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, ModTime: Epoch, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.data)),
			Uname: "root", Gname: "root", Format: tar.FormatUSTAR}
		if e.dir {
			h.Mode, h.Typeflag = 0o755, tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("tar %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
