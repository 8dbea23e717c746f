package integrity

import (
	"fmt"
	"slices"

	"github.com/github/go-spdx/v2/spdxexp"
)

// LicensePolicy says which licences components may carry. A component whose expression can be
// satisfied from Allow passes; one whose every choice needs a Denied licence is denied; anything
// else (no licence, an unparseable expression, a licence on neither list) needs review by Owner.
type LicensePolicy struct {
	Allow []string
	Deny  []string
	// Owner is who reviews unknown licences, named in the failure so the right person acts.
	Owner string
}

// LicenseVerdict classifies one component's licence.
type LicenseVerdict int

// Licence verdicts.
const (
	LicenseAllowed LicenseVerdict = iota
	LicenseDenied
	LicenseUnknown
)

// Classify decides one SPDX expression.
func (p LicensePolicy) Classify(expr string) (LicenseVerdict, string) {
	if expr == "" {
		return LicenseUnknown, "no licence declared"
	}
	ids, err := spdxexp.ExtractLicenses(expr)
	if err != nil || len(ids) == 0 {
		return LicenseUnknown, fmt.Sprintf("licence expression %q cannot be parsed", clip(expr))
	}
	if len(p.Allow) > 0 {
		if ok, err := spdxexp.Satisfies(expr, p.Allow); err == nil && ok {
			return LicenseAllowed, ""
		}
	}
	// Denied only if no choice avoids the deny list; "MIT OR GPL-3.0-only" with GPL denied still
	// has MIT, which then decides.
	var rest []string
	for _, id := range ids {
		if !slices.Contains(p.Deny, id) {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return LicenseDenied, fmt.Sprintf("licence %q is denied", clip(expr))
	}
	if ok, err := spdxexp.Satisfies(expr, rest); err == nil && !ok {
		return LicenseDenied, fmt.Sprintf("licence %q requires a denied licence", clip(expr))
	}
	return LicenseUnknown, fmt.Sprintf("licence %q is on neither the allow nor the deny list", clip(expr))
}

// VerifyLicenses applies the policy to every component of an SBOM. Denied licences fail with
// ReasonLicenseDenied; otherwise unknown ones fail with ReasonLicenseNeedsReview naming the owner.
func VerifyLicenses(artifact string, s *SBOM, p LicensePolicy) Result {
	if s == nil {
		return fail(CheckLicense, ReasonSBOMMissing, fmt.Sprintf("artifact %q: no SBOM to check licences against", artifact), Details{})
	}
	var denied, unknown []string
	for _, c := range s.Components {
		v, why := p.Classify(c.License)
		line := fmt.Sprintf("%s %s: %s", c.Name, c.Version, why)
		switch v {
		case LicenseDenied:
			denied = append(denied, line)
		case LicenseUnknown:
			unknown = append(unknown, line)
		}
	}
	switch {
	case len(denied) > 0:
		return fail(CheckLicense, ReasonLicenseDenied, fmt.Sprintf("artifact %q: %d component(s) with a denied licence, first: %s", artifact, len(denied), denied[0]),
			Details{Findings: capFindings(append(denied, unknown...))})
	case len(unknown) > 0:
		owner := p.Owner
		if owner == "" {
			owner = "the licence owner (none configured)"
		}
		return fail(CheckLicense, ReasonLicenseNeedsReview, fmt.Sprintf("artifact %q: %d component(s) need licence review by %s, first: %s", artifact, len(unknown), owner, unknown[0]),
			Details{Findings: capFindings(unknown)})
	}
	return pass(CheckLicense, fmt.Sprintf("artifact %q: all %d component licences allowed", artifact, len(s.Components)), Details{})
}
