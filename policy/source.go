package policy

import (
	"fmt"
	"slices"
)

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
	// Head is source.head as the spec names it; SHA the commit it named when the change was
	// read, whose checks these are (empty when the checks were read by Head itself).
	Head   string        `json:"head"`
	SHA    string        `json:"sha,omitempty"`
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

// ChangeSize is the size of the release's change as GitHub's compare reports it. GitHub lists at
// most 300 changed files for a comparison and offers no way to page further; Truncated says it
// listed that many, so Files and Lines count only the listed files and are lower bounds.
type ChangeSize struct {
	Files     int  `json:"files"`
	Lines     int  `json:"lines"`
	Truncated bool `json:"truncated,omitempty"`
}

// String is the size for messages and explanations, saying when it is only a lower bound:
// "12 files, 340 lines", or "at least 300 files, at least 9120 lines (GitHub lists only the
// first 300 changed files)".
func (s ChangeSize) String() string {
	if !s.Truncated {
		return fmt.Sprintf("%d files, %d lines", s.Files, s.Lines)
	}
	return fmt.Sprintf("at least %d files, at least %d lines (GitHub lists only the first %d changed files)", s.Files, s.Lines, s.Files)
}
