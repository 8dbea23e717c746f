package router

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"time"
)

// Router proxies each request to an instance of the track Routes.Pick chooses, round robin
// within the track. The chosen track is in the X-Demo-Track response header.
type Router struct {
	file  string
	proxy *httputil.ReverseProxy

	mu     sync.Mutex
	routes Routes
	info   os.FileInfo
	n      uint64
	next   map[string]int
}

// New returns a router over the routes file at path. The file may not exist yet: until it
// does, every request is answered 503.
func New(path string) *Router {
	r := &Router{file: path, next: map[string]int{}}
	r.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			target := pr.In.Context().Value(targetKey{}).(*url.URL)
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			http.Error(w, "router: backend failed: "+err.Error(), http.StatusBadGateway)
		},
	}
	return r
}

type targetKey struct{}

// Routes returns the routes in force, reloading the file when it was replaced.
func (r *Router) Routes() (Routes, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadLocked()
}

func (r *Router) reloadLocked() (Routes, error) {
	info, err := os.Stat(r.file)
	if err != nil {
		return Routes{}, fmt.Errorf("routes file %s: %w", r.file, err)
	}
	if r.info != nil && os.SameFile(info, r.info) && info.ModTime().Equal(r.info.ModTime()) && info.Size() == r.info.Size() {
		return r.routes, nil
	}
	f, err := os.Open(r.file)
	if err != nil {
		return Routes{}, fmt.Errorf("routes file %s: %w", r.file, err)
	}
	defer f.Close()
	rt, err := Parse(f)
	if err != nil {
		return Routes{}, fmt.Errorf("routes file %s: %w", r.file, err)
	}
	r.routes, r.info = rt, info
	return rt, nil
}

// pick chooses the track and the instance of the next request.
func (r *Router) pick() (string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, err := r.reloadLocked()
	if err != nil {
		return "", "", err
	}
	track := rt.Pick(r.n)
	r.n++
	backends := rt.Tracks[track]
	if len(backends) == 0 {
		return track, "", fmt.Errorf("no instance serves track %q", track)
	}
	i := r.next[track] % len(backends)
	r.next[track] = i + 1
	return track, backends[i], nil
}

// ServeHTTP proxies one request. GET /-/routes answers the routes in force instead.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/-/routes" {
		rt, err := r.Routes()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "weight=%d\ncolour=%s\n", rt.Weight, rt.Colour)
		for _, t := range []string{TrackStable, TrackCanary, Blue, Green} {
			fmt.Fprintf(w, "track.%s=%d\n", t, len(rt.Tracks[t]))
		}
		return
	}
	track, addr, err := r.pick()
	if err != nil {
		http.Error(w, "router: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	target, err := url.Parse("http://" + addr)
	if err != nil {
		http.Error(w, "router: bad instance address "+addr, http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Demo-Track", track)
	r.proxy.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), targetKey{}, target)))
}

// Load sends GET url at rps requests a second until ctx ends, so that a canary's metrics have
// traffic to judge; failures are part of the load and are not reported.
func Load(ctx context.Context, client *http.Client, url string, rps int) {
	if rps <= 0 {
		return
	}
	tick := time.NewTicker(time.Second / time.Duration(rps))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}
