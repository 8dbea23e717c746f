package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// maxComparePages bounds the compare's commit pages (100 commits each) read after the first
// answer, when that answer could not hold every commit.
const maxComparePages = 20

// CompareCommits implements Deployer. The first request is unpaged: GitHub then lists up to
// 250 commits, the last of them the comparison's most recent, so it names the head commit,
// and it lists the files (up to MaxCompareFiles; files come only with a first answer). A longer
// comparison is then paged from its oldest commit against that head SHA, not the head name, so
// a branch pushed to meanwhile cannot mix two histories; past maxComparePages TotalCommits says
// how many were left out.
func (c *Client) CompareCommits(ctx context.Context, base, head string) (Comparison, error) {
	first, _, err := c.api.Repositories.CompareCommits(ctx, c.owner, c.repo, base, head, nil)
	if err != nil {
		return Comparison{}, fmt.Errorf("github compare %s...%s: %w", base, head, err)
	}
	out := Comparison{TotalCommits: first.GetTotalCommits(), FilesTruncated: len(first.Files) >= MaxCompareFiles}
	out.Files = len(first.Files)
	for _, f := range first.Files {
		out.Additions += f.GetAdditions()
		out.Deletions += f.GetDeletions()
	}
	if n := len(first.Commits); n > 0 {
		out.HeadSHA = first.Commits[n-1].GetSHA()
	} else {
		// No commit ahead of base: head is base or one of its ancestors, i.e. the merge base.
		out.HeadSHA = first.GetMergeBaseCommit().GetSHA()
	}
	if out.TotalCommits <= len(first.Commits) {
		for _, rc := range first.Commits {
			out.Commits = append(out.Commits, commitOf(rc))
		}
		return out, nil
	}
	for page := 1; page <= maxComparePages; page++ {
		cmp, _, err := c.api.Repositories.CompareCommits(ctx, c.owner, c.repo, base, out.HeadSHA, &gh.ListOptions{Page: page, PerPage: 100})
		if err != nil {
			return Comparison{}, fmt.Errorf("github compare %s...%s at %s (page %d): %w", base, head, out.HeadSHA, page, err)
		}
		for _, rc := range cmp.Commits {
			out.Commits = append(out.Commits, commitOf(rc))
		}
		if len(cmp.Commits) == 0 || len(out.Commits) >= out.TotalCommits {
			break
		}
	}
	return out, nil
}

// commitOf keeps every identity and both dates of a listed commit.
func commitOf(rc *gh.RepositoryCommit) Commit {
	gc := rc.GetCommit()
	return Commit{
		SHA:         rc.GetSHA(),
		AuthorLogin: rc.GetAuthor().GetLogin(), AuthorEmail: gc.GetAuthor().GetEmail(),
		CommitterLogin: rc.GetCommitter().GetLogin(), CommitterEmail: gc.GetCommitter().GetEmail(),
		AuthoredAt: gc.GetAuthor().GetDate().Time, CommittedAt: gc.GetCommitter().GetDate().Time,
	}
}
