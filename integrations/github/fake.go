package github

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

// FakeDeployment is a deployment as the fake GitHub holds it.
type FakeDeployment struct {
	ID               int64
	Ref, Environment string
	Description      string
	AutoMerge        *bool
	RequiredContexts *[]string
	// Production and Transient are production_environment and transient_environment as the
	// request sent them; nil when it left them to GitHub's defaults.
	Production, Transient *bool
	Payload               map[string]any
	// Statuses are the states set, oldest first; Records are the same statuses in full.
	Statuses []State
	Records  []StatusRecord
	// AutoInactive is each status's auto_inactive as its request sent it, nil when omitted
	// (GitHub's default, true) and for the inactive statuses GitHub added by itself.
	AutoInactive []*bool
}

// Fake is an in-memory GitHub served over HTTP: deployments and their statuses, compare, check
// runs and combined statuses of one repository, and the commit a ref names (SetBranch). It
// checks the token, keeps state, records calls, injects faults through Faults and rate limits
// through PushRateLimit. Once it knows any commit (SetCompare, SetChecks, AddRefs, SetBranch) it
// refuses a deployment of a ref it does not know, as GitHub does; a fake told nothing accepts
// any ref.
type Fake struct {
	Server *httptest.Server
	Faults *faults.Injector
	// Recorder lists every call that got past the injected faults: Calls.
	faults.Recorder
	token string

	mu          sync.Mutex
	deployments []*FakeDeployment
	compares    map[string]FakeComparison
	checkRuns   map[string][]Check
	statuses    map[string][]Check
	refs        map[string]bool
	branches    map[string]string
	seq         int64
	statusSeq   int64
	rateLimits  []RateLimit
	limited     int
}

// NewFake starts a fake GitHub for owner/repo that accepts token.
func NewFake(token, owner, repo string) *Fake {
	f := &Fake{Faults: &faults.Injector{}, token: token, compares: map[string]FakeComparison{},
		checkRuns: map[string][]Check{}, statuses: map[string][]Check{}, refs: map[string]bool{}, branches: map[string]string{}}
	p := "/repos/" + owner + "/" + repo
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+p+"/deployments", f.auth(f.createDeployment))
	mux.HandleFunc("GET "+p+"/deployments", f.auth(f.listDeployments))
	mux.HandleFunc("POST "+p+"/deployments/{id}/statuses", f.auth(f.createStatus))
	mux.HandleFunc("GET "+p+"/deployments/{id}/statuses", f.auth(f.listStatuses))
	mux.HandleFunc("GET "+p+"/compare/{basehead}", f.auth(f.compare))
	mux.HandleFunc("GET "+p+"/commits/{ref}/check-runs", f.auth(f.listCheckRuns))
	mux.HandleFunc("GET "+p+"/commits/{ref}/status", f.auth(f.combinedStatus))
	mux.HandleFunc("GET "+p+"/commits/{ref...}", f.auth(f.commitEndpoint))
	f.Server = httptest.NewServer(f.Faults.Wrap(f.rateLimit(mux)))
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.Server.Close() }

// URL is the REST API base to give the real client.
func (f *Fake) URL() string { return f.Server.URL + "/" }

// SetChecks sets the check runs (Conclusion is the run's conclusion) and commit statuses
// (Conclusion is the state) of the commit ref names now (SetBranch): checks belong to a
// commit, so a branch moved later does not take them along.
func (f *Fake) SetChecks(ref string, runs, statuses []Check) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs[ref] = true
	key := f.canon(ref)
	f.checkRuns[key], f.statuses[key] = runs, statuses
}

// Deployments returns copies of the deployments, oldest first.
func (f *Fake) Deployments() []FakeDeployment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FakeDeployment
	for _, d := range f.deployments {
		c := *d
		c.Statuses, c.Records, c.AutoInactive = slices.Clone(d.Statuses), slices.Clone(d.Records), slices.Clone(d.AutoInactive)
		out = append(out, c)
	}
	return out
}

func (f *Fake) auth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.Record(r.Method + " " + r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials"})
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (d *FakeDeployment) json() map[string]any {
	return map[string]any{"id": d.ID, "ref": d.Ref, "environment": d.Environment, "description": d.Description, "payload": d.Payload}
}

func (f *Fake) createDeployment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Ref              string         `json:"ref"`
		Environment      string         `json:"environment"`
		Description      string         `json:"description"`
		AutoMerge        *bool          `json:"auto_merge"`
		RequiredContexts *[]string      `json:"required_contexts"`
		Production       *bool          `json:"production_environment"`
		Transient        *bool          `json:"transient_environment"`
		Payload          map[string]any `json:"payload"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Ref == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.refs) > 0 && !f.knownRef(req.Ref) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "No ref found for: " + req.Ref,
			"documentation_url": "https://docs.github.com/rest/deployments/deployments#create-a-deployment"})
		return
	}
	f.seq++
	d := &FakeDeployment{ID: f.seq, Ref: req.Ref, Environment: req.Environment, Description: req.Description,
		AutoMerge: req.AutoMerge, RequiredContexts: req.RequiredContexts, Production: req.Production,
		Transient: req.Transient, Payload: req.Payload}
	f.deployments = append(f.deployments, d)
	writeJSON(w, http.StatusCreated, d.json())
}

func (f *Fake) listDeployments(w http.ResponseWriter, r *http.Request) {
	env := r.URL.Query().Get("environment")
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []map[string]any{}
	for i := len(f.deployments) - 1; i >= 0; i-- { // newest first, as GitHub answers
		if d := f.deployments[i]; env == "" || d.Environment == env {
			out = append(out, d.json())
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Fake) listCheckRuns(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	runs := byCommit(f, f.checkRuns, r.PathValue("ref"))
	f.mu.Unlock()
	// Paged like GitHub's: per_page, page from 1, and a Link header naming the next page.
	page, perPage := queryInt(r, "page", 1), queryInt(r, "per_page", 30)
	out := []map[string]any{}
	for i, c := range runs {
		if i < (page-1)*perPage || i >= page*perPage {
			continue
		}
		status, concl := "completed", c.Conclusion
		if concl == "queued" || concl == "in_progress" {
			status, concl = concl, ""
		}
		out = append(out, map[string]any{"name": c.Name, "status": status, "conclusion": concl})
	}
	if page*perPage < len(runs) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s%s>; rel=\"next\"", f.Server.URL, next.RequestURI()))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(runs), "check_runs": out})
}

func (f *Fake) combinedStatus(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	sts := byCommit(f, f.statuses, r.PathValue("ref"))
	f.mu.Unlock()
	out := []map[string]any{}
	state := "success"
	for _, s := range sts {
		out = append(out, map[string]any{"context": s.Name, "state": s.Conclusion})
		if s.Conclusion != "success" {
			state = strings.ToLower(s.Conclusion)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"state": state, "statuses": out, "total_count": len(out)})
}

// String names the deployment for test failures.
func (d FakeDeployment) String() string {
	return fmt.Sprintf("deployment %d %s %v", d.ID, d.Environment, d.Statuses)
}

// queryInt reads a positive integer query parameter, or def.
func queryInt(r *http.Request, name string, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && n > 0 {
		return n
	}
	return def
}
