package integrity

import (
	"crypto/sha256"
	"fmt"
	"path"

	"github.com/tollgate-dev/tollgate/release"
)

func (r *run) sbom(name string, a release.Artifact) (*SBOM, Result) {
	if a.SBOM == "" {
		return nil, fail(CheckSBOM, ReasonSBOMMissing, fmt.Sprintf("artifact %q: the policy needs an SBOM and none is declared", name), Details{})
	}
	data, err := r.readLarge(a.SBOM)
	if err != nil {
		return nil, fail(CheckSBOM, ReasonSBOMMissing, fmt.Sprintf("artifact %q: SBOM: %v", name, err), Details{})
	}
	return VerifySBOM(name, data, Digest(sha256.Sum256(data)))
}

func (r *run) vulnerabilities(name string, a release.Artifact) Result {
	if a.Vulnerabilities == "" {
		return fail(CheckVulnerability, ReasonVulnReportMissing, fmt.Sprintf("artifact %q: the policy needs a vulnerability report and none is declared", name), Details{})
	}
	data, err := r.readLarge(a.Vulnerabilities)
	if err != nil {
		return fail(CheckVulnerability, ReasonVulnReportMissing, fmt.Sprintf("artifact %q: vulnerability report: %v", name, err), Details{})
	}
	return VerifyVulnerabilities(name, data, r.failOn)
}

func (r *run) config(name string, a release.Artifact) Result {
	var files []ConfigFile
	for _, ref := range a.Config {
		data, err := r.read(ref)
		if err != nil {
			return fail(CheckConfig, ReasonConfigMissing, fmt.Sprintf("artifact %q: configuration file: %v", name, err), Details{})
		}
		files = append(files, ConfigFile{Name: path.Base(ref), Data: data})
	}
	return ScanConfig(name, files, r.configPol)
}

func (r *run) manifest(versions map[string]string) Result {
	var m *Manifest
	if ref := r.pol.Manifest; ref != "" {
		data, err := r.read(ref)
		if err != nil {
			return fail(CheckManifest, ReasonManifestMalformed, fmt.Sprintf("manifest %s: %v", ref, err), Details{})
		}
		if m, err = ParseManifest(data); err != nil {
			return fail(CheckManifest, ReasonManifestMalformed, fmt.Sprintf("%s: %v", ref, err), Details{})
		}
	}
	return VerifyManifest(m, versions, r.in.Deployed, r.in.Targets)
}
