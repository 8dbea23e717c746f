package release

// The release's change in source control (declared in spec.go, optional so that specs without
// it keep their digest). It needs the GitHub integration on the worker:
//
//	source:
//	  base: v1.4.0            # the previous release's tag or commit
//	  head: 9f2c4e1…          # this release's commit; GitHub deployments point at it
//	  checks:
//	    owner: platform       # makes "every check on head passed" a blocking readiness criterion
//	    required: [build, test]   # checks that must be reported (and pass)
//
// The compare API between base and head gives the change size (risk), the commit authors
// (segregation of duties: none of them may approve) and the commit times (lead time).

// Source is the compare range of the release and the checks required on its head.
type Source struct {
	Base   string       `yaml:"base" json:"base"`
	Head   string       `yaml:"head" json:"head"`
	Checks SourceChecks `yaml:"checks,omitempty" json:"checks,omitzero"`
}

// SourceChecks is the readiness criterion over the head's check runs and commit statuses; it
// is on when Owner is set.
type SourceChecks struct {
	Owner string `yaml:"owner" json:"owner"`
	// Required names checks that must be reported; every reported check must pass as well.
	Required []string `yaml:"required,omitempty" json:"required,omitempty"`
}
