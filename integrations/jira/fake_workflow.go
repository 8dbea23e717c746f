package jira

import (
	"encoding/json"
	"net/http"
)

func (f *Fake) listTransitions(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issueOr404(w, r)
	if is == nil {
		return
	}
	out := []map[string]any{}
	for _, t := range f.transitions {
		if t.To != is.Status {
			out = append(out, map[string]any{"id": t.ID, "name": t.Name, "to": map[string]any{"name": t.To}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"transitions": out})
}

func (f *Fake) doTransition(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issueOr404(w, r)
	if is == nil {
		return
	}
	for _, t := range f.transitions {
		if t.ID == req.Transition.ID && t.To != is.Status {
			is.Status, is.History = t.To, append(is.History, t.To)
			writeJSON(w, http.StatusNoContent, nil)
			return
		}
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"transition " + req.Transition.ID + " is not valid"}})
}

// FakeChangeWorkflow is a typical change workflow for fakes: Open, then Awaiting Approval,
// Implementing, Rolled Back and Closed. FakeSteps maps Tollgate's phases onto it.
var FakeChangeWorkflow = []FakeTransition{
	{ID: "11", Name: "Request approval", To: "Awaiting Approval"},
	{ID: "21", Name: "Implement", To: "Implementing"},
	{ID: "31", Name: "Roll back", To: "Rolled Back"},
	{ID: "41", Name: "Close", To: "Closed"},
}

// FakeSteps is the Config.Transitions matching FakeChangeWorkflow.
func FakeSteps() map[string]Step {
	return map[string]Step{
		"approval":    {Transition: "Request approval", Status: "Awaiting Approval"},
		"deploying":   {Transition: "Implement", Status: "Implementing"},
		"rolled-back": {Transition: "Roll back", Status: "Rolled Back"},
		"closed":      {Transition: "Close", Status: "Closed"},
	}
}
