package jira

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// fakeOptions are the behaviours of real Jira sites the fake models on request; the zero value
// is a Data Center site with default paging, a search index that is always current, no field
// schema and no rate limit.
type fakeOptions struct {
	cloud      bool
	pageSize   int
	indexLag   int
	kinds      map[string]string
	components []string
	throttles  []throttle
}

// throttle is one queued rate-limit answer.
type throttle struct {
	status     int
	retryAfter time.Duration
}

// SetCloud makes the fake a Jira Cloud site: /rest/api/3/search/jql pages by nextPageToken, and
// the removed /rest/api/2/search and /rest/api/3/search answer 410 Gone with Atlassian's body.
// A Data Center site (the default) pages /rest/api/2/search by startAt and has no
// /rest/api/3/search/jql (404).
func (f *Fake) SetCloud(cloud bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.cloud = cloud
}

// SetPageSize caps the issues a search answers in one page, whatever maxResults asks, as Jira
// caps it (Cloud at 100 with fields, Data Center at its configured maximum); 0 restores the
// default cap of 100.
func (f *Fake) SetPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.pageSize = n
}

// SetIndexLag models the search index's lag: an issue created through the API from now on is
// missing from the answers of the next n searches (any query), then found. Reading it by key
// sees it at once, as in Jira, whose issue store is consistent and whose index is not. Issues
// stored with AddIssue are indexed already.
func (f *Fake) SetIndexLag(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.indexLag = n
}

// SetFieldKinds gives the fake the create and edit screens' custom fields, by ID, each of a
// Kind (text, option, options, labels): a value of another shape, or a custom field not
// listed, is refused with 400 as Jira refuses it. nil accepts any custom field as sent.
func (f *Fake) SetFieldKinds(kinds map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.kinds = maps.Clone(kinds)
}

// SetComponents gives the project its components: a components value naming another is
// refused with 400. Without it any name is accepted.
func (f *Fake) SetComponents(names ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.components = slices.Clone(names)
}

// Throttle answers the next request with status (429, or 503 as Jira Cloud also throttles)
// and a Retry-After header in whole seconds, before anything else happens; each call queues
// one answer. faults.Fault sends Retry-After with a 429 only.
func (f *Fake) Throttle(status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opts.throttles = append(f.opts.throttles, throttle{status: status, retryAfter: retryAfter})
}

// throttle applies the queued Throttle answers in front of the API.
func (f *Fake) throttle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		var t *throttle
		if len(f.opts.throttles) > 0 {
			t = &f.opts.throttles[0]
			f.opts.throttles = f.opts.throttles[1:]
		}
		f.mu.Unlock()
		if t == nil {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(t.retryAfter.Seconds())))
		writeJSON(w, t.status, map[string]any{"errorMessages": []string{"Rate limit exceeded."}})
	})
}
