package github

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// createStatus adds a status, refusing what GitHub refuses: an unknown state, a description
// over MaxStatusDescription characters. A success with auto_inactive (GitHub's default) adds an
// inactive status to every earlier non-transient deployment of the same environment whose
// latest status is success, as GitHub does. The reference says "non-production"; that predates
// the flash preview that extended it to production environments, and Tollgate relies on the
// previous production deployment going inactive, so the fake includes them.
func (f *Fake) createStatus(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req struct {
		State        string `json:"state"`
		Description  string `json:"description"`
		AutoInactive *bool  `json:"auto_inactive"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON"})
		return
	}
	if utf8.RuneCountInString(req.Description) > MaxStatusDescription {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed: description is too long (maximum is 140 characters)"})
		return
	}
	switch State(req.State) {
	case StateQueued, StateInProgress, StateSuccess, StateFailure, StateInactive, StateError, "pending":
	default:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed: state " + req.State})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.deployments {
		if d.ID == id {
			rec := f.addStatus(d, State(req.State), req.Description, req.AutoInactive)
			if rec.State == StateSuccess && (req.AutoInactive == nil || *req.AutoInactive) {
				f.inactivateBefore(d)
			}
			writeJSON(w, http.StatusCreated, statusJSON(rec))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
}

// addStatus records a status; callers hold f.mu.
func (f *Fake) addStatus(d *FakeDeployment, state State, description string, autoInactive *bool) StatusRecord {
	f.statusSeq++
	rec := StatusRecord{ID: f.statusSeq, State: state, Description: description, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	d.Statuses, d.Records, d.AutoInactive = append(d.Statuses, state), append(d.Records, rec), append(d.AutoInactive, autoInactive)
	return rec
}

// inactivateBefore is auto_inactive: the environment's earlier successful deployments become
// inactive. Callers hold f.mu.
func (f *Fake) inactivateBefore(cur *FakeDeployment) {
	for _, d := range f.deployments {
		if d.ID >= cur.ID || d.Environment != cur.Environment || (d.Transient != nil && *d.Transient) {
			continue
		}
		if n := len(d.Statuses); n > 0 && d.Statuses[n-1] == StateSuccess {
			f.addStatus(d, StateInactive, "", nil)
		}
	}
}

func statusJSON(s StatusRecord) map[string]any {
	return map[string]any{"id": s.ID, "state": s.State, "description": s.Description, "created_at": s.CreatedAt.Format(time.RFC3339)}
}

// listStatuses answers a deployment's statuses newest first, paged by per_page (default 30,
// at most 100) and page, as GitHub does.
func (f *Fake) listStatuses(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	perPage, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || perPage <= 0 || perPage > 100 {
		perPage = 30
	}
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.deployments {
		if d.ID != id {
			continue
		}
		out := []map[string]any{}
		for i := len(d.Records) - 1 - (page-1)*perPage; i >= 0 && len(out) < perPage; i-- {
			out = append(out, statusJSON(d.Records[i]))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
}
