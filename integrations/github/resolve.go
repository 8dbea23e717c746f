package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ResolveRef implements Deployer with GitHub's "get a commit" endpoint in its sha media type
// (go-github's GetCommitSHA1): the answer is the commit's SHA alone, as plain text. An unknown
// ref is a 422 "No commit found for SHA: <ref>" and a repository the token cannot see a 404;
// both come back as *gh.ErrorResponse, which Classify makes permanent. An answer that is not a
// hex SHA (a proxy's page, a media type the server ignored) is refused, never used as a commit.
func (c *Client) ResolveRef(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		// GET /commits/ would list commits instead of naming one.
		return "", errors.New("github resolve: empty ref")
	}
	sha, _, err := c.api.Repositories.GetCommitSHA1(ctx, c.owner, c.repo, ref, "")
	if err != nil {
		return "", fmt.Errorf("github resolve %s: %w", ref, err)
	}
	sha = strings.TrimSpace(sha)
	if !isSHA(sha) {
		return "", fmt.Errorf("github resolve %s: answer %q is not a commit SHA", ref, clip(sha, 60))
	}
	return sha, nil
}

// isSHA reports whether s is a commit SHA: hex, from the 7 digits of the shortest abbreviation
// git makes to the 64 of a SHA-256 repository (GitHub answers the 40 of SHA-1).
func isSHA(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// clip cuts s to n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
