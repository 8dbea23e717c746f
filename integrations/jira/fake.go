package jira

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

// FakeIssue is an issue as the fake Jira holds it.
type FakeIssue struct {
	Key, Project, Type string
	Summary            string
	Description        string
	Labels             []string
	// Created is set from Fake.Now when the issue is created through the API; Resolved stays
	// zero while the issue is open. Priority is the priority's name.
	Created, Resolved time.Time
	Priority          string
	// Creator is the account that created the issue: the fake's user for issues created
	// through the API, whoever AddIssue says otherwise (someone in Jira's own screens).
	Creator string
	// Custom are the fields set beyond the standard ones (customfield_…), as Jira received
	// them; Components are the names of the components field.
	Custom     map[string]any
	Components []string
	Status     string
	// History lists the statuses the issue went through, starting with the initial one.
	History  []string
	Comments []string
	// Updates counts the PUTs that changed the issue after its creation.
	Updates int
	// unindexed counts the searches still blind to an issue just created (SetIndexLag).
	unindexed int
}

// FakeTransition is a transition the fake's workflow offers from every status but its target.
type FakeTransition struct {
	ID, Name, To string
}

// Fake is an in-memory Jira served over HTTP: issue create and get, transitions, comments and
// the search of one flavour, Data Center by default, Cloud after SetCloud. It checks basic
// auth, keeps state, records calls and injects faults; fake_options.go lists what else it models
// (index lag, page size, field types, rate limits).
type Fake struct {
	Server *httptest.Server
	Faults *faults.Injector
	// Recorder lists every call that got past the injected faults: Calls.
	faults.Recorder
	// Now is the fake's clock: issues created through the API take their Created time from it,
	// and searches count "created >= -Nm" from it. NewFake sets time.Now; set it before use.
	Now   func() time.Time
	user  string
	token string

	mu          sync.Mutex
	issues      []*FakeIssue
	transitions []FakeTransition
	initial     string
	opts        fakeOptions
}

// NewFake starts a fake Jira that accepts user and token, with a workflow of the given
// transitions; issues start in initial.
func NewFake(user, token, initial string, transitions ...FakeTransition) *Fake {
	f := &Fake{Faults: &faults.Injector{}, Now: time.Now, user: user, token: token, initial: initial, transitions: transitions}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rest/api/2/issue", f.auth(f.create))
	mux.HandleFunc("GET /rest/api/2/issue/{key}", f.auth(f.get))
	mux.HandleFunc("PUT /rest/api/2/issue/{key}", f.auth(f.update))
	mux.HandleFunc("GET /rest/api/2/issue/{key}/transitions", f.auth(f.listTransitions))
	mux.HandleFunc("POST /rest/api/2/issue/{key}/transitions", f.auth(f.doTransition))
	mux.HandleFunc("POST /rest/api/2/issue/{key}/comment", f.auth(f.comment))
	mux.HandleFunc("GET /rest/api/2/issue/{key}/comment", f.auth(f.listComments))
	mux.HandleFunc("/rest/api/2/search", f.auth(f.searchV2))
	mux.HandleFunc("/rest/api/3/search", f.auth(f.searchV3))
	mux.HandleFunc("GET /rest/api/3/search/jql", f.auth(f.searchJQL))
	f.Server = httptest.NewServer(f.Faults.Wrap(f.throttle(mux)))
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.Server.Close() }

// URL is the base to give the real client.
func (f *Fake) URL() string { return f.Server.URL + "/" }

// AddIssue stores an issue directly (incidents for the search).
func (f *Fake) AddIssue(is FakeIssue) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := is
	f.issues = append(f.issues, &c)
}

// SetStatus moves an issue the way a person does in Jira's own screens (a CAB approving or
// rejecting a change request); false when there is no such issue.
func (f *Fake) SetStatus(key, status string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(key)
	if is == nil {
		return false
	}
	is.Status, is.History = status, append(is.History, status)
	return true
}

// Issues returns copies of the issues, oldest first.
func (f *Fake) Issues() []FakeIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FakeIssue
	for _, is := range f.issues {
		c := *is
		c.Labels, c.History, c.Comments = slices.Clone(is.Labels), slices.Clone(is.History), slices.Clone(is.Comments)
		c.Custom, c.Components = maps.Clone(is.Custom), slices.Clone(is.Components)
		out = append(out, c)
	}
	return out
}

func (f *Fake) auth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.Record(r.Method + " " + r.URL.Path)
		if u, p, ok := r.BasicAuth(); !ok || u != f.user || p != f.token {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"errorMessages": []string{"not authenticated"}})
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// issueOr404 returns the issue the request's path names, or answers 404 as Jira does and
// returns nil; the caller holds mu.
func (f *Fake) issueOr404(w http.ResponseWriter, r *http.Request) *FakeIssue {
	is := f.find(r.PathValue("key"))
	if is == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"errorMessages": []string{"Issue does not exist"}})
	}
	return is
}

// find returns the issue with key; the caller holds mu.
func (f *Fake) find(key string) *FakeIssue {
	for _, is := range f.issues {
		if is.Key == key {
			return is
		}
	}
	return nil
}

func (f *Fake) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"bad json"}})
		return
	}
	is := &FakeIssue{Custom: map[string]any{}, Status: f.initial, History: []string{f.initial}}
	f.mu.Lock()
	defer f.mu.Unlock()
	if errs := f.checkFields(req.Fields); len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{}, "errors": errs})
		return
	}
	setFields(is, req.Fields)
	if is.Project == "" || is.Summary == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{"project": "project and summary are required"}})
		return
	}
	is.Created, is.unindexed, is.Creator = f.Now(), f.opts.indexLag, f.user
	is.Key = fmt.Sprintf("%s-%d", is.Project, len(f.issues)+1)
	f.issues = append(f.issues, is)
	writeJSON(w, http.StatusCreated, map[string]any{"id": fmt.Sprint(len(f.issues)), "key": is.Key})
}

// update is PUT issue: the fields given replace the issue's; project and type cannot change.
func (f *Fake) update(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{"bad json"}})
		return
	}
	if _, ok := req.Fields["project"]; ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{"project": "cannot be changed"}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issueOr404(w, r)
	if is == nil {
		return
	}
	if errs := f.checkFields(req.Fields); len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{}, "errors": errs})
		return
	}
	setFields(is, req.Fields)
	is.Updates++
	writeJSON(w, http.StatusNoContent, nil)
}

// jiraTime is how Jira writes times in issue fields.
const jiraTime = "2006-01-02T15:04:05.000-0700"

func issueJSON(is *FakeIssue) map[string]any {
	fields := map[string]any{"summary": is.Summary, "labels": is.Labels, "status": map[string]any{"name": is.Status},
		"project": map[string]any{"key": is.Project}, "issuetype": map[string]any{"name": is.Type},
		"created": is.Created.Format(jiraTime), "resolutiondate": nil, "priority": nil}
	if !is.Resolved.IsZero() {
		fields["resolutiondate"] = is.Resolved.Format(jiraTime)
	}
	if is.Priority != "" {
		fields["priority"] = map[string]any{"name": is.Priority}
	}
	if is.Components != nil {
		components := []map[string]any{}
		for _, c := range is.Components {
			components = append(components, map[string]any{"name": c})
		}
		fields["components"] = components
	}
	for id, v := range is.Custom {
		fields[id] = v
	}
	return map[string]any{"key": is.Key, "fields": fields}
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is := f.issueOr404(w, r); is != nil {
		writeJSON(w, http.StatusOK, issueJSON(is))
	}
}
