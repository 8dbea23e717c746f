package release

// Signature says how an artifact is signed: a Sigstore bundle verified against the trusted root
// and identities of the integrity policy, or a plain key signature (ed25519 / ECDSA, over the
// artifact's SHA-256 digest) by one of the policy's public keys. Exactly one form is used.
type Signature struct {
	// Bundle is where the Sigstore bundle (JSON) is, e.g. file://dist/ledger.sigstore.json.
	Bundle string `yaml:"bundle,omitempty" json:"bundle,omitempty"`
	// Sig is where the raw or base64 key signature is; Key names the policy key that made it.
	Sig string `yaml:"sig,omitempty" json:"sig,omitempty"`
	Key string `yaml:"key,omitempty" json:"key,omitempty"`
}

// Attestation is an in-toto attestation (SLSA provenance) about an artifact: a Sigstore bundle
// holding a DSSE envelope, or a DSSE envelope (JSON) signed by the policy key Key.
type Attestation struct {
	Bundle   string `yaml:"bundle,omitempty" json:"bundle,omitempty"`
	Envelope string `yaml:"envelope,omitempty" json:"envelope,omitempty"`
	Key      string `yaml:"key,omitempty" json:"key,omitempty"`
}

// Integrity is the release's artifact-integrity policy. Every artifact is verified under it
// before anything deploys; see integrity/ for what each check does.
type Integrity struct {
	// TrustedRoot is where the Sigstore trusted_root.json is (offline verification).
	TrustedRoot string `yaml:"trustedRoot,omitempty" json:"trustedRoot,omitempty"`
	// Identities are the signers Sigstore certificates must name (anchored regexps).
	Identities []SignerIdentity `yaml:"identities,omitempty" json:"identities,omitempty"`
	// RequireTransparencyLog demands a verified transparency-log entry in every bundle.
	RequireTransparencyLog bool `yaml:"requireTransparencyLog,omitempty" json:"requireTransparencyLog,omitempty"`
	// PublicKeys are the trusted keys of private pipelines.
	PublicKeys      []PublicKeyRef      `yaml:"publicKeys,omitempty" json:"publicKeys,omitempty"`
	Attestations    *AttestationRules   `yaml:"attestations,omitempty" json:"attestations,omitempty"`
	Licenses        *LicenseRules       `yaml:"licenses,omitempty" json:"licenses,omitempty"`
	Vulnerabilities *VulnerabilityRules `yaml:"vulnerabilities,omitempty" json:"vulnerabilities,omitempty"`
	SharedLibraries []SharedLibraryRule `yaml:"sharedLibraries,omitempty" json:"sharedLibraries,omitempty"`
	Config          *ConfigRules        `yaml:"config,omitempty" json:"config,omitempty"`
	// Manifest is where the release manifest (YAML or JSON list of expected components) is.
	Manifest string `yaml:"manifest,omitempty" json:"manifest,omitempty"`
}

// SignerIdentity is a Sigstore signer: certificate subject (SAN) and OIDC issuer patterns.
type SignerIdentity struct {
	Subject string `yaml:"subject" json:"subject"`
	Issuer  string `yaml:"issuer" json:"issuer"`
}

// PublicKeyRef is a trusted public key (PEM, PKIX) with an optional validity window (RFC 3339).
type PublicKeyRef struct {
	ID        string `yaml:"id" json:"id"`
	Ref       string `yaml:"ref" json:"ref"`
	NotBefore string `yaml:"notBefore,omitempty" json:"notBefore,omitempty"`
	NotAfter  string `yaml:"notAfter,omitempty" json:"notAfter,omitempty"`
}

// AttestationRules make provenance attestations required for every artifact.
type AttestationRules struct {
	PredicateTypes []string `yaml:"predicateTypes" json:"predicateTypes"`
	BuilderIDs     []string `yaml:"builderIds" json:"builderIds"`
}

// LicenseRules is the licence policy over every artifact's SBOM (SBOMs become required).
type LicenseRules struct {
	Allow []string `yaml:"allow,omitempty" json:"allow,omitempty"`
	Deny  []string `yaml:"deny,omitempty" json:"deny,omitempty"`
	// Owner reviews licences on neither list.
	Owner string `yaml:"owner" json:"owner"`
}

// VulnerabilityRules is the vulnerability threshold (reports become required).
type VulnerabilityRules struct {
	// FailOn is the lowest severity that blocks: low, medium, high or critical.
	FailOn string `yaml:"failOn" json:"failOn"`
}

// SharedLibraryRule says how one library's versions must agree across services.
type SharedLibraryRule struct {
	Name  string `yaml:"name" json:"name"`
	Match string `yaml:"match" json:"match"` // exact or major
}

// ConfigRules tunes the configuration scan.
type ConfigRules struct {
	// EnvironmentHosts maps an environment name to its hosts (".example.com" covers a domain).
	EnvironmentHosts map[string][]string `yaml:"environmentHosts,omitempty" json:"environmentHosts,omitempty"`
}
