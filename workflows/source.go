package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/risk"
)

// sourceChange marks the compare step at the start of the risk phase. Only releases whose spec
// declares a source ask for the marker, so every other history stays as it was.
const (
	sourceChange        = "source-change"
	sourceChangeVersion = 1
)

// sourceAttempts bounds the compare's retries: a GitHub that keeps failing ends the release
// instead of holding it in the risk phase for ever.
const sourceAttempts = 10

// SourceStatus is the release's change in source control as the status query shows it.
type SourceStatus struct {
	Base string `json:"base"`
	Head string `json:"head"`
	// HeadSHA is the commit head named when the compare was read: deployments point at it, so
	// a branch that moves afterwards changes nothing that was reviewed.
	HeadSHA string `json:"headSha,omitempty"`
	Files   int    `json:"files"`
	Lines   int    `json:"lines"`
	// SizeTruncated: GitHub listed only its first 300 changed files, Files and Lines are lower bounds.
	SizeTruncated bool `json:"sizeTruncated,omitempty"`
	Commits       int  `json:"commits"`
	// Authors and Committers are shown; Identities (every login and email of both) may not
	// approve the release (segregation of duties).
	Authors     []string  `json:"authors"`
	Committers  []string  `json:"committers,omitempty"`
	Identities  []string  `json:"identities,omitempty"`
	FirstCommit time.Time `json:"firstCommit,omitzero"`
	LastCommit  time.Time `json:"lastCommit,omitzero"`
}

// readSource asks GitHub for the change between the spec's base and head, before the risk is
// assessed: its size feeds the risk score, its authors segregation of duties, its commit times
// the review's lead time. A compare that fails ends the release: judging risk and approvers
// without the change the spec declares would not be governance.
func (r *releaseRun) readSource(ctx workflow.Context) (Outcome, string, bool) {
	src := r.spec.Source
	if src == nil || workflow.GetVersion(ctx, sourceChange, workflow.DefaultVersion, sourceChangeVersion) == workflow.DefaultVersion {
		return "", "", true
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute, MaximumAttempts: sourceAttempts},
	})
	var a *activities.Activities
	var res activities.SourceChangeResult
	in := activities.SourceChangeInput{ReleaseID: r.spec.Metadata.ID, Source: *src}
	if rd := r.status.Readiness; rd != nil {
		in.HeadSHA = rd.SourceSHA // the commit whose checks readiness verified
	}
	err := workflow.ExecuteActivity(actx, a.SourceChange, in).Get(ctx, &res)
	if err != nil {
		return OutcomeInvalid, "source: " + errorMessage(err), false
	}
	if res.AuthorsTruncated {
		// Fail closed: an unlisted author could approve their own change.
		return OutcomeInvalid, fmt.Sprintf("source: GitHub could not list every author of %s...%s (%d commits): segregation of duties cannot be checked; narrow the range",
			src.Base, src.Head, res.Commits), false
	}
	r.status.Source = &SourceStatus{Base: src.Base, Head: src.Head, HeadSHA: res.HeadSHA, Files: res.Files, Lines: res.Lines,
		SizeTruncated: res.SizeTruncated, Commits: res.Commits, Authors: res.Authors, Committers: res.Committers,
		Identities: res.Identities, FirstCommit: res.FirstCommit, LastCommit: res.LastCommit}
	head := src.Head
	if res.HeadSHA != "" && res.HeadSHA != src.Head {
		head += " (" + res.HeadSHA + ")"
	}
	msg := fmt.Sprintf("source %s...%s: %d commit(s), %s; authors: %s",
		src.Base, head, res.Commits, res.Size(), orText(strings.Join(res.Authors, ", "), "none reported"))
	r.event(ctx, "source", "", msg)
	r.audit(ctx, "source", "", msg, r.status.Source)
	return "", "", true
}

// changeSize is the source's size for the risk model; nil (unknown) without a source.
func (r *releaseRun) changeSize() *risk.ChangeSize {
	s := r.status.Source
	if s == nil {
		return nil
	}
	return &risk.ChangeSize{Files: s.Files, Lines: s.Lines}
}

// authors are the spec's authors and the source's commit authors, each once ignoring case, the
// spec's first. Update validators call it, so it only reads state.
func (r *releaseRun) authors() []string {
	out := make([]string, 0, len(r.spec.Authors))
	add := func(names []string) {
		for _, n := range names {
			if n != "" && !containsFold(out, n) {
				out = append(out, n)
			}
		}
	}
	add(r.spec.Authors)
	if s := r.status.Source; s != nil {
		add(s.Authors)
		add(s.Identities)
	}
	return out
}

// sourceCommitTimes are the source's earliest and latest commit times, for the review's lead
// time (which runs from the earliest).
func (r *releaseRun) sourceCommitTimes() []time.Time {
	s := r.status.Source
	if s == nil {
		return nil
	}
	var out []time.Time
	for _, t := range []time.Time{s.FirstCommit, s.LastCommit} {
		if !t.IsZero() && (len(out) == 0 || !out[0].Equal(t)) {
			out = append(out, t)
		}
	}
	return out
}

// sourceRef is the source's head, what GitHub deployments point at when the spec declares one:
// the commit it named when the compare was read, else the name itself.
func (r *releaseRun) sourceRef() (string, bool) {
	if s := r.status.Source; s != nil && s.HeadSHA != "" {
		return s.HeadSHA, true
	}
	if s := r.spec.Source; s != nil && s.Head != "" {
		return s.Head, true
	}
	return "", false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
