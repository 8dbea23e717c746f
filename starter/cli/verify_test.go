package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrity"
)

// verifyFixture writes a release whose one artifact is key-signed, with an SBOM and a config
// file, into a temp dir, and returns the spec path. tamper edits the files before writing.
func verifyFixture(t *testing.T, tamper func(files map[string][]byte)) string {
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	artifact := []byte("ledger 3.1.0")
	sum := sha256.Sum256(artifact)
	files := map[string][]byte{
		"ledger.tar.gz":         artifact,
		"ledger.sig":            []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(priv, sum[:]))),
		"ci.pub":                pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"ledger.cdx.json":       []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"acme-json","version":"1.4.0","licenses":[{"license":{"id":"MIT"}}]}]}`),
		"app.yaml":              []byte("db:\n  host: ${DB_HOST}\n"),
		"release-manifest.yaml": []byte("components:\n  - name: ledger\n    version: 3.1.0\n"),
	}
	if tamper != nil {
		tamper(files)
	}
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	ref := func(n string) string { return "file://" + filepath.Join(dir, n) }
	spec := fmt.Sprintf(`apiVersion: tollgate.dev/v1
kind: Release
metadata: {id: ledger-3.1.0, title: Ledger 3.1, owner: erin}
services:
  - name: ledger
    version: 3.1.0
    artifact:
      ref: %s
      digest: sha256:%x
      signature: {sig: %s, key: ci}
      sbom: %s
      config: [%s]
    runbook: {deploy: "true", rollback: "true"}
environments:
  - {name: prod-eu, region: eu-west, timeZone: Europe/Berlin}
waves:
  - {name: prod, environments: [prod-eu]}
approval: {approvers: [bob], required: 1}
handoff: {contact: support}
integrity:
  publicKeys:
    - {id: ci, ref: %s}
  licenses: {allow: [MIT], owner: legal@acme}
  config:
    environmentHosts: {prod-eu: [db.prod-eu.acme.internal]}
  manifest: %s
`, ref("ledger.tar.gz"), sha256.Sum256(artifact), ref("ledger.sig"), ref("ledger.cdx.json"), ref("app.yaml"), ref("ci.pub"), ref("release-manifest.yaml"))
	path := filepath.Join(dir, "release.yaml")
	require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	return path
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	root := NewRoot(Env{Stdout: &out, Stderr: &errb})
	root.SetArgs(args)
	code := 0
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = 1
		fmt.Fprintln(&errb, err)
	}
	return out.String(), errb.String(), code
}

func TestVerifyCommand(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(map[string][]byte)
		code   int
		reason integrity.Reason
	}{
		{"all checks pass", nil, 0, ""},
		{"artifact replaced", func(f map[string][]byte) { f["ledger.tar.gz"] = []byte("ledger 3.1.0 with a backdoor") }, 1, integrity.ReasonDigestMismatch},
		{"licence outside the allow list", func(f map[string][]byte) {
			f["ledger.cdx.json"] = bytes.ReplaceAll(f["ledger.cdx.json"], []byte(`"MIT"`), []byte(`"AGPL-3.0-only"`))
		}, 1, integrity.ReasonLicenseNeedsReview},
		{"production host in config", func(f map[string][]byte) { f["app.yaml"] = []byte("db:\n  host: db.prod-eu.acme.internal\n") }, 1, integrity.ReasonConfigEnvironmentHost},
		{"component missing from the release", func(f map[string][]byte) {
			f["release-manifest.yaml"] = append(f["release-manifest.yaml"], []byte("  - name: payments-api\n")...)
		}, 1, integrity.ReasonComponentMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := verifyFixture(t, tt.tamper)
			out, stderr, code := runCLI(t, "verify", "-f", spec, "-o", "json")
			require.Equal(t, tt.code, code, stderr)
			var rep integrity.Report
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Equal(t, tt.code == 0, rep.Passed)
			if tt.reason != "" {
				require.Contains(t, stderr, string(tt.reason))
			}
			text, _, _ := runCLI(t, "verify", "-f", spec)
			require.Contains(t, text, "ledger 3.1.0")
			require.Contains(t, text, "CHECK")
		})
	}
}

func TestVerifyCommandDowngrade(t *testing.T) {
	spec := verifyFixture(t, nil)
	deployed := filepath.Join(filepath.Dir(spec), "deployed.json")
	require.NoError(t, os.WriteFile(deployed, []byte(`{"prod-eu": {"ledger": "3.2.0"}}`), 0o644))
	_, stderr, code := runCLI(t, "verify", "-f", spec, "--deployed", deployed)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, string(integrity.ReasonDowngrade))
	require.Contains(t, stderr, "3.2.0")
}
