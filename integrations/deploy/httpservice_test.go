package deploy

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/rollout"
)

// fakeService is a deployment service for the HTTP deployer's tests: it keeps a rollout.State
// per target, answers a repeated Idempotency-Key with the operation it already has, and
// injects faults.
type fakeService struct {
	mu      sync.Mutex
	targets map[string]rollout.State
	ops     map[string]*Operation // by id
	byKey   map[string]string     // idempotency key → id
	applied int                   // operations that took effect
	// Faults, consumed in order of arrival.
	fail5xx      int  // next requests answer 503
	throttle     int  // next requests answer 429 with Retry-After: 0
	slowPolls    int  // polls an operation stays running before it completes
	crashAfter   int  // next POSTs apply the operation, then answer 500
	failOp       bool // operations end "failed"
	requests     []*http.Request
	seenPolls    map[string]int
	badToken     bool
	wantToken    string
	postsWithout int // POSTs without an Idempotency-Key
}

func newFakeService(t *testing.T) (*fakeService, *httptest.Server) {
	fs := &fakeService{targets: map[string]rollout.State{}, ops: map[string]*Operation{}, byKey: map[string]string{}, seenPolls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/targets/{env}/{svc}/operations", fs.post)
	mux.HandleFunc("GET /v1/operations/{id}", fs.poll)
	mux.HandleFunc("GET /v1/targets/{env}/{svc}", fs.observe)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.requests = append(fs.requests, r)
		if fs.wantToken != "" && r.Header.Get("Authorization") != "Bearer "+fs.wantToken {
			fs.badToken = true
		}
		switch {
		case fs.fail5xx > 0:
			fs.fail5xx--
			fs.mu.Unlock()
			http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
			return
		case fs.throttle > 0:
			fs.throttle--
			fs.mu.Unlock()
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
			return
		}
		fs.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return fs, srv
}

func (fs *fakeService) post(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		fs.postsWithout++
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Idempotency-Key required"})
		return
	}
	if id, ok := fs.byKey[key]; ok {
		writeJSON(w, http.StatusOK, fs.ops[id])
		return
	}
	var req opRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	id := r.PathValue("env") + "/" + r.PathValue("svc")
	st, ok := fs.targets[id]
	if !ok {
		st = rollout.State{Tracks: map[string][]string{}}
	}
	var step rollout.Step
	switch req.Kind {
	case OpScale:
		step = rollout.Step{Kind: rollout.Scale, Track: req.Track, Version: req.Version, Replicas: *req.Replicas}
		if req.To > req.From {
			step = rollout.Step{Kind: rollout.DeployBatch, Track: req.Track, Version: req.Version, From: req.From, To: req.To}
		}
	case OpWeight:
		if req.Weight == nil || *req.Weight < 0 || *req.Weight > 100 {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "weight must be 0-100"})
			return
		}
		step = rollout.Step{Kind: rollout.SetWeight, Weight: *req.Weight}
	case OpSwitch:
		step = rollout.Step{Kind: rollout.SwitchColour, Colour: req.Colour}
	case "deploy":
		step = rollout.Step{Kind: rollout.Scale, Track: rollout.TrackStable, Version: req.Version, Replicas: 1}
	default:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "unknown kind " + req.Kind})
		return
	}
	op := &Operation{ID: strconv.Itoa(len(fs.ops) + 1), Status: "running"}
	if fs.failOp {
		op.Status, op.Error = "failed", "target rejected the change"
	} else {
		fs.targets[id] = st.Apply(step)
		fs.applied++
	}
	fs.ops[op.ID], fs.byKey[key] = op, op.ID
	if fs.crashAfter > 0 {
		fs.crashAfter--
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "crashed after apply"})
		return
	}
	writeJSON(w, http.StatusAccepted, op)
}

func (fs *fakeService) poll(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	op, ok := fs.ops[r.PathValue("id")]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such operation"})
		return
	}
	fs.seenPolls[op.ID]++
	if op.Status == "running" && fs.seenPolls[op.ID] > fs.slowPolls {
		op.Status, op.Output = "succeeded", "done"
	}
	writeJSON(w, http.StatusOK, op)
}

func (fs *fakeService) observe(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	st, ok := fs.targets[r.PathValue("env")+"/"+r.PathValue("svc")]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown target"})
		return
	}
	inst := st.Tracks[rollout.TrackStable]
	out := TargetState{Weight: st.Weight, Colour: st.Colour, Replicas: len(inst)}
	if len(inst) > 0 {
		out.Version = inst[0]
	}
	writeJSON(w, http.StatusOK, out)
}

func (fs *fakeService) state(id string) rollout.State {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.targets[id].Clone()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
