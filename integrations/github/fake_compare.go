package github

import (
	"net/http"
	"strings"
	"time"
)

// FakeCommit is one commit the fake's compare API answers with.
type FakeCommit struct {
	// SHA is the commit; Login its author's GitHub account. A commit without Login has no
	// account GitHub could match, and the API answers "author": null.
	SHA, Login string
	// Email is the git author's email; Time the git author date.
	Email string
	Time  time.Time
	// CommitterLogin, CommitterEmail and CommitTime are the committer; when CommitterEmail and
	// CommitterLogin are both empty the committer is the author, as git makes it, and a zero
	// CommitTime is Time.
	CommitterLogin, CommitterEmail string
	CommitTime                     time.Time
}

// FakeComparison is what the compare API answers for base...head.
type FakeComparison struct {
	// Files are the changed files; Additions and Deletions their totals, spread over them so
	// that a list cut at MaxCompareFiles undercounts as GitHub's does.
	Files                []string
	Additions, Deletions int
	// Commits are oldest first; the last one is head's commit.
	Commits []FakeCommit
	// MergeBase is answered as merge_base_commit: with no commits it is head's commit.
	MergeBase string
}

// SetCompare makes the compare API answer base...head with c, for the commits base and head
// name now (SetBranch): a branch moved later compares anew, and the comparison stays with the
// commit. Later pages may name head by its commit (the last of c.Commits, or c.MergeBase).
// Base, head and every commit become refs the fake knows.
func (f *Fake) SetCompare(base, head string, c FakeComparison) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs[base], f.refs[head] = true, true
	for _, cm := range c.Commits {
		f.refs[cm.SHA] = true
	}
	if c.MergeBase != "" {
		f.refs[c.MergeBase] = true
	}
	f.compares[f.canon(base)+"..."+f.canon(head)] = c
}

// AddRefs makes branches, tags or commits known to the fake, for deployments of refs no
// comparison names.
func (f *Fake) AddRefs(refs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range refs {
		f.refs[r] = true
	}
}

// knownRef is true for a ref the fake knows, or an abbreviation (7+ characters) of a commit it
// knows. Callers hold f.mu.
func (f *Fake) knownRef(ref string) bool {
	if f.refs[ref] {
		return true
	}
	for known := range f.refs {
		if len(ref) >= 7 && strings.HasPrefix(known, ref) {
			return true
		}
	}
	return false
}

// headSHA is the commit a comparison's head names.
func (c FakeComparison) headSHA() string {
	if n := len(c.Commits); n > 0 {
		return c.Commits[n-1].SHA
	}
	return c.MergeBase
}

// lookup finds the comparison for base...head, each resolved to the commit it names now, head
// given by name, by its commit or by an abbreviation of it.
func (f *Fake) lookup(basehead string) (FakeComparison, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	base, head, _ := strings.Cut(basehead, "...")
	if head == "" {
		return FakeComparison{}, false
	}
	b, h := f.canon(base), f.canon(head)
	if c, ok := f.compares[b+"..."+h]; ok {
		return c, true
	}
	for _, key := range sortedKeys(f.compares) {
		kb, kh, _ := strings.Cut(key, "...")
		c := f.compares[key]
		if f.canon(kb) == b && (f.canon(kh) == h || f.canon(c.headSHA()) == h) {
			return c, true
		}
	}
	return FakeComparison{}, false
}

// compare answers as GitHub documents: without page or per_page at most 250 commits, the last
// the comparison's most recent; with them pages of per_page (at most 100) from the oldest;
// files, at most MaxCompareFiles, only with the first page.
func (f *Fake) compare(w http.ResponseWriter, r *http.Request) {
	c, ok := f.lookup(r.PathValue("basehead"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
		return
	}
	q := r.URL.Query()
	paged := q.Has("page") || q.Has("per_page")
	page, perPage := queryInt(r, "page", 1), min(queryInt(r, "per_page", 30), 100)
	lo, hi := max(len(c.Commits)-250, 0), len(c.Commits)
	if paged {
		lo, hi = min((page-1)*perPage, len(c.Commits)), min(page*perPage, len(c.Commits))
	}
	commits := []map[string]any{}
	for _, cm := range c.Commits[lo:hi] {
		commits = append(commits, commitJSON(cm))
	}
	files := []map[string]any{}
	if page == 1 {
		files = filesJSON(c)
	}
	out := map[string]any{"files": files, "commits": commits, "total_commits": len(c.Commits)}
	if c.MergeBase != "" {
		out["merge_base_commit"] = map[string]any{"sha": c.MergeBase}
	}
	writeJSON(w, http.StatusOK, out)
}

func commitJSON(cm FakeCommit) map[string]any {
	cLogin, cEmail, cTime := cm.CommitterLogin, cm.CommitterEmail, cm.CommitTime
	if cLogin == "" && cEmail == "" {
		cLogin, cEmail = cm.Login, cm.Email
	}
	if cTime.IsZero() {
		cTime = cm.Time
	}
	return map[string]any{"sha": cm.SHA, "author": account(cm.Login), "committer": account(cLogin),
		"commit": map[string]any{
			"author":    map[string]any{"date": cm.Time.Format(time.RFC3339), "email": cm.Email},
			"committer": map[string]any{"date": cTime.Format(time.RFC3339), "email": cEmail},
		}}
}

// account is a commit's GitHub account, null when GitHub matched none.
func account(login string) any {
	if login == "" {
		return nil
	}
	return map[string]any{"login": login}
}

// filesJSON lists at most MaxCompareFiles files, the comparison's lines spread evenly over all
// of its files (the remainder on the first).
func filesJSON(c FakeComparison) []map[string]any {
	out := []map[string]any{}
	n := len(c.Files)
	for i, name := range c.Files[:min(n, MaxCompareFiles)] {
		add, del := c.Additions/n, c.Deletions/n
		if i == 0 {
			add, del = add+c.Additions%n, del+c.Deletions%n
		}
		out = append(out, map[string]any{"filename": name, "additions": add, "deletions": del})
	}
	return out
}
