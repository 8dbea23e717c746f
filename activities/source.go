package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/release"
)

// MaxSourceAuthors bounds SourceChangeResult.Authors, which lands in workflow history. Past it,
// or when GitHub could not list every commit, AuthorsTruncated is set and the workflow refuses
// the release: segregation of duties against a partial author list would not hold.
const MaxSourceAuthors = 1000

// SourceChangeInput names the release and the compare range of its spec.
type SourceChangeInput struct {
	ReleaseID string         `json:"releaseId"`
	Source    release.Source `json:"source"`
}

// SourceChangeResult is the change between base and head, kept small because it lands in
// workflow history: the size (risk), the distinct authors (segregation of duties) and the
// earliest and latest commit times. The review's lead time runs from the earliest commit, so
// the times in between are not kept.
type SourceChangeResult struct {
	Files int `json:"files"`
	// Lines is additions plus deletions.
	Lines   int `json:"lines"`
	Commits int `json:"commits"`
	// Authors are the commit authors as GitHub reports them (login, else the git email),
	// distinct ignoring case and sorted; AuthorsTruncated is set past MaxSourceAuthors and when
	// some commits could not be listed (Commits counts them all).
	Authors          []string `json:"authors"`
	AuthorsTruncated bool     `json:"authorsTruncated,omitempty"`
	// FirstCommit and LastCommit are the earliest and latest author dates; zero without commits.
	FirstCommit time.Time `json:"firstCommit,omitzero"`
	LastCommit  time.Time `json:"lastCommit,omitzero"`
}

// SourceChange asks GitHub's compare API for the change between the spec's base and head. A
// release that declares a source on a worker without GitHub fails for good: its risk and its
// segregation of duties would be judged without the change.
func (a *Activities) SourceChange(ctx context.Context, in SourceChangeInput) (SourceChangeResult, error) {
	gh := a.GitHub.Deployer
	if gh == nil {
		return SourceChangeResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"release %q declares source but github is not configured on this worker (TOLLGATE_GITHUB_TOKEN, TOLLGATE_GITHUB_REPO)",
			in.ReleaseID), ErrGitHubRefused, nil)
	}
	cmp, err := gh.CompareCommits(ctx, in.Source.Base, in.Source.Head)
	if err != nil {
		return SourceChangeResult{}, githubError(err)
	}
	res := SourceChangeResult{Files: cmp.Files, Lines: cmp.Additions + cmp.Deletions, Commits: max(len(cmp.Commits), cmp.TotalCommits), Authors: []string{}}
	res.AuthorsTruncated = len(cmp.Commits) < cmp.TotalCommits
	seen := make(map[string]bool, len(cmp.Commits))
	for _, c := range cmp.Commits {
		if key := strings.ToLower(c.Author); c.Author != "" && !seen[key] {
			seen[key] = true
			res.Authors = append(res.Authors, c.Author)
		}
		if t := c.Time.UTC(); !c.Time.IsZero() {
			if res.FirstCommit.IsZero() || t.Before(res.FirstCommit) {
				res.FirstCommit = t
			}
			if t.After(res.LastCommit) {
				res.LastCommit = t
			}
		}
	}
	slices.SortFunc(res.Authors, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	if len(res.Authors) > MaxSourceAuthors {
		res.Authors, res.AuthorsTruncated = res.Authors[:MaxSourceAuthors], true
	}
	a.logger().InfoContext(ctx, "source change read", "release", in.ReleaseID, "base", in.Source.Base, "head", in.Source.Head,
		"files", res.Files, "lines", res.Lines, "commits", res.Commits, "authors", len(res.Authors))
	return res, nil
}
