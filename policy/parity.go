package policy

import "fmt"

// SuiteIdentity identifies the test conditions an environment passed: the suite, its version
// and a hash of its configuration.
type SuiteIdentity struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	ConfigHash string `json:"configHash"`
}

// ParityEvidence says whether staging and canary passed identical test conditions.
type ParityEvidence struct {
	Identical bool `json:"identical"`
	// Differences names each differing field: `version: staging "2.3.1", canary "2.3.0"`.
	Differences []string `json:"differences"`
}

// Parity compares the suite identities of staging and canary. An empty field on either side is
// a difference: an unknown configuration hash cannot be shown identical.
func Parity(staging, canary SuiteIdentity) ParityEvidence {
	ev := ParityEvidence{Differences: []string{}}
	for _, f := range []struct{ field, s, c string }{
		{"name", staging.Name, canary.Name},
		{"version", staging.Version, canary.Version},
		{"configHash", staging.ConfigHash, canary.ConfigHash},
	} {
		switch {
		case f.s == "" || f.c == "":
			ev.Differences = append(ev.Differences, fmt.Sprintf("%s: staging %q, canary %q (unknown on one side)", f.field, f.s, f.c))
		case f.s != f.c:
			ev.Differences = append(ev.Differences, fmt.Sprintf("%s: staging %q, canary %q", f.field, f.s, f.c))
		}
	}
	ev.Identical = len(ev.Differences) == 0
	return ev
}
