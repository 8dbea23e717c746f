package github

import (
	"net/http"
	"slices"
	"strings"
)

// SetBranch points the branch (or tag) name at commit sha, as a push does. From then on the
// name means sha everywhere the fake reads a ref: the commit endpoint (ResolveRef), compare,
// check runs, combined statuses, and SetCompare and SetChecks by that name. Call it again to
// move the branch: what was set for the old commit stays with that commit. Set the branch
// before setting anything by its name.
//
// A name never given to SetBranch is no branch: the commit endpoint refuses it, and the other
// endpoints read what was set under that exact name, as they did before SetBranch existed.
func (f *Fake) SetBranch(name, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.branches[name] = sha
	f.refs[name], f.refs[sha] = true, true
}

// commitOf is the commit ref names now: a branch's commit, or the longest known commit that a
// hex ref of 7 or more digits abbreviates (itself included), as GitHub resolves refs. Two
// different commits sharing the abbreviation make it name none. Callers hold f.mu.
func (f *Fake) commitOf(ref string) (string, bool) {
	if sha, ok := f.branches[ref]; ok {
		return sha, true
	}
	if !isSHA(ref) {
		return "", false
	}
	best := ""
	for known := range f.refs {
		if !isSHA(known) || !strings.HasPrefix(known, ref) {
			continue
		}
		switch {
		case strings.HasPrefix(known, best):
			best = known
		case !strings.HasPrefix(best, known):
			return "", false
		}
	}
	return best, best != ""
}

// canon is the key a ref's data is kept under: its commit when it names one, else the ref.
// Callers hold f.mu.
func (f *Fake) canon(ref string) string {
	if sha, ok := f.commitOf(ref); ok {
		return sha
	}
	return ref
}

// byCommit finds what m holds for the commit ref names, kept under that commit or under any
// other ref naming it (an abbreviation, or a name set before a longer commit was known).
// Callers hold f.mu.
func byCommit[T any](f *Fake, m map[string]T, ref string) T {
	c := f.canon(ref)
	if v, ok := m[c]; ok {
		return v
	}
	for _, k := range sortedKeys(m) {
		if f.canon(k) == c {
			return m[k]
		}
	}
	var zero T
	return zero
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// commitEndpoint serves GET /commits/{ref...}. Refs with slashes (release/2026.11) reach the
// check runs and combined status here, since a path wildcard spans them only at the end.
// Otherwise it is "get a commit": with the sha media type (application/vnd.github.sha, or
// go-github's application/vnd.github.v3.sha) the answer is the SHA alone as plain text, and an
// If-None-Match naming it is a 304, as GitHub does; with any other a JSON object carrying it.
func (f *Fake) commitEndpoint(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if base, ok := strings.CutSuffix(ref, "/check-runs"); ok && base != "" {
		r.SetPathValue("ref", base)
		f.listCheckRuns(w, r)
		return
	}
	if base, ok := strings.CutSuffix(ref, "/status"); ok && base != "" {
		r.SetPathValue("ref", base)
		f.combinedStatus(w, r)
		return
	}
	f.mu.Lock()
	sha, ok := f.commitOf(ref)
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "No commit found for SHA: " + ref,
			"documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit", "status": "422"})
		return
	}
	accept := r.Header.Get("Accept")
	if !strings.Contains(accept, "application/vnd.github.sha") && !strings.Contains(accept, "application/vnd.github.v3.sha") {
		writeJSON(w, http.StatusOK, map[string]any{"sha": sha})
		return
	}
	w.Header().Set("ETag", `"`+sha+`"`)
	if r.Header.Get("If-None-Match") == `"`+sha+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(sha))
}
