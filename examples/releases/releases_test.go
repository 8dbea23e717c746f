// Package releases_test checks that the example releases parse, validate and describe the demo
// the way examples/README.md says they do.
package releases_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/release"
)

func TestExampleReleasesLoad(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("want storefront.yaml, payments.yaml, canary.yaml and change-controlled.yaml, found %v", files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			spec, err := release.Load(f)
			if err != nil {
				t.Fatalf("%v", err)
			}
			demo := demoArtifacts[f]
			if demo && (spec.Integrity == nil || len(spec.Integrity.PublicKeys) != 1 || spec.Integrity.PublicKeys[0].ID != "demo") {
				t.Errorf("want an integrity policy trusting the demo key only, got %+v", spec.Integrity)
			}
			for _, svc := range spec.Services {
				if demo {
					checkDemoArtifact(t, svc)
				} else {
					// A placeholder digest: the sha256 of "<release name>-<service>-<version>"
					// (see the comments in the file). The integrity phase fails such a release.
					sum := sha256.Sum256([]byte(prefix(spec.Metadata.ID) + "-" + svc.Name + "-" + svc.Version))
					if want := "sha256:" + hex.EncodeToString(sum[:]); svc.Artifact.Digest != want {
						t.Errorf("%s: digest %s, want %s", svc.Name, svc.Artifact.Digest, want)
					}
				}
				for _, env := range spec.Environments {
					vars := release.StepVars(spec.Metadata.ID, svc, env)
					for _, c := range svc.Smoke {
						if _, err := release.Expand(c.URL, vars); err != nil {
							t.Errorf("%s/%s smoke %s: %v", env.Name, svc.Name, c.Name, err)
						}
					}
				}
			}
		})
	}
}

// demoArtifacts are the example releases whose artifacts are the real, signed demo artifacts of
// examples/artifacts (go run ./examples/artifacts/gen): every example release.
var demoArtifacts = map[string]bool{"storefront.yaml": true, "payments.yaml": true, "canary.yaml": true, "change-controlled.yaml": true}

// checkDemoArtifact checks that a service deploys its demo artifact, pinned by the sha256 of
// the file itself, with its signature, provenance and SBOM (examples/artifacts' tests run the
// full integrity checks on them).
func checkDemoArtifact(t *testing.T, svc release.Service) {
	t.Helper()
	a := svc.Artifact
	base := "file://examples/artifacts/" + svc.Name + "-" + svc.Version
	if a.Ref != base+".tar.gz" {
		t.Errorf("%s: ref %s, want %s.tar.gz", svc.Name, a.Ref, base)
		return
	}
	if want := fileDigest(t, a.Ref); a.Digest != want {
		t.Errorf("%s: digest %s, want %s (the file's)", svc.Name, a.Digest, want)
	}
	if a.Signature == nil || a.Signature.Sig != base+".sig" || a.Signature.Key != "demo" {
		t.Errorf("%s: signature %+v, want %s.sig by key demo", svc.Name, a.Signature, base)
	}
	if len(a.Attestations) != 1 || a.Attestations[0].Envelope != base+".intoto.json" || a.SBOM != base+".cdx.json" {
		t.Errorf("%s: want the provenance %s.intoto.json and the SBOM %s.cdx.json", svc.Name, base, base)
	}
}

// prefix returns the release name before its date-based version: "storefront-2026.11.1" → "storefront".
func prefix(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '-' {
			return id[:i]
		}
	}
	return id
}

// fileDigest is the sha256 of the file a repository-relative file:// ref names.
func fileDigest(t *testing.T, ref string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", strings.TrimPrefix(ref, "file://")))
	if err != nil {
		t.Fatalf("%v", err)
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestExampleReleasesShape(t *testing.T) {
	tests := []struct {
		file      string
		id, owner string
		services  map[string]string // name → PORT_SUFFIX
		broken    string            // the service with BEHAVIOUR broken, if any
	}{
		{file: "storefront.yaml", id: "storefront-2026.11.1", owner: "alice",
			services: map[string]string{"catalog": "11", "cart": "12", "checkout": "13"}},
		{file: "payments.yaml", id: "payments-2026.11.2", owner: "erin",
			services: map[string]string{"ledger": "21", "payments-api": "22"}, broken: "payments-api"},
		{file: "canary.yaml", id: "canary-2026.11.3", owner: "alice", services: map[string]string{"search": "31"}},
		{file: "change-controlled.yaml", id: "catalog-2026.11.4", owner: "alice", services: map[string]string{"catalog": "11"}},
	}
	ports := map[string]string{} // port → env/service, across both files: they must not collide
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := release.Load(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if spec.Metadata.ID != tt.id || spec.Metadata.Owner != tt.owner {
				t.Errorf("id/owner = %s/%s, want %s/%s", spec.Metadata.ID, spec.Metadata.Owner, tt.id, tt.owner)
			}
			if len(spec.Services) != len(tt.services) {
				t.Errorf("%d services, want %d", len(spec.Services), len(tt.services))
			}
			for _, svc := range spec.Services {
				if got := svc.Vars["PORT_SUFFIX"]; got != tt.services[svc.Name] {
					t.Errorf("%s: PORT_SUFFIX %q, want %q", svc.Name, got, tt.services[svc.Name])
				}
				wantBehaviour := "healthy"
				if svc.Name == tt.broken {
					wantBehaviour = "broken"
				}
				if got := svc.Vars["BEHAVIOUR"]; got != wantBehaviour {
					t.Errorf("%s: BEHAVIOUR %q, want %q", svc.Name, got, wantBehaviour)
				}
				for _, env := range spec.Environments {
					port := env.Vars["PORT_BASE"] + svc.Vars["PORT_SUFFIX"]
					where := env.Name + "/" + svc.Name
					if other, ok := ports[port]; ok && other != where {
						t.Errorf("port %s used by %s and %s", port, other, where)
					}
					ports[port] = where
				}
			}
		})
	}
}
