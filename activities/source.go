package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

// MaxSourceAuthors bounds SourceChangeResult.Authors and Committers, and four times it
// Identities (a commit has up to four), all of which land in workflow history. Past it, or
// when GitHub could not list every commit, AuthorsTruncated is set and the workflow refuses the
// release: segregation of duties against a partial list would not hold.
const MaxSourceAuthors = 1000

// SourceChangeInput names the release and the compare range of its spec.
type SourceChangeInput struct {
	ReleaseID string         `json:"releaseId"`
	Source    release.Source `json:"source"`
	// HeadSHA is the commit readiness verified Source.Head at (CollectEvidenceResult.SourceSHA).
	// When set the compare runs to it, not to the name, and it is the result's HeadSHA, so the
	// commit compared and deployed is the one whose checks passed; empty compares the name.
	HeadSHA string `json:"headSha,omitempty"`
}

// SourceChangeResult is the change between base and head, kept small because it lands in
// workflow history: the head commit it was read at, the size (risk), the people (segregation
// of duties) and the earliest and latest commit times. The review's lead time runs from the
// earliest commit, so the times in between are not kept.
type SourceChangeResult struct {
	// HeadSHA is the commit source.head named when the compare was read. A branch can move;
	// readiness checks and deployments should use this commit, not the name.
	HeadSHA string `json:"headSha,omitempty"`
	Files   int    `json:"files"`
	// Lines is additions plus deletions.
	Lines int `json:"lines"`
	// SizeTruncated says GitHub listed only the first github.MaxCompareFiles changed files
	// (it lists no more): Files and Lines are then lower bounds, not the size. Size says so.
	SizeTruncated bool `json:"sizeTruncated,omitempty"`
	Commits       int  `json:"commits"`
	// Authors are the commit authors for display (GitHub login, else the git email); Committers
	// the same for committers, GitHub's own web-flow left out. Identities are every login and
	// every email of both, for segregation of duties: a person is matched by either. All three
	// are distinct ignoring case and sorted. AuthorsTruncated is set past MaxSourceAuthors and
	// when some commits could not be listed (Commits counts them all).
	Authors          []string `json:"authors"`
	Committers       []string `json:"committers"`
	Identities       []string `json:"identities"`
	AuthorsTruncated bool     `json:"authorsTruncated,omitempty"`
	// FirstCommit and LastCommit are the earliest and latest committer dates (the author date
	// where GitHub gives no committer date); zero without commits. The committer date is when
	// the commit as shipped was made: a rebase, cherry-pick or GitHub merge resets it, while
	// the author date keeps when the change was first written, which can be months earlier.
	FirstCommit time.Time `json:"firstCommit,omitzero"`
	LastCommit  time.Time `json:"lastCommit,omitzero"`
}

// Size is the change's size, marked as a lower bound when GitHub cut the file list.
func (r SourceChangeResult) Size() policy.ChangeSize {
	return policy.ChangeSize{Files: r.Files, Lines: r.Lines, Truncated: r.SizeTruncated}
}

// SourceChange asks GitHub's compare API for the change between the spec's base and head, the
// head pinned to in.HeadSHA when readiness verified a commit. A release that declares a source
// on a worker without GitHub fails for good: its risk and its segregation of duties would be
// judged without the change.
func (a *Activities) SourceChange(ctx context.Context, in SourceChangeInput) (SourceChangeResult, error) {
	gh := a.GitHub.Deployer
	if gh == nil {
		return SourceChangeResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"release %q declares source but github is not configured on this worker (TOLLGATE_GITHUB_TOKEN, TOLLGATE_GITHUB_REPO)",
			in.ReleaseID), ErrGitHubRefused, nil)
	}
	head := in.Source.Head
	if in.HeadSHA != "" {
		head = in.HeadSHA
	}
	cmp, err := gh.CompareCommits(ctx, in.Source.Base, head)
	if err != nil {
		if in.HeadSHA != "" {
			err = fmt.Errorf("source head %s at %s (the commit readiness verified): %w", in.Source.Head, in.HeadSHA, err)
		}
		return SourceChangeResult{}, githubError(err)
	}
	res := summarizeChange(cmp)
	if in.HeadSHA != "" {
		res.HeadSHA = in.HeadSHA
	}
	a.logger().InfoContext(ctx, "source change read", "release", in.ReleaseID, "base", in.Source.Base, "head", in.Source.Head,
		"headSha", res.HeadSHA, "size", res.Size().String(), "commits", res.Commits, "authors", len(res.Authors))
	return res, nil
}

// webFlowLogin and webFlowEmail are the committer GitHub records for commits it makes itself (merges, squashes and
// edits in its web interface): not a person, so no one to keep from approving.
const webFlowLogin, webFlowEmail = "web-flow", "noreply@github.com"

// summarizeChange keeps what the workflow needs of a comparison.
func summarizeChange(cmp github.Comparison) SourceChangeResult {
	res := SourceChangeResult{HeadSHA: cmp.HeadSHA, Files: cmp.Files, Lines: cmp.Additions + cmp.Deletions,
		SizeTruncated: cmp.FilesTruncated, Commits: max(len(cmp.Commits), cmp.TotalCommits)}
	res.AuthorsTruncated = len(cmp.Commits) < cmp.TotalCommits
	var authors, committers, ids names
	for _, c := range cmp.Commits {
		authors.add(loginOr(c.AuthorLogin, c.AuthorEmail))
		ids.add(c.AuthorLogin, c.AuthorEmail)
		if !strings.EqualFold(c.CommitterLogin, webFlowLogin) && !strings.EqualFold(c.CommitterEmail, webFlowEmail) {
			committers.add(loginOr(c.CommitterLogin, c.CommitterEmail))
			ids.add(c.CommitterLogin, c.CommitterEmail)
		}
		t := c.CommittedAt
		if t.IsZero() {
			t = c.AuthoredAt
		}
		if t = t.UTC(); !t.IsZero() {
			if res.FirstCommit.IsZero() || t.Before(res.FirstCommit) {
				res.FirstCommit = t
			}
			if t.After(res.LastCommit) {
				res.LastCommit = t
			}
		}
	}
	var cut bool
	res.Authors, cut = authors.sorted(MaxSourceAuthors)
	res.AuthorsTruncated = res.AuthorsTruncated || cut
	res.Committers, cut = committers.sorted(MaxSourceAuthors)
	res.AuthorsTruncated = res.AuthorsTruncated || cut
	res.Identities, cut = ids.sorted(4 * MaxSourceAuthors)
	res.AuthorsTruncated = res.AuthorsTruncated || cut
	return res
}

// loginOr is the login, else the email.
func loginOr(login, email string) string {
	if login != "" {
		return login
	}
	return email
}

// names collects distinct names ignoring case, the first spelling kept.
type names struct {
	seen map[string]bool
	list []string
}

func (n *names) add(ss ...string) {
	for _, s := range ss {
		if s == "" || n.seen[strings.ToLower(s)] {
			continue
		}
		if n.seen == nil {
			n.seen = map[string]bool{}
		}
		n.seen[strings.ToLower(s)] = true
		n.list = append(n.list, s)
	}
}

// sorted returns the names sorted ignoring case, at most limit of them, and whether some were
// cut; never nil, so an empty list is a list.
func (n *names) sorted(limit int) ([]string, bool) {
	out := append([]string{}, n.list...)
	slices.SortFunc(out, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	if len(out) > limit {
		return out[:limit], true
	}
	return out, false
}
