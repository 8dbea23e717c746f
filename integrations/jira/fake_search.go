package jira

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The JQL subset the fake understands: clauses joined by AND, each one of labels = "x",
// project = "x", issuetype = "x", created >= -Nm or creator = currentUser(), then an optional
// ORDER BY created ASC|DESC.
// Anything else is refused with 400, as Jira refuses JQL it cannot parse, so a client sending
// more than the fake models fails its tests instead of passing on an ignored clause.
var (
	jqlOrderBy = regexp.MustCompile(`(?i)\s+ORDER\s+BY\s+created\s+(ASC|DESC)\s*$`)
	jqlAnd     = regexp.MustCompile(`(?i)\s+AND\s+`)
	jqlField   = regexp.MustCompile(`(?i)^(labels|project|issuetype)\s*=\s*"((?:[^"\\]|\\.)*)"$`)
	jqlCreated = regexp.MustCompile(`(?i)^created\s*>=\s*-(\d+)m$`)
	jqlCreator = regexp.MustCompile(`(?i)^creator\s*=\s*currentUser\(\)$`)
	jqlUnquote = strings.NewReplacer(`\\`, `\`, `\"`, `"`)
)

// jqlCond is one parsed clause.
type jqlCond func(is *FakeIssue, now time.Time) bool

// parseJQL parses the subset; order is "", "asc" or "desc". user is the caller, currentUser().
func parseJQL(jql, user string) (conds []jqlCond, order string, err error) {
	jql = strings.TrimSpace(jql)
	if m := jqlOrderBy.FindStringSubmatch(jql); m != nil {
		order, jql = strings.ToLower(m[1]), strings.TrimSpace(jql[:len(jql)-len(m[0])])
	}
	if jql == "" {
		return nil, "", fmt.Errorf("fake jira: empty query")
	}
	for _, clause := range jqlAnd.Split(jql, -1) {
		clause = strings.TrimSpace(clause)
		if m := jqlField.FindStringSubmatch(clause); m != nil {
			field, value := strings.ToLower(m[1]), jqlUnquote.Replace(m[2])
			conds = append(conds, func(is *FakeIssue, _ time.Time) bool {
				switch field {
				case "labels":
					return slices.Contains(is.Labels, value)
				case "project":
					return strings.EqualFold(is.Project, value)
				}
				return strings.EqualFold(is.Type, value)
			})
			continue
		}
		if m := jqlCreated.FindStringSubmatch(clause); m != nil {
			minutes, _ := strconv.Atoi(m[1])
			conds = append(conds, func(is *FakeIssue, now time.Time) bool {
				return !is.Created.Before(now.Add(-time.Duration(minutes) * time.Minute))
			})
			continue
		}
		if jqlCreator.MatchString(clause) {
			conds = append(conds, func(is *FakeIssue, _ time.Time) bool { return is.Creator == user })
			continue
		}
		return nil, "", fmt.Errorf("fake jira: unsupported JQL clause %q (labels, project, issuetype = \"x\", created >= -Nm, creator = currentUser(), AND only)", clause)
	}
	return conds, order, nil
}

// searchRemoved is Jira Cloud's answer on the search endpoints Atlassian removed (CHANGE-2046).
var searchRemoved = map[string]any{"errorMessages": []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. " +
	"A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"}, "errors": map[string]any{}}

// notFound is how Data Center's REST layer answers a resource it does not have.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "null for uri: " + r.URL.String(), "status-code": http.StatusNotFound})
}

// searchV2 is /rest/api/2/search: Data Center's search (GET only here; its POST form is not
// modelled), removed on Cloud for every method.
func (f *Fake) searchV2(w http.ResponseWriter, r *http.Request) {
	if f.isCloud() {
		writeJSON(w, http.StatusGone, searchRemoved)
		return
	}
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errorMessages": []string{"the fake models GET search only"}})
		return
	}
	f.search(w, r, false)
}

// searchV3 is /rest/api/3/search: removed on Cloud, absent from Data Center (no API v3).
func (f *Fake) searchV3(w http.ResponseWriter, r *http.Request) {
	if f.isCloud() {
		writeJSON(w, http.StatusGone, searchRemoved)
		return
	}
	notFound(w, r)
}

// searchJQL is Cloud's /rest/api/3/search/jql, absent from Data Center.
func (f *Fake) searchJQL(w http.ResponseWriter, r *http.Request) {
	if !f.isCloud() {
		notFound(w, r)
		return
	}
	f.search(w, r, true)
}

func (f *Fake) isCloud() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opts.cloud
}

// search answers one page of a flavour: Data Center's pages by startAt and counts the matches
// (total); Cloud's counts nothing, pages by nextPageToken (startAt is not a parameter there)
// and says isLast. Every search ages the index lag of the issues it could not see.
func (f *Fake) search(w http.ResponseWriter, r *http.Request, cloud bool) {
	q := r.URL.Query()
	conds, order, err := parseJQL(q.Get("jql"), f.user)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{err.Error()}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	limit, err := strconv.Atoi(q.Get("maxResults"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	pageCap := f.opts.pageSize
	if pageCap <= 0 {
		pageCap = 100
	}
	limit = min(limit, pageCap)
	start := 0
	if cloud {
		if tok := q.Get("nextPageToken"); tok != "" {
			if start, err = strconv.Atoi(tok); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"invalid nextPageToken"}})
				return
			}
		}
	} else {
		start, _ = strconv.Atoi(q.Get("startAt"))
	}
	now := f.Now()
	var matches []*FakeIssue
	for _, is := range f.issues {
		if is.unindexed > 0 {
			is.unindexed--
			continue
		}
		if !slices.ContainsFunc(conds, func(c jqlCond) bool { return !c(is, now) }) {
			matches = append(matches, is)
		}
	}
	if order != "" {
		slices.SortStableFunc(matches, func(a, b *FakeIssue) int {
			if order == "desc" {
				return b.Created.Compare(a.Created)
			}
			return a.Created.Compare(b.Created)
		})
	}
	start = min(max(start, 0), len(matches))
	end := min(start+limit, len(matches))
	out := []map[string]any{}
	for _, is := range matches[start:end] {
		out = append(out, issueJSON(is))
	}
	if cloud {
		ans := map[string]any{"issues": out, "isLast": end == len(matches)}
		if end < len(matches) {
			ans["nextPageToken"] = strconv.Itoa(end)
		}
		writeJSON(w, http.StatusOK, ans)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"startAt": start, "maxResults": limit, "total": len(matches), "issues": out})
}
