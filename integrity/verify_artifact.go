package integrity

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/release"
)

// artifact runs every per-artifact check of one service.
func (r *run) artifact(svc release.Service) (ArtifactReport, *SBOM) {
	a := svc.Artifact
	rep := ArtifactReport{Service: svc.Name, Version: svc.Version, Ref: a.Ref}
	got, ok, dr := r.digest(svc)
	rep.Checks = append(rep.Checks, dr)
	if ok {
		rep.Digest = got.String()
	}
	// Signatures and attestations are checked against what was actually fetched: a signature
	// over the pinned digest says nothing about other bytes.
	var sbom *SBOM
	if !ok {
		rep.Checks = append(rep.Checks, fail(CheckSignature, ReasonFetchFailed, fmt.Sprintf("artifact %q: not verified: the artifact could not be read", svc.Name), Details{}))
	} else {
		rep.Checks = append(rep.Checks, r.signature(svc.Name, a, got))
		rep.Checks = append(rep.Checks, r.attestations(svc.Name, a, got)...)
	}
	if a.SBOM != "" || r.pol.Licenses != nil || len(r.pol.SharedLibraries) > 0 {
		var res Result
		sbom, res = r.sbom(svc.Name, a)
		rep.Checks = append(rep.Checks, res)
		if r.pol.Licenses != nil {
			l := r.pol.Licenses
			rep.Checks = append(rep.Checks, VerifyLicenses(svc.Name, sbom, LicensePolicy{Allow: l.Allow, Deny: l.Deny, Owner: l.Owner}))
		}
	}
	if a.Vulnerabilities != "" || r.pol.Vulnerabilities != nil {
		rep.Checks = append(rep.Checks, r.vulnerabilities(svc.Name, a))
	}
	if len(a.Config) > 0 {
		rep.Checks = append(rep.Checks, r.config(svc.Name, a))
	}
	rep.Passed = AllPassed(rep.Checks)
	return rep, sbom
}

func (r *run) signature(name string, a release.Artifact, d Digest) Result {
	s := a.Signature
	switch {
	case s == nil:
		return fail(CheckSignature, ReasonUnsigned, fmt.Sprintf("artifact %q: no signature declared", name), Details{Digest: d.String()})
	case s.Bundle != "":
		if r.sigstore == nil {
			return fail(CheckSignature, ReasonPolicyInvalid, fmt.Sprintf("artifact %q: sigstore: %v", name, r.sigErr), Details{Digest: d.String()})
		}
		data, err := r.read(s.Bundle)
		if err != nil {
			return fail(CheckSignature, ReasonFetchFailed, fmt.Sprintf("artifact %q: bundle: %v", name, err), Details{Digest: d.String()})
		}
		b, err := LoadBundle(data)
		if err != nil {
			return fail(CheckSignature, ReasonBadSignature, fmt.Sprintf("artifact %q: bundle %s: %v", name, s.Bundle, err), Details{Digest: d.String()})
		}
		return r.sigstore.VerifyBundle(name, b, d)
	}
	sig, err := r.read(s.Sig)
	if err != nil {
		return fail(CheckSignature, ReasonFetchFailed, fmt.Sprintf("artifact %q: signature: %v", name, err), Details{Digest: d.String(), KeyID: s.Key})
	}
	res := VerifyKeySignature(name, d, sig, s.Key, r.ring, r.in.Now)
	if res.Reason == ReasonUntrustedKey && r.ringErr != nil {
		res.Message += fmt.Sprintf(" (some keys could not be loaded: %v)", r.ringErr)
	}
	return res
}

func (r *run) attestations(name string, a release.Artifact, d Digest) []Result {
	if r.pol.Attestations == nil {
		if len(a.Attestations) > 0 {
			return []Result{fail(CheckAttestation, ReasonPolicyInvalid, fmt.Sprintf("artifact %q: attestations given but no attestation policy to check them against", name), Details{})}
		}
		return nil
	}
	if len(a.Attestations) == 0 {
		return []Result{fail(CheckAttestation, ReasonAttestationMissing, fmt.Sprintf("artifact %q: the policy requires provenance and none is declared", name), Details{Digest: d.String()})}
	}
	var out []Result
	for _, at := range a.Attestations {
		ref := at.Envelope
		if at.Bundle != "" {
			ref = at.Bundle
		}
		data, err := r.read(ref)
		if err != nil {
			out = append(out, fail(CheckAttestation, ReasonFetchFailed, fmt.Sprintf("artifact %q: attestation: %v", name, err), Details{}))
			continue
		}
		if at.Bundle == "" {
			out = append(out, VerifyAttestationEnvelope(name, data, at.Key, r.ring, r.in.Now, d, r.attest, a.Source))
			continue
		}
		if r.sigstore == nil {
			out = append(out, fail(CheckAttestation, ReasonPolicyInvalid, fmt.Sprintf("artifact %q: sigstore: %v", name, r.sigErr), Details{}))
			continue
		}
		b, err := LoadBundle(data)
		if err != nil {
			out = append(out, fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: bundle %s: %v", name, at.Bundle, err), Details{}))
			continue
		}
		out = append(out, r.sigstore.VerifyAttestationBundle(name, b, d, r.attest, a.Source))
	}
	return out
}
