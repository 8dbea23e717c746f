package integrity

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/tollgate-dev/tollgate/release"
)

// Opener streams the content a reference names (integrations/artifacts.Fetcher is one).
type Opener interface {
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
}

// MaxSmallFile bounds the side files read whole: signatures, bundles, keys, configs.
const MaxSmallFile = 4 << 20

// Input is everything one verification of a release's artifacts needs.
type Input struct {
	Services []release.Service
	Policy   *release.Integrity
	// Deployed maps environment → service → version currently deployed there; Targets are the
	// environments the release deploys to.
	Deployed map[string]map[string]string
	Targets  []string
	Now      time.Time
	// Progress, when set, is called while an artifact streams (activities heartbeat from it).
	Progress func(service string, bytes int64)
	// Trusted replaces the trusted root named by the policy (tests use a virtual Sigstore).
	Trusted root.TrustedMaterial
}

// ArtifactReport is every check of one service's artifact.
type ArtifactReport struct {
	Service string   `json:"service"`
	Version string   `json:"version"`
	Ref     string   `json:"ref"`
	Digest  string   `json:"digest"`
	Passed  bool     `json:"passed"`
	Checks  []Result `json:"checks"`
}

// Report is the verification of a whole release: per artifact, then the checks that span
// services (shared libraries, manifest).
type Report struct {
	Passed    bool             `json:"passed"`
	Artifacts []ArtifactReport `json:"artifacts"`
	Release   []Result         `json:"release"`
}

// Failures lists every failed check as "service: message", for error messages.
func (r Report) Failures() []string {
	var out []string
	for _, a := range r.Artifacts {
		for _, c := range a.Checks {
			if !c.Passed {
				out = append(out, fmt.Sprintf("%s: %s [%s]", a.Service, c.Message, c.Reason))
			}
		}
	}
	for _, c := range r.Release {
		if !c.Passed {
			out = append(out, fmt.Sprintf("release: %s [%s]", c.Message, c.Reason))
		}
	}
	return out
}

// Verify runs every check on every artifact of the release. It never stops at the first
// failure: the report says everything that is wrong.
func Verify(ctx context.Context, op Opener, in Input) Report {
	pol := in.Policy
	if pol == nil {
		pol = &release.Integrity{}
	}
	r := &run{ctx: ctx, op: op, in: in, pol: pol}
	r.setup()
	var rep Report
	var sboms []ServiceSBOM
	versions := map[string]string{}
	for _, svc := range in.Services {
		ar, sbom := r.artifact(svc)
		rep.Artifacts = append(rep.Artifacts, ar)
		sboms = append(sboms, ServiceSBOM{Service: svc.Name, SBOM: sbom})
		versions[svc.Name] = svc.Version
	}
	if len(pol.SharedLibraries) > 0 {
		rules := make([]LibraryRule, len(pol.SharedLibraries))
		for i, l := range pol.SharedLibraries {
			rules[i] = LibraryRule{Name: l.Name, Match: l.Match}
		}
		rep.Release = append(rep.Release, VerifySharedLibraries(sboms, rules))
	}
	rep.Release = append(rep.Release, r.manifest(versions))
	rep.Passed = len(rep.Artifacts) > 0 && AllPassed(rep.Release)
	for _, a := range rep.Artifacts {
		rep.Passed = rep.Passed && a.Passed
	}
	return rep
}
