package release

import (
	"regexp"
	"slices"
	"time"
)

// integrity checks the integrity policy and each artifact's integrity inputs against it, so a
// release that could only fail its integrity phase is refused at intake.
func (v *validator) integrity() {
	pol := v.spec.Integrity
	keys := v.integrityPolicy(pol)
	for i, svc := range v.spec.Services {
		v.artifactIntegrity(indexPath("services", i)+".artifact", svc.Artifact, pol, keys)
	}
}

// integrityPolicy validates the policy block and returns its key IDs.
func (v *validator) integrityPolicy(pol *Integrity) []string {
	if pol == nil {
		return nil
	}
	for i, id := range pol.Identities {
		p := indexPath("integrity.identities", i)
		v.pattern(p+".subject", id.Subject, "the certificate subject pattern, e.g. https://github.com/acme/.*")
		v.pattern(p+".issuer", id.Issuer, "the OIDC issuer pattern, e.g. https://token.actions.githubusercontent.com")
	}
	if len(pol.Identities) > 0 && pol.TrustedRoot == "" {
		v.add("integrity.trustedRoot", "required with identities: where trusted_root.json is")
	}
	var keys []string
	for i, k := range pol.PublicKeys {
		p := indexPath("integrity.publicKeys", i)
		if v.required(p+".id", k.ID, "the key ID artifacts name") {
			if slices.Contains(keys, k.ID) {
				v.add(p+".id", "duplicate key ID %q", k.ID)
			}
			keys = append(keys, k.ID)
		}
		v.required(p+".ref", k.Ref, "where the PEM public key is")
		v.timestamp(p+".notBefore", k.NotBefore)
		v.timestamp(p+".notAfter", k.NotAfter)
	}
	if a := pol.Attestations; a != nil {
		if len(a.PredicateTypes) == 0 {
			v.add("integrity.attestations.predicateTypes", "at least one allowed predicate type, e.g. https://slsa.dev/provenance/v1")
		}
		if len(a.BuilderIDs) == 0 {
			v.add("integrity.attestations.builderIds", "at least one trusted builder ID")
		}
	}
	if l := pol.Licenses; l != nil {
		v.required("integrity.licenses.owner", l.Owner, "who reviews licences on neither list")
		for i, id := range l.Deny {
			if slices.Contains(l.Allow, id) {
				v.add(indexPath("integrity.licenses.deny", i), "licence %q is both allowed and denied", id)
			}
		}
	}
	if vr := pol.Vulnerabilities; vr != nil && !slices.Contains([]string{"low", "medium", "high", "critical"}, vr.FailOn) {
		v.add("integrity.vulnerabilities.failOn", "invalid severity %q: want low, medium, high or critical", clip(vr.FailOn))
	}
	for i, r := range pol.SharedLibraries {
		p := indexPath("integrity.sharedLibraries", i)
		v.required(p+".name", r.Name, "the library name or package URL without version")
		if r.Match != "exact" && r.Match != "major" {
			v.add(p+".match", "invalid rule %q: want exact or major", clip(r.Match))
		}
	}
	return keys
}

// artifactIntegrity checks one artifact's signature, attestations and reports.
func (v *validator) artifactIntegrity(p string, a Artifact, pol *Integrity, keys []string) {
	if pol == nil {
		pol = &Integrity{}
	}
	if s := a.Signature; s != nil {
		switch {
		case s.Bundle != "" && (s.Sig != "" || s.Key != ""):
			v.add(p+".signature", "use either bundle or sig with key, not both")
		case s.Bundle != "" && (pol.TrustedRoot == "" || len(pol.Identities) == 0):
			v.add(p+".signature.bundle", "a Sigstore bundle needs integrity.trustedRoot and integrity.identities")
		case s.Bundle == "":
			v.required(p+".signature.sig", s.Sig, "where the key signature is (or a Sigstore bundle)")
			v.keyRef(p+".signature.key", s.Key, keys)
		}
	}
	for j, at := range a.Attestations {
		ap := indexPath(p+".attestations", j)
		switch {
		case at.Bundle != "" && at.Envelope != "":
			v.add(ap, "use either bundle or envelope with key, not both")
		case at.Bundle != "" && (pol.TrustedRoot == "" || len(pol.Identities) == 0):
			v.add(ap+".bundle", "a Sigstore bundle needs integrity.trustedRoot and integrity.identities")
		case at.Bundle == "":
			v.required(ap+".envelope", at.Envelope, "where the DSSE envelope is (or a Sigstore bundle)")
			v.keyRef(ap+".key", at.Key, keys)
		}
	}
	if len(a.Attestations) > 0 && pol.Attestations == nil {
		v.add(p+".attestations", "integrity.attestations must say which predicate types and builders are allowed")
	}
	if pol.Attestations != nil {
		if len(a.Attestations) == 0 {
			v.add(p+".attestations", "required: integrity.attestations asks for provenance of every artifact")
		}
		v.required(p+".source", a.Source, "the source repository the provenance must name, e.g. https://github.com/acme/ledger")
	}
	if (pol.Licenses != nil || len(pol.SharedLibraries) > 0) && a.SBOM == "" {
		v.add(p+".sbom", "required: the integrity policy checks licences or shared libraries from SBOMs")
	}
	if pol.Vulnerabilities != nil && a.Vulnerabilities == "" {
		v.add(p+".vulnerabilities", "required: where the vulnerability report (CycloneDX VEX or SARIF) is")
	}
	for j, c := range a.Config {
		v.required(indexPath(p+".config", j), c, "a configuration file of the deployable unit")
	}
}

func (v *validator) keyRef(p, key string, keys []string) {
	if v.required(p, key, "the ID of a key in integrity.publicKeys") && !slices.Contains(keys, key) {
		v.add(p, "unknown key %q%s", clip(key), didYouMean(key, keys))
	}
}

func (v *validator) pattern(p, re, what string) {
	if v.required(p, re, what) {
		if _, err := regexp.Compile(re); err != nil {
			v.add(p, "invalid pattern %q: %v", clip(re), err)
		}
	}
}

func (v *validator) timestamp(p, ts string) {
	if ts == "" {
		return
	}
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		v.add(p, "invalid time %q: want RFC 3339, e.g. 2027-01-01T00:00:00Z", clip(ts))
	}
}
