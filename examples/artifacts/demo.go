// Package artifacts generates the demo artifacts the example releases ship: for every service a
// deterministic tar.gz, its key signature, a CycloneDX SBOM, a clean CycloneDX vulnerability
// report, its configuration file and a signed SLSA provenance attestation (DSSE), all signed by
// the demo key. Everything is a pure function of this package's source, so regenerating writes
// the same bytes and a test can hold the committed files to them.
package artifacts

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Epoch is the one timestamp every generated file carries (tar mtimes, SBOM and provenance
// times): a fixed time, like SOURCE_DATE_EPOCH, so nothing depends on when the generator runs.
var Epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Source is the repository the demo artifacts are built from; the specs declare it as each
// artifact's source and the provenance names it.
const Source = "https://github.com/tollgate-dev/tollgate"

// BuilderID is the builder the provenance names and the specs trust: this generator.
const BuilderID = "https://github.com/tollgate-dev/tollgate/examples/artifacts/gen@v1"

// SharedLibrary is the in-house library every demo service links, at one major version, so the
// specs' sharedLibraries rule ("major") has something to hold across services.
const SharedLibrary = "github.com/tollgate-dev/demo-kit"

// Library is one dependency listed in a service's SBOM.
type Library struct {
	Module  string // Go module path, the CycloneDX component name
	Version string // with the Go "v" prefix
	License string // SPDX expression
}

// Service is one demo service of an example release.
type Service struct {
	Release string // spec file name under examples/releases
	// AlsoIn are other example specs that deploy the same artifact.
	AlsoIn  []string
	Name    string
	Version string
	// Upstreams are the services it calls; their URLs come from the environment.
	Upstreams []string
	Libraries []Library
}

// Base is the file name stem of every file of the service: "<name>-<version>".
func (s Service) Base() string { return s.Name + "-" + s.Version }

func kit(v string) Library { return Library{Module: SharedLibrary, Version: v, License: "Apache-2.0"} }

var (
	yamlV3   = Library{Module: "gopkg.in/yaml.v3", Version: "v3.0.1", License: "MIT AND Apache-2.0"}
	uuid     = Library{Module: "github.com/google/uuid", Version: "v1.6.0", License: "BSD-3-Clause"}
	xtext    = Library{Module: "golang.org/x/text", Version: "v0.21.0", License: "BSD-3-Clause"}
	chi      = Library{Module: "github.com/go-chi/chi/v5", Version: "v5.1.0", License: "MIT"}
	decimal  = Library{Module: "github.com/shopspring/decimal", Version: "v1.4.0", License: "MIT"}
	promhttp = Library{Module: "github.com/prometheus/client_golang", Version: "v1.20.5", License: "Apache-2.0"}
)

// Services are the services of the example releases, in spec order. demo-kit differs in minor
// version between services (1.4 and 1.5), which the "major" rule allows on purpose.
var Services = []Service{
	{Release: "storefront.yaml", AlsoIn: []string{"change-controlled.yaml"}, Name: "catalog", Version: "2.0.0",
		Libraries: []Library{kit("v1.4.2"), chi, xtext, yamlV3}},
	{Release: "storefront.yaml", Name: "cart", Version: "2.0.0", Upstreams: []string{"catalog"},
		Libraries: []Library{kit("v1.4.2"), chi, uuid, yamlV3}},
	{Release: "storefront.yaml", Name: "checkout", Version: "2.0.0", Upstreams: []string{"cart", "catalog"},
		Libraries: []Library{kit("v1.5.0"), chi, decimal, uuid, yamlV3}},
	{Release: "payments.yaml", Name: "ledger", Version: "3.1.0",
		Libraries: []Library{kit("v1.5.0"), decimal, promhttp, yamlV3}},
	{Release: "payments.yaml", Name: "payments-api", Version: "3.1.0", Upstreams: []string{"ledger"},
		Libraries: []Library{kit("v1.5.0"), chi, decimal, promhttp, uuid, yamlV3}},
	{Release: "canary.yaml", Name: "search", Version: "2.0.0",
		Libraries: []Library{kit("v1.5.0"), chi, promhttp, yamlV3}},
}

// File suffixes of what is generated per service.
const (
	SuffixArtifact    = ".tar.gz"
	SuffixSignature   = ".sig"
	SuffixSBOM        = ".cdx.json"
	SuffixVulns       = ".vex.json"
	SuffixConfig      = ".app.yaml"
	SuffixAttestation = ".intoto.json"
)

// Suffixes lists every per-service file, in the order they are generated.
var Suffixes = []string{SuffixArtifact, SuffixSignature, SuffixSBOM, SuffixVulns, SuffixConfig, SuffixAttestation}

// Key file names.
const (
	PrivateKeyFile = "demo-signing-key.pem"
	PublicKeyFile  = "demo-signing-key.pub"
)

// Generated is what one generation produced: file name → content, and each artifact's digest.
type Generated struct {
	Files map[string][]byte
	// Digests maps an artifact file name ("catalog-2.0.0.tar.gz") to "sha256:<hex>".
	Digests map[string]string
}

// Build produces every file in memory: the key pair and, per service, the artifact and what
// describes it.
func Build() (Generated, error) {
	priv := DemoKey()
	g := Generated{Files: map[string][]byte{}, Digests: map[string]string{}}
	var err error
	if g.Files[PrivateKeyFile], err = privateKeyPEM(priv); err != nil {
		return g, err
	}
	if g.Files[PublicKeyFile], err = publicKeyPEM(priv.Public().(ed25519.PublicKey)); err != nil {
		return g, err
	}
	for _, s := range Services {
		if err := g.service(s, priv); err != nil {
			return g, fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	return g, nil
}

func (g *Generated) service(s Service, priv ed25519.PrivateKey) error {
	cfg := appConfig(s)
	tgz, err := tarball(s, cfg)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(tgz)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	name := s.Base() + SuffixArtifact
	g.Digests[name] = digest
	g.Files[name] = tgz
	g.Files[s.Base()+SuffixConfig] = cfg
	g.Files[s.Base()+SuffixSignature] = signDigest(priv, sum)
	if g.Files[s.Base()+SuffixSBOM], err = sbom(s, sum); err != nil {
		return err
	}
	if g.Files[s.Base()+SuffixVulns], err = vulnReport(s); err != nil {
		return err
	}
	g.Files[s.Base()+SuffixAttestation], err = provenance(s, name, sum, priv)
	return err
}

// Write generates every file into dir (created if needed) and returns what it wrote.
func Write(dir string) (Generated, error) {
	g, err := Build()
	if err != nil {
		return g, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return g, err
	}
	for name, data := range g.Files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return g, err
		}
	}
	return g, nil
}
