package artifacts

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/integrity"
)

// CycloneDX 1.6 JSON, only the fields the demo fills. Structs (not maps) keep the key order, and
// with it the bytes, fixed.
type (
	cdxBOM struct {
		BOMFormat       string          `json:"bomFormat"`
		SpecVersion     string          `json:"specVersion"`
		SerialNumber    string          `json:"serialNumber"`
		Version         int             `json:"version"`
		Metadata        cdxMetadata     `json:"metadata"`
		Components      []cdxComponent  `json:"components,omitempty"`
		Dependencies    []cdxDependency `json:"dependencies,omitempty"`
		Vulnerabilities *[]struct{}     `json:"vulnerabilities,omitempty"`
	}
	cdxMetadata struct {
		Timestamp string       `json:"timestamp"`
		Tools     cdxTools     `json:"tools"`
		Component cdxComponent `json:"component"`
	}
	cdxTools struct {
		Components []cdxComponent `json:"components"`
	}
	cdxComponent struct {
		Type     string       `json:"type"`
		BOMRef   string       `json:"bom-ref,omitempty"`
		Name     string       `json:"name"`
		Version  string       `json:"version"`
		PURL     string       `json:"purl,omitempty"`
		Hashes   []cdxHash    `json:"hashes,omitempty"`
		Licenses []cdxLicense `json:"licenses,omitempty"`
	}
	cdxHash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	cdxLicense struct {
		License    *cdxLicenseID `json:"license,omitempty"`
		Expression string        `json:"expression,omitempty"`
	}
	cdxLicenseID struct {
		ID string `json:"id"`
	}
	cdxDependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn,omitempty"`
	}
)

var generatorTool = cdxComponent{Type: "application", Name: "tollgate-demo-artifacts-gen", Version: "1"}

// serial is a stable urn:uuid (an RFC 9562 version-8 layout) derived from name: CycloneDX wants
// a serial number per BOM, and a random one would change the bytes on every run.
func serial(name string) string {
	h := sha256.Sum256([]byte("tollgate-demo:" + name))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", x[0:8], x[8:12], x[12:16], x[16:20], x[20:32])
}

func purl(l Library) string { return "pkg:golang/" + l.Module + "@" + l.Version }

func self(s Service) cdxComponent {
	return cdxComponent{Type: "application", BOMRef: "pkg:generic/" + s.Name + "@" + s.Version, Name: s.Name,
		Version: s.Version, PURL: "pkg:generic/" + s.Name + "@" + s.Version}
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}

// sbom is the service's CycloneDX SBOM. Its metadata names the artifact by its SHA-256, so the
// SBOM says which bytes it describes.
func sbom(s Service, digest [sha256.Size]byte) ([]byte, error) {
	top := self(s)
	top.Hashes = []cdxHash{{Alg: "SHA-256", Content: hex.EncodeToString(digest[:])}}
	bom := cdxBOM{BOMFormat: "CycloneDX", SpecVersion: "1.6", SerialNumber: serial(s.Base() + SuffixSBOM), Version: 1,
		Metadata: cdxMetadata{Timestamp: Epoch.Format("2006-01-02T15:04:05Z"), Tools: cdxTools{Components: []cdxComponent{generatorTool}}, Component: top}}
	root := cdxDependency{Ref: top.BOMRef}
	for _, l := range s.Libraries {
		c := cdxComponent{Type: "library", BOMRef: purl(l), Name: l.Module, Version: l.Version, PURL: purl(l)}
		if strings.ContainsAny(l.License, " ()") {
			c.Licenses = []cdxLicense{{Expression: l.License}}
		} else {
			c.Licenses = []cdxLicense{{License: &cdxLicenseID{ID: l.License}}}
		}
		bom.Components = append(bom.Components, c)
		root.DependsOn = append(root.DependsOn, c.BOMRef)
		bom.Dependencies = append(bom.Dependencies, cdxDependency{Ref: c.BOMRef})
	}
	bom.Dependencies = append([]cdxDependency{root}, bom.Dependencies...)
	return marshal(bom)
}

// vulnReport is the service's vulnerability report as CycloneDX: a scan with no open finding.
// The empty list is explicit: "scanned, nothing found", not "not scanned".
func vulnReport(s Service) ([]byte, error) {
	none := []struct{}{}
	return marshal(cdxBOM{BOMFormat: "CycloneDX", SpecVersion: "1.6", SerialNumber: serial(s.Base() + SuffixVulns), Version: 1,
		Metadata:        cdxMetadata{Timestamp: Epoch.Format("2006-01-02T15:04:05Z"), Tools: cdxTools{Components: []cdxComponent{generatorTool}}, Component: self(s)},
		Vulnerabilities: &none})
}

// In-toto statement v1 with a SLSA v1 provenance predicate, the fields the demo fills.
type (
	statement struct {
		Type          string    `json:"_type"`
		Subject       []subject `json:"subject"`
		PredicateType string    `json:"predicateType"`
		Predicate     slsa      `json:"predicate"`
	}
	subject struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	slsa struct {
		BuildDefinition struct {
			BuildType          string `json:"buildType"`
			ExternalParameters struct {
				Source  string `json:"source"`
				Service string `json:"service"`
				Version string `json:"version"`
			} `json:"externalParameters"`
			ResolvedDependencies []struct {
				URI string `json:"uri"`
			} `json:"resolvedDependencies"`
		} `json:"buildDefinition"`
		RunDetails struct {
			Builder struct {
				ID string `json:"id"`
			} `json:"builder"`
			Metadata struct {
				InvocationID string `json:"invocationId"`
				StartedOn    string `json:"startedOn"`
				FinishedOn   string `json:"finishedOn"`
			} `json:"metadata"`
		} `json:"runDetails"`
	}
	envelope struct {
		PayloadType string         `json:"payloadType"`
		Payload     string         `json:"payload"`
		Signatures  []envelopeSign `json:"signatures"`
	}
	envelopeSign struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	}
)

// DemoKeyID is the key ID the specs give the demo key and the DSSE envelopes name.
const DemoKeyID = "demo"

// provenance is a DSSE envelope over an in-toto statement whose subject is the artifact's
// digest, signed by the demo key over DSSE's pre-authentication encoding.
func provenance(s Service, artifact string, digest [sha256.Size]byte, priv ed25519.PrivateKey) ([]byte, error) {
	st := statement{Type: "https://in-toto.io/Statement/v1", PredicateType: integrity.SLSAProvenanceV1,
		Subject: []subject{{Name: artifact, Digest: map[string]string{"sha256": hex.EncodeToString(digest[:])}}}}
	bd := &st.Predicate.BuildDefinition
	bd.BuildType = BuilderID
	bd.ExternalParameters.Source = Source
	bd.ExternalParameters.Service, bd.ExternalParameters.Version = s.Name, s.Version
	bd.ResolvedDependencies = append(bd.ResolvedDependencies, struct {
		URI string `json:"uri"`
	}{URI: "git+" + Source + "@refs/heads/main"})
	rd := &st.Predicate.RunDetails
	rd.Builder.ID = BuilderID
	rd.Metadata.InvocationID = "demo-" + s.Base()
	rd.Metadata.StartedOn = Epoch.Format("2006-01-02T15:04:05Z")
	rd.Metadata.FinishedOn = rd.Metadata.StartedOn
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(priv, integrity.PAE(integrity.InTotoPayloadType, payload))
	return marshal(envelope{PayloadType: integrity.InTotoPayloadType, Payload: base64.StdEncoding.EncodeToString(payload),
		Signatures: []envelopeSign{{KeyID: DemoKeyID, Sig: base64.StdEncoding.EncodeToString(sig)}}})
}
