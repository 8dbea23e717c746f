package policy

import (
	"fmt"
	"time"
)

// Commit is one commit on the release branch, as read from git history.
type Commit struct {
	Hash    string    `json:"hash"`
	Time    time.Time `json:"time"`
	Subject string    `json:"subject"`
}

// CodeFreezeEvidence says whether the release branch stayed frozen.
type CodeFreezeEvidence struct {
	Frozen             bool   `json:"frozen"`
	FreezeAt           string `json:"freeze_at"`
	CommitsAfterFreeze int64  `json:"commits_after_freeze"`
	// Commits names up to ten offending commits as "hash subject".
	Commits []string `json:"commits"`
}

// CodeFreeze checks that no commit on the branch is later than the freeze. Commit time is the
// committer date: a rebase after the freeze is a change after the freeze.
func CodeFreeze(commits []Commit, freezeAt time.Time) CodeFreezeEvidence {
	ev := CodeFreezeEvidence{FreezeAt: freezeAt.UTC().Format(time.RFC3339), Commits: []string{}}
	for _, c := range commits {
		if c.Time.After(freezeAt) {
			ev.CommitsAfterFreeze++
			if len(ev.Commits) < 10 {
				h := c.Hash
				if len(h) > 12 {
					h = h[:12]
				}
				ev.Commits = append(ev.Commits, h+" "+c.Subject)
			}
		}
	}
	ev.Frozen = ev.CommitsAfterFreeze == 0
	return ev
}

// Document is what the collector found at a declared document path.
type Document struct {
	Name   string `json:"name"`
	Exists bool   `json:"exists"`
	Size   int64  `json:"size"`
}

// DocsEvidence says whether the named documents exist and are non-empty.
type DocsEvidence struct {
	Complete bool     `json:"complete"`
	Missing  []string `json:"missing"`
	Empty    []string `json:"empty"`
}

// DocsComplete checks every declared document exists and has content. No declared documents
// is not complete: an empty list proves nothing.
func DocsComplete(docs []Document) DocsEvidence {
	ev := DocsEvidence{Missing: []string{}, Empty: []string{}}
	for _, d := range docs {
		switch {
		case !d.Exists:
			ev.Missing = append(ev.Missing, d.Name)
		case d.Size == 0:
			ev.Empty = append(ev.Empty, d.Name)
		}
	}
	ev.Complete = len(docs) > 0 && len(ev.Missing) == 0 && len(ev.Empty) == 0
	return ev
}

// ProbeSample is one health probe of an environment.
type ProbeSample struct {
	At      time.Time `json:"at"`
	Healthy bool      `json:"healthy"`
}

// EnvironmentEvidence says whether an environment was healthy for the required window.
type EnvironmentEvidence struct {
	Stable         bool    `json:"stable"`
	WindowMinutes  float64 `json:"window_minutes"`
	HealthyMinutes float64 `json:"healthy_minutes"`
	Samples        int64   `json:"samples"`
	Unhealthy      int64   `json:"unhealthy"`
	Reason         string  `json:"reason"`
}

// EnvironmentStable checks that the probe samples cover [now-window, now] with no gap longer
// than maxGap and that every sample in the window is healthy. Sparse probing is not
// stability: an environment nobody looked at for an hour is not known to be healthy.
func EnvironmentStable(samples []ProbeSample, now time.Time, window, maxGap time.Duration) EnvironmentEvidence {
	ev := EnvironmentEvidence{WindowMinutes: window.Minutes()}
	start := now.Add(-window)
	var inWindow []ProbeSample
	lastBad := time.Time{}
	first := time.Time{}
	for _, s := range samples {
		if s.At.After(now) {
			continue
		}
		if first.IsZero() || s.At.Before(first) {
			first = s.At
		}
		if !s.Healthy && s.At.After(lastBad) {
			lastBad = s.At
		}
		if !s.At.Before(start) {
			inWindow = append(inWindow, s)
		}
	}
	switch {
	case !lastBad.IsZero():
		ev.HealthyMinutes = now.Sub(lastBad).Minutes()
	case !first.IsZero():
		ev.HealthyMinutes = now.Sub(first).Minutes()
	}
	ev.Samples = int64(len(inWindow))
	for _, s := range inWindow {
		if !s.Healthy {
			ev.Unhealthy++
		}
	}
	sortSamples(inWindow)
	switch {
	case len(inWindow) == 0:
		ev.Reason = fmt.Sprintf("no health probes in the last %s", window)
	case ev.Unhealthy > 0:
		ev.Reason = fmt.Sprintf("%d of %d probes unhealthy in the last %s", ev.Unhealthy, ev.Samples, window)
	case inWindow[0].At.Sub(start) > maxGap:
		ev.Reason = fmt.Sprintf("probes cover only the last %s of %s", now.Sub(inWindow[0].At).Round(time.Second), window)
	case now.Sub(inWindow[len(inWindow)-1].At) > maxGap:
		ev.Reason = fmt.Sprintf("last probe %s ago, more than the %s allowed gap", now.Sub(inWindow[len(inWindow)-1].At).Round(time.Second), maxGap)
	default:
		for i := 1; i < len(inWindow); i++ {
			if gap := inWindow[i].At.Sub(inWindow[i-1].At); gap > maxGap {
				ev.Reason = fmt.Sprintf("no probe for %s at %s, more than the %s allowed gap", gap.Round(time.Second), inWindow[i-1].At.UTC().Format(time.RFC3339), maxGap)
				return ev
			}
		}
		ev.Stable = true
	}
	return ev
}

func sortSamples(s []ProbeSample) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].At.Before(s[j-1].At); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
