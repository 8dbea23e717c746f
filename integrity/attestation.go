package integrity

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// In-toto statement and payload types Tollgate accepts.
const (
	InTotoPayloadType = "application/vnd.in-toto+json"
	statementV1       = "https://in-toto.io/Statement/v1"
	statementV01      = "https://in-toto.io/Statement/v0.1"
	// SLSAProvenanceV1 is the SLSA v1 provenance predicate type.
	SLSAProvenanceV1 = "https://slsa.dev/provenance/v1"
	// SLSAProvenanceV02 is the SLSA v0.2 provenance predicate type.
	SLSAProvenanceV02 = "https://slsa.dev/provenance/v0.2"
)

// AttestationPolicy is what an attestation must say: its predicate type on the allow-list,
// built by one of the trusted builders.
type AttestationPolicy struct {
	PredicateTypes []string
	BuilderIDs     []string
}

// statement is an in-toto statement with the provenance fields of SLSA v0.2 and v1.
type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		// SLSA v1
		RunDetails struct {
			Builder struct {
				ID string `json:"id"`
			} `json:"builder"`
		} `json:"runDetails"`
		BuildDefinition struct {
			ExternalParameters struct {
				Workflow struct {
					Repository string `json:"repository"`
				} `json:"workflow"`
				Source string `json:"source"`
			} `json:"externalParameters"`
			ResolvedDependencies []struct {
				URI string `json:"uri"`
			} `json:"resolvedDependencies"`
		} `json:"buildDefinition"`
		// SLSA v0.2
		Builder struct {
			ID string `json:"id"`
		} `json:"builder"`
		Invocation struct {
			ConfigSource struct {
				URI string `json:"uri"`
			} `json:"configSource"`
		} `json:"invocation"`
	} `json:"predicate"`
}

// CheckStatement checks an attestation's content: an in-toto statement about digest, with an
// allowed predicate type, a trusted builder and the declared source repository. It does not
// check the signature; callers verify the envelope as well (VerifyAttestation* do both).
func (p AttestationPolicy) CheckStatement(artifact, payloadType string, payload []byte, digest Digest, source string) Result {
	d := Details{Digest: digest.String()}
	if payloadType != InTotoPayloadType {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation payload type %q: want %s", artifact, clip(payloadType), InTotoPayloadType), d)
	}
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: attestation is not an in-toto statement: %v", artifact, err), d)
	}
	if st.Type != statementV1 && st.Type != statementV01 {
		return fail(CheckAttestation, ReasonAttestationMalformed, fmt.Sprintf("artifact %q: statement type %q is not in-toto", artifact, clip(st.Type)), d)
	}
	want := strings.TrimPrefix(digest.String(), "sha256:")
	var subjects []string
	match := false
	for _, s := range st.Subject {
		subjects = append(subjects, "sha256:"+s.Digest["sha256"])
		match = match || s.Digest["sha256"] == want
	}
	if !match {
		return fail(CheckAttestation, ReasonAttestationSubject, fmt.Sprintf("artifact %q: attestation is about %s, not the artifact %s",
			artifact, clip(strings.Join(subjects, ", ")), digest.Short()), d)
	}
	if !slices.Contains(p.PredicateTypes, st.PredicateType) {
		return fail(CheckAttestation, ReasonPredicateType, fmt.Sprintf("artifact %q: predicate type %q is not allowed (allowed: %s)",
			artifact, clip(st.PredicateType), strings.Join(p.PredicateTypes, ", ")), d)
	}
	builder := st.Predicate.RunDetails.Builder.ID
	if builder == "" {
		builder = st.Predicate.Builder.ID
	}
	if !slices.Contains(p.BuilderIDs, builder) {
		return fail(CheckAttestation, ReasonBuilderMismatch, fmt.Sprintf("artifact %q: built by %q, which is not a trusted builder (%s)",
			artifact, clip(builder), strings.Join(p.BuilderIDs, ", ")), d)
	}
	if got := st.sources(); !slices.Contains(got, normalizeRepo(source)) {
		return fail(CheckAttestation, ReasonSourceMismatch, fmt.Sprintf("artifact %q: built from %s, not the declared source %q",
			artifact, clip(strings.Join(got, ", ")), source), d)
	}
	return pass(CheckAttestation, fmt.Sprintf("artifact %q: %s from %s by %s", artifact, st.PredicateType, source, builder), d)
}

// sources lists every repository the provenance names, normalized.
func (st *statement) sources() []string {
	pr := st.Predicate
	var out []string
	for _, u := range []string{pr.BuildDefinition.ExternalParameters.Workflow.Repository, pr.BuildDefinition.ExternalParameters.Source, pr.Invocation.ConfigSource.URI} {
		if u != "" {
			out = append(out, normalizeRepo(u))
		}
	}
	for _, dep := range pr.BuildDefinition.ResolvedDependencies {
		if strings.HasPrefix(dep.URI, "git+") {
			out = append(out, normalizeRepo(dep.URI))
		}
	}
	return out
}

// normalizeRepo reduces "git+https://github.com/acme/ledger.git@refs/heads/main" to
// "https://github.com/acme/ledger", the form a spec declares.
func normalizeRepo(u string) string {
	u = strings.TrimPrefix(strings.TrimSpace(u), "git+")
	if i := strings.LastIndex(u, "@"); i > strings.Index(u, "://")+2 && strings.Contains(u, "://") {
		u = u[:i]
	}
	return strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
}
