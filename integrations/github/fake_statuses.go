package github

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// createStatus adds a status, refusing what GitHub refuses: an unknown state, a description
// over MaxStatusDescription characters.
func (f *Fake) createStatus(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req struct {
		State       string `json:"state"`
		Description string `json:"description"`
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
	case StateQueued, StateInProgress, StateSuccess, StateFailure, StateInactive, "error", "pending":
	default:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed: state " + req.State})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.deployments {
		if d.ID == id {
			f.statusSeq++
			rec := StatusRecord{ID: f.statusSeq, State: State(req.State), Description: req.Description, CreatedAt: time.Now().UTC().Truncate(time.Second)}
			d.Statuses, d.Records = append(d.Statuses, rec.State), append(d.Records, rec)
			writeJSON(w, http.StatusCreated, statusJSON(rec))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
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
