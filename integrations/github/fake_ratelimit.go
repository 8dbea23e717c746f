package github

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimit is one rate-limited answer the fake gives instead of serving a request, with the
// headers GitHub sends.
type RateLimit struct {
	// Status is 403 or 429; GitHub answers both for both kinds of limit.
	Status int
	// RetryAfter is the Retry-After header (seconds); empty sends none.
	RetryAfter string
	// Remaining is X-RateLimit-Remaining; empty sends none. "0" is the primary limit.
	Remaining string
	// Reset is X-RateLimit-Reset, in epoch seconds; zero sends none.
	Reset time.Time
	// Secondary makes the body name the secondary rate limits' documentation, as GitHub's
	// does for them.
	Secondary bool
}

// PushRateLimit queues rate-limited answers; each hits the next request, before the token is
// checked or the call recorded.
func (f *Fake) PushRateLimit(rl ...RateLimit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rateLimits = append(f.rateLimits, rl...)
}

// RateLimited counts the rate-limited answers given so far: requests that reached the fake.
func (f *Fake) RateLimited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limited
}

func (f *Fake) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if len(f.rateLimits) == 0 {
			f.mu.Unlock()
			next.ServeHTTP(w, r)
			return
		}
		rl := f.rateLimits[0]
		f.rateLimits = f.rateLimits[1:]
		f.limited++
		f.mu.Unlock()
		h := w.Header()
		if rl.RetryAfter != "" {
			h.Set("Retry-After", rl.RetryAfter)
		}
		if rl.Remaining != "" {
			h.Set("X-RateLimit-Limit", "5000")
			h.Set("X-RateLimit-Remaining", rl.Remaining)
		}
		if !rl.Reset.IsZero() {
			h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.Reset.Unix(), 10))
		}
		body := map[string]any{"message": "API rate limit exceeded for user ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"}
		if rl.Secondary {
			body = map[string]any{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}
		}
		writeJSON(w, rl.Status, body)
	})
}
