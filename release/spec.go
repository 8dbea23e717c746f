// Package release holds Tollgate's vocabulary: the versioned release spec, its validation with
// file, line and field path, and the service dependency graph. It performs no I/O beyond
// reading the spec file the caller names.
package release

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// APIVersion is the only spec version this build understands.
const APIVersion = "tollgate.dev/v1"

// Kind is the spec kind for a release.
const Kind = "Release"

// Defaults applied by Normalize when a field is omitted.
const (
	DefaultReviewDelay     = 24 * time.Hour
	DefaultApprovalTimeout = 72 * time.Hour
	DefaultMaxParallel     = 4
	DefaultSmokeTimeout    = 5 * time.Second
)

// Spec is a release as written by its release manager.
type Spec struct {
	APIVersion   string        `yaml:"apiVersion" json:"apiVersion"`
	Kind         string        `yaml:"kind" json:"kind"`
	Metadata     Metadata      `yaml:"metadata" json:"metadata"`
	Services     []Service     `yaml:"services" json:"services"`
	Environments []Environment `yaml:"environments" json:"environments"`
	Waves        []Wave        `yaml:"waves" json:"waves"`
	Approval     Approval      `yaml:"approval" json:"approval"`
	Deployment   Deployment    `yaml:"deployment,omitempty" json:"deployment"`
	// Analysis holds the health-gate templates that service strategies name (spec_strategy.go).
	Analysis *Analysis `yaml:"analysis,omitempty" json:"analysis,omitempty"`
	// ReviewDelay is how long after the last wave the review waits (default 24h).
	ReviewDelay Duration `yaml:"reviewDelay,omitempty" json:"reviewDelay"`
	Handoff     Handoff  `yaml:"handoff" json:"handoff"`
	// Integrity is the artifact-integrity policy (spec_integrity.go).
	Integrity *Integrity `yaml:"integrity,omitempty" json:"integrity,omitempty"`
	// Readiness, Evidence, RollbackPrerequisites and PreDeploy declare the gates between intake
	// and approval (spec_readiness.go). omitzero keeps the digest of specs without them stable.
	Readiness             ReadinessSpec `yaml:"readiness,omitempty" json:"readiness,omitzero"`
	Evidence              EvidenceSpec  `yaml:"evidence,omitempty" json:"evidence,omitzero"`
	RollbackPrerequisites RollbackSpec  `yaml:"rollbackPrerequisites,omitempty" json:"rollbackPrerequisites,omitzero"`
	PreDeploy             PreDeploySpec `yaml:"preDeploy,omitempty" json:"preDeploy,omitzero"`
	// Emergency, Mitigation and Authors feed change governance (spec_governance.go).
	Emergency  bool        `yaml:"emergency,omitempty" json:"emergency,omitempty"`
	Mitigation *Mitigation `yaml:"mitigation,omitempty" json:"mitigation,omitempty"`
	Authors    []string    `yaml:"authors,omitempty" json:"authors,omitempty"`
	// PostDeploy and Commits drive the health watch, the review's DORA figures (spec_postdeploy.go).
	PostDeploy *PostDeploy `yaml:"postDeploy,omitempty" json:"postDeploy,omitempty"`
	Commits    []Commit    `yaml:"commits,omitempty" json:"commits,omitempty"`
	// Source is the release's change in source control (spec_source.go); ChangeControl makes
	// the Jira change request authoritative (spec_changecontrol.go).
	Source        *Source        `yaml:"source,omitempty" json:"source,omitempty"`
	ChangeControl *ChangeControl `yaml:"changeControl,omitempty" json:"changeControl,omitempty"`
}

// Metadata identifies a release and its release manager.
type Metadata struct {
	// ID is the release ID and the Temporal workflow ID: letters, digits, '.', '_' and '-'.
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Owner       string `yaml:"owner" json:"owner"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// Service is one deployable unit of the release.
type Service struct {
	Name      string            `yaml:"name" json:"name"`
	Version   string            `yaml:"version" json:"version"`
	Artifact  Artifact          `yaml:"artifact" json:"artifact"`
	DependsOn []string          `yaml:"dependsOn,omitempty" json:"dependsOn,omitempty"`
	Runbook   Runbook           `yaml:"runbook" json:"runbook"`
	Smoke     []SmokeCheck      `yaml:"smoke,omitempty" json:"smoke,omitempty"`
	Vars      map[string]string `yaml:"vars,omitempty" json:"vars,omitempty"`
	// Strategy is how the service rolls out in each environment; nil: the runbook in one step.
	Strategy *Strategy `yaml:"strategy,omitempty" json:"strategy,omitempty"`
	// Owner is the owning team and Migration marks a database migration; risk reads both.
	Owner     string `yaml:"owner,omitempty" json:"owner,omitempty"`
	Migration bool   `yaml:"migration,omitempty" json:"migration,omitempty"`
	// OpenAPI is a reference (like an artifact's) to the service's OpenAPI document for this
	// version; it is attached to the version and diffed against the previous one.
	OpenAPI string `yaml:"openapi,omitempty" json:"openapi,omitempty"`
}

// Artifact is an immutable reference to what a service deploys.
type Artifact struct {
	Ref    string `yaml:"ref" json:"ref"`
	Digest string `yaml:"digest" json:"digest"`
	// The fields below feed the integrity checks (spec_integrity.go).
	Source          string        `yaml:"source,omitempty" json:"source,omitempty"`
	Signature       *Signature    `yaml:"signature,omitempty" json:"signature,omitempty"`
	Attestations    []Attestation `yaml:"attestations,omitempty" json:"attestations,omitempty"`
	SBOM            string        `yaml:"sbom,omitempty" json:"sbom,omitempty"`
	Vulnerabilities string        `yaml:"vulnerabilities,omitempty" json:"vulnerabilities,omitempty"`
	Config          []string      `yaml:"config,omitempty" json:"config,omitempty"`
}

// Runbook holds the shell commands of a service's steps. Each runs with `sh -c` and receives
// RELEASE_ID, SERVICE, VERSION, ENVIRONMENT, REGION, STEP, IDEMPOTENCY_KEY and the vars.
type Runbook struct {
	Deploy   string `yaml:"deploy" json:"deploy"`
	Verify   string `yaml:"verify,omitempty" json:"verify,omitempty"`
	Rollback string `yaml:"rollback" json:"rollback"`
	// Timeout bounds one run of one step (default 10m).
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
}

// SmokeCheck is an HTTP check run right after a service is deployed to an environment.
// URL may reference ${VARS} of the environment and service.
type SmokeCheck struct {
	Name         string   `yaml:"name" json:"name"`
	URL          string   `yaml:"url" json:"url"`
	ExpectStatus int      `yaml:"expectStatus,omitempty" json:"expectStatus"`
	BodyContains string   `yaml:"bodyContains,omitempty" json:"bodyContains,omitempty"`
	MaxLatency   Duration `yaml:"maxLatency,omitempty" json:"maxLatency"`
	// Steps make the check a multi-step smoke workflow (spec_postdeploy.go); URL is then unused.
	Steps []SmokeStep `yaml:"steps,omitempty" json:"steps,omitempty"`
}

// Environment is a deployment target.
type Environment struct {
	Name     string            `yaml:"name" json:"name"`
	Region   string            `yaml:"region" json:"region"`
	TimeZone string            `yaml:"timeZone" json:"timeZone"`
	Vars     map[string]string `yaml:"vars,omitempty" json:"vars,omitempty"`
	// Production marks an environment that serves users (GitHub's production_environment);
	// unset, an environment named "production" or "prod…" is one.
	Production *bool `yaml:"production,omitempty" json:"production,omitempty"`
}

// IsProduction says whether the environment serves users.
func (e Environment) IsProduction() bool {
	if e.Production != nil {
		return *e.Production
	}
	return strings.HasPrefix(strings.ToLower(e.Name), "prod")
}

// Wave is an ordered group of environments; the environments of one wave deploy in parallel.
type Wave struct {
	Name         string   `yaml:"name" json:"name"`
	Environments []string `yaml:"environments" json:"environments"`
}

// Approval is the foundation approval policy: a quorum of distinct approvers from a list.
type Approval struct {
	Approvers []string `yaml:"approvers" json:"approvers"`
	Required  int      `yaml:"required" json:"required"`
	// Timeout ends the release as "approval expired" when the quorum is not reached in time.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
	// RemindEvery repeats the request to those who have not answered (0: no reminders).
	RemindEvery Duration `yaml:"remindEvery,omitempty" json:"remindEvery,omitempty"`
	// EscalateAfter hands the request to EscalateTo when the quorum is still missing.
	EscalateAfter Duration `yaml:"escalateAfter,omitempty" json:"escalateAfter,omitempty"`
	EscalateTo    string   `yaml:"escalateTo,omitempty" json:"escalateTo,omitempty"`
}

// Deployment tunes how waves run.
type Deployment struct {
	// MaxParallel bounds how many services of one environment deploy at once.
	MaxParallel int `yaml:"maxParallel,omitempty" json:"maxParallel"`
	// WaveBake is how long to watch a finished wave before the next one starts.
	WaveBake Duration `yaml:"waveBake,omitempty" json:"waveBake,omitempty"`
	// OnConflict says what a wave does when another running release holds one of its targets
	// (a service in an environment): "wait" (default) until it is free, or "refuse" and end.
	OnConflict string `yaml:"onConflict,omitempty" json:"onConflict,omitempty"`
}

// Conflict policies for Deployment.OnConflict.
const (
	OnConflictWait   = "wait"
	OnConflictRefuse = "refuse"
)

// Handoff names who takes the release over after the review.
type Handoff struct {
	Contact string `yaml:"contact" json:"contact"`
	Channel string `yaml:"channel,omitempty" json:"channel,omitempty"`
	// Members may acknowledge the handoff when no directory names the Contact group; Remind,
	// EscalateAfter and EscalateTo chase an unacknowledged one (spec_postdeploy.go).
	Members       []string `yaml:"members,omitempty" json:"members,omitempty"`
	RemindEvery   Duration `yaml:"remindEvery,omitempty" json:"remindEvery,omitempty"`
	EscalateAfter Duration `yaml:"escalateAfter,omitempty" json:"escalateAfter,omitempty"`
	EscalateTo    string   `yaml:"escalateTo,omitempty" json:"escalateTo,omitempty"`
}

// Duration is a time.Duration written as "90s", "15m" or "24h" in YAML and JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration the way it is written in a spec.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("want a duration such as \"30s\" or \"24h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: want a duration such as \"30s\" or \"24h\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
