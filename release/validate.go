package release

import (
	"regexp"
	"slices"
	"time"
	// Embedded zone data: whether a spec's timeZone is valid must not depend on the host's
	// /usr/share/zoneinfo (absent in slim containers), nor differ between CLI and worker.
	_ "time/tzdata"
)

var (
	releaseIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	// dnsLabelRE is an RFC 1123 label: names end up in hostnames, metric labels and workflow IDs.
	dnsLabelRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	digestRE   = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

const dnsLabelRule = "use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit"

// Validate checks a spec and returns every problem at once as Problems, each with its field path
// (Line is 0: Parse fills lines in). Zero values that Normalize would default (a smoke check's
// expectStatus, a timeout) are accepted, so a spec built in code need not be normalized first.
func Validate(s *Spec) error {
	v := &validator{spec: s, zones: make(map[string]error)}
	v.metadata()
	v.services()
	v.dependencies()
	v.environments()
	v.waves()
	v.smokeURLs()
	v.approval()
	v.settings()
	v.integrity()
	v.strategies()
	v.readiness()
	v.governance()
	v.escalation()
	v.postDeploy()
	v.source()
	v.changeControl()
	return v.list.err()
}

// validator holds the spec under validation and what it has found.
type validator struct {
	problemSet
	spec  *Spec
	zones map[string]error // time.LoadLocation results: many environments share a zone
}

func (v *validator) required(path, value, what string) bool {
	if value == "" {
		v.add(path, "required: %s", what)
		return false
	}
	return true
}

func (v *validator) nonNegative(path string, d Duration) {
	if d < 0 {
		v.add(path, "must not be negative, got %s", d)
	}
}

func (v *validator) metadata() {
	m := v.spec.Metadata
	if v.required("metadata.id", m.ID, "the release ID, e.g. payments-2026.11.3") && !releaseIDRE.MatchString(m.ID) {
		v.add("metadata.id", "invalid release ID %q: use at most 128 letters, digits, '.', '_' or '-', starting with a letter or digit", clip(m.ID))
	}
	v.required("metadata.title", m.Title, "a title people will recognise the release by")
	v.required("metadata.owner", m.Owner, "the release manager who owns the release")
}

func (v *validator) approval() {
	a := v.spec.Approval
	if len(a.Approvers) == 0 {
		v.add("approval.approvers", "at least one approver is required")
	}
	var distinct []string
	for i, name := range a.Approvers {
		p := indexPath("approval.approvers", i)
		switch {
		case name == "":
			v.add(p, "required: an approver's name")
		case slices.Contains(distinct, name):
			v.add(p, "duplicate approver %q: each approver counts once towards the quorum", name)
		default:
			distinct = append(distinct, name)
		}
	}
	others := len(distinct)
	if slices.Contains(distinct, v.spec.Metadata.Owner) {
		others--
	}
	switch {
	case len(distinct) > 0 && (a.Required < 1 || a.Required > len(distinct)):
		v.add("approval.required", "must be between 1 and the number of approvers (%d), got %d", len(distinct), a.Required)
	case len(distinct) > 0 && a.Required > others:
		v.add("approval.required", "a quorum of %d cannot be reached without the owner %q: the owner may not approve "+
			"their own release, so the quorum must be reachable from the other approvers, of whom there are only %d",
			a.Required, v.spec.Metadata.Owner, others)
	}
	v.nonNegative("approval.timeout", a.Timeout)
}

func (v *validator) settings() {
	v.nonNegative("reviewDelay", v.spec.ReviewDelay)
	if n := v.spec.Deployment.MaxParallel; n < 0 {
		v.add("deployment.maxParallel", "must be at least 1, got %d", n)
	}
	v.required("handoff.contact", v.spec.Handoff.Contact, "who takes the release over after the review")
}

// vars checks the names of a vars mapping at path.
func (v *validator) vars(path string, vars map[string]string) {
	for _, name := range sortedKeys(vars) {
		p := fieldPath(path, name)
		switch {
		case IsBuiltinVar(name):
			v.add(p, "variable %q shadows the builtin Tollgate sets for every step; choose another name", name)
		case !varNameRE.MatchString(name):
			v.add(p, "invalid variable name %q: use upper-case letters, digits and '_', not starting with a digit", clip(name))
		}
	}
}

// location loads a time zone once per validation.
func (v *validator) location(name string) error {
	if err, ok := v.zones[name]; ok {
		return err
	}
	_, err := time.LoadLocation(name)
	v.zones[name] = err
	return err
}

// sortedKeys returns a map's keys sorted, so problems come out in a stable order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
