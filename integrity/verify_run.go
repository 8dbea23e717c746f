package integrity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/tollgate-dev/tollgate/release"
)

// run is one Verify call: the policy turned into verifiers once, then applied per artifact.
type run struct {
	ctx context.Context
	op  Opener
	in  Input
	pol *release.Integrity

	ring      Keyring
	ringErr   error
	sigstore  *SigstoreVerifier
	sigErr    error
	attest    AttestationPolicy
	failOn    Severity
	configPol ConfigPolicy
}

func (r *run) setup() {
	r.ring = Keyring{}
	for _, k := range r.pol.PublicKeys {
		pk, err := r.loadKey(k)
		if err != nil {
			r.ringErr = errors.Join(r.ringErr, err)
			continue
		}
		r.ring[k.ID] = pk
	}
	if r.pol.TrustedRoot != "" || r.in.Trusted != nil {
		trusted := r.in.Trusted
		if trusted == nil {
			data, err := r.read(r.pol.TrustedRoot)
			if err == nil {
				trusted, err = root.NewTrustedRootFromJSON(data)
			}
			if err != nil {
				r.sigErr = fmt.Errorf("trusted root %s: %w", r.pol.TrustedRoot, err)
			}
		}
		if r.sigErr == nil {
			ids := make([]Identity, len(r.pol.Identities))
			for i, id := range r.pol.Identities {
				ids[i] = Identity{Subject: id.Subject, Issuer: id.Issuer}
			}
			r.sigstore, r.sigErr = NewSigstoreVerifier(SigstorePolicy{Trusted: trusted, Identities: ids, RequireTlog: r.pol.RequireTransparencyLog})
		}
	} else {
		r.sigErr = errors.New("no trusted root configured (integrity.trustedRoot)")
	}
	if a := r.pol.Attestations; a != nil {
		r.attest = AttestationPolicy{PredicateTypes: a.PredicateTypes, BuilderIDs: a.BuilderIDs}
	}
	// With a report but no policy, high is the conservative default threshold.
	r.failOn = SeverityHigh
	if v := r.pol.Vulnerabilities; v != nil {
		s, err := ParseSeverity(v.FailOn)
		if err != nil {
			s = SeverityLow // an unreadable threshold blocks everything but "none"
		}
		r.failOn = s
	}
	if c := r.pol.Config; c != nil {
		r.configPol = ConfigPolicy{EnvironmentHosts: c.EnvironmentHosts}
	}
}

func (r *run) loadKey(k release.PublicKeyRef) (PublicKey, error) {
	data, err := r.read(k.Ref)
	if err != nil {
		return PublicKey{}, fmt.Errorf("public key %q: %w", k.ID, err)
	}
	var nb, na time.Time
	if k.NotBefore != "" {
		if nb, err = time.Parse(time.RFC3339, k.NotBefore); err != nil {
			return PublicKey{}, fmt.Errorf("public key %q: notBefore: %w", k.ID, err)
		}
	}
	if k.NotAfter != "" {
		if na, err = time.Parse(time.RFC3339, k.NotAfter); err != nil {
			return PublicKey{}, fmt.Errorf("public key %q: notAfter: %w", k.ID, err)
		}
	}
	return ParsePublicKeyPEM(k.ID, data, nb, na)
}

// read fetches a small side file whole.
func (r *run) read(ref string) ([]byte, error) {
	rc, err := r.op.Open(r.ctx, ref)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxSmallFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSmallFile {
		return nil, fmt.Errorf("%s: above the %d-byte limit", ref, MaxSmallFile)
	}
	return b, nil
}

// readLarge fetches an SBOM or report whole, up to MaxSBOMSize.
func (r *run) readLarge(ref string) ([]byte, error) {
	rc, err := r.op.Open(r.ctx, ref)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxSBOMSize+1))
	if err == nil && len(b) > MaxSBOMSize {
		err = fmt.Errorf("%s: above the %d-byte limit", ref, MaxSBOMSize)
	}
	return b, err
}

// digest streams the artifact and checks its digest.
func (r *run) digest(svc release.Service) (Digest, bool, Result) {
	name := svc.Name
	rc, err := r.op.Open(r.ctx, svc.Artifact.Ref)
	if err != nil {
		return Digest{}, false, fail(CheckDigest, ReasonFetchFailed, fmt.Sprintf("artifact %q: fetch %s: %v", name, svc.Artifact.Ref, err), Details{})
	}
	defer rc.Close()
	var progress func(int64)
	if r.in.Progress != nil {
		progress = func(n int64) { r.in.Progress(name, n) }
	}
	got, n, err := StreamDigest(rc, progress)
	if err != nil {
		return Digest{}, false, fail(CheckDigest, ReasonFetchFailed, fmt.Sprintf("artifact %q: read %s: %v", name, svc.Artifact.Ref, err), Details{})
	}
	return got, true, VerifyDigest(name, svc.Artifact.Digest, got, n)
}
