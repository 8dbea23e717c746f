package policy

import "slices"

// SourceCheck is one check run or commit status reported for the release's head commit.
type SourceCheck struct {
	Name string `json:"name"`
	// Conclusion is the check run's conclusion (or its status while it runs) or the commit
	// status's state.
	Conclusion string `json:"conclusion"`
	Passed     bool   `json:"passed"`
}

// SourceEvidence says whether the checks on the release's head commit passed.
type SourceEvidence struct {
	Head   string        `json:"head"`
	Checks []SourceCheck `json:"checks"`
	// Failed names the reported checks that did not pass (failed, cancelled, still running),
	// each once; Missing the required checks nothing reported.
	Failed    []string `json:"failed"`
	Missing   []string `json:"missing"`
	AllPassed bool     `json:"all_passed"`
}

// SourceChecks judges the check runs and commit statuses reported for head against the
// required check names. Every reported check must pass, and a name reported twice (as a check
// run and as a commit status) must pass both times; every required name must be reported. No
// reported check at all is not a pass: an empty list proves nothing.
func SourceChecks(head string, checks []SourceCheck, required []string) SourceEvidence {
	ev := SourceEvidence{Head: head, Checks: append([]SourceCheck{}, checks...), Failed: []string{}, Missing: []string{}}
	reported := make(map[string]bool, len(checks))
	for _, c := range checks {
		reported[c.Name] = true
		if !c.Passed && !slices.Contains(ev.Failed, c.Name) {
			ev.Failed = append(ev.Failed, c.Name)
		}
	}
	for _, name := range required {
		if !reported[name] && !slices.Contains(ev.Missing, name) {
			ev.Missing = append(ev.Missing, name)
		}
	}
	ev.AllPassed = len(checks) > 0 && len(ev.Failed) == 0 && len(ev.Missing) == 0
	return ev
}
