package jira

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// comment adds a comment, keeping the body as sent (a Tollgate footer included).
func (f *Fake) comment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Body string `json:"body"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issueOr404(w, r)
	if is == nil {
		return
	}
	is.Comments = append(is.Comments, req.Body)
	writeJSON(w, http.StatusCreated, map[string]any{"id": fmt.Sprint(len(is.Comments)), "body": req.Body})
}

// listComments answers a page of the issue's comments, oldest first unless orderBy=-created.
func (f *Fake) listComments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, _ := strconv.Atoi(q.Get("startAt"))
	limit, err := strconv.Atoi(q.Get("maxResults"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issueOr404(w, r)
	if is == nil {
		return
	}
	all := []map[string]any{}
	for i, body := range is.Comments {
		all = append(all, map[string]any{"id": strconv.Itoa(i + 1), "body": body})
	}
	if q.Get("orderBy") == "-created" {
		slices.Reverse(all)
	}
	page := all[min(max(start, 0), len(all)):]
	page = page[:min(limit, len(page))]
	writeJSON(w, http.StatusOK, map[string]any{"startAt": start, "maxResults": limit, "total": len(all), "comments": page})
}
