package github

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Past what one answer holds, the compare is paged against the head's commit, not its name.
func TestComparePagesAgainstThePinnedHead(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	commits := make([]FakeCommit, 530)
	for i := range commits {
		commits[i] = FakeCommit{SHA: fmt.Sprintf("%040d", i), Login: fmt.Sprintf("dev%d", i%7), Time: at.Add(time.Duration(i) * time.Minute)}
	}
	f.SetCompare("v1", "main", FakeComparison{Files: []string{"a.go"}, Additions: 3, Commits: commits})
	cmp, err := c.CompareCommits(context.Background(), "v1", "main")
	require.NoError(t, err)
	head := commits[529].SHA
	assert.Equal(t, head, cmp.HeadSHA)
	require.Len(t, cmp.Commits, 530)
	for i, cm := range cmp.Commits {
		require.Equal(t, commits[i].SHA, cm.SHA, "commit %d in order, once", i)
	}
	assert.Equal(t, 1, cmp.Files, "files come with the first answer only")
	assert.Equal(t, 3, cmp.Additions)
	want := []string{"GET /repos/acme/shop/compare/v1...main"}
	for range 6 {
		want = append(want, "GET /repos/acme/shop/compare/v1..."+head)
	}
	assert.Equal(t, want, f.Calls())
}

func TestCompareSaysWhenGitHubCutTheFiles(t *testing.T) {
	for _, n := range []int{MaxCompareFiles - 1, MaxCompareFiles + 50} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c, f, teardown := setup(t)
			defer teardown()
			files := make([]string, n)
			for i := range files {
				files[i] = fmt.Sprintf("f%d.go", i)
			}
			f.SetCompare("v1", "v2", FakeComparison{Files: files, Additions: 2 * n, Deletions: n, Commits: []FakeCommit{{SHA: "abc1234", Login: "dev"}}})
			cmp, err := c.CompareCommits(context.Background(), "v1", "v2")
			require.NoError(t, err)
			cut := n > MaxCompareFiles
			assert.Equal(t, cut, cmp.FilesTruncated)
			assert.Equal(t, min(n, MaxCompareFiles), cmp.Files)
			assert.Equal(t, 2*min(n, MaxCompareFiles), cmp.Additions, "the listed files' lines only")
		})
	}
}

// A head with no commit ahead of base is the merge base.
func TestCompareHeadBehindBaseIsTheMergeBase(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	f.SetCompare("v2", "v1", FakeComparison{MergeBase: "abc1234"})
	cmp, err := c.CompareCommits(context.Background(), "v2", "v1")
	require.NoError(t, err)
	assert.Equal(t, "abc1234", cmp.HeadSHA)
	assert.Empty(t, cmp.Commits)
}

func TestCompareKeepsAuthorAndCommitter(t *testing.T) {
	c, f, teardown := setup(t)
	defer teardown()
	wrote, landed := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.SetCompare("v1", "v2", FakeComparison{Commits: []FakeCommit{{SHA: "abc1234", Login: "alice", Email: "alice@example.com", Time: wrote,
		CommitterLogin: "web-flow", CommitterEmail: "noreply@github.com", CommitTime: landed}}})
	cmp, err := c.CompareCommits(context.Background(), "v1", "v2")
	require.NoError(t, err)
	assert.Equal(t, []Commit{{SHA: "abc1234", AuthorLogin: "alice", AuthorEmail: "alice@example.com",
		CommitterLogin: "web-flow", CommitterEmail: "noreply@github.com", AuthoredAt: wrote, CommittedAt: landed}}, cmp.Commits)
}
