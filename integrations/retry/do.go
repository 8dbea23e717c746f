package retry

import (
	"context"
	"time"
)

// Policy retries a call inline, for the few paths that answer a person within seconds (a Slack
// click) and so cannot hand the retry to Temporal. Activities never use it: Temporal is their
// only retry layer.
type Policy struct {
	// Attempts is how many calls are made at most; 0 means 3.
	Attempts int
	// Base is the wait after the first transient failure, doubled after each one; 0 means 250 ms.
	Base time.Duration
	// Max caps one backoff wait; a server asking to wait longer (Retry-After) ends the retries
	// rather than being called again early. 0 means 10 s.
	Max time.Duration
	// Classify says how to treat an error and, for a rate limit, how long the server asked to
	// wait. Nil treats every error as transient.
	Classify func(error) (Class, time.Duration)
	// Sleep waits d or until ctx ends; nil means a timer. Tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do calls fn until it succeeds, fails permanently, runs out of attempts or of ctx's time. A
// wait that would outlast ctx's deadline is not started: the last error comes back at once, so
// the caller still has time to tell the person. The error returned is fn's last, unwrapped, so
// callers classify it as before.
func (p Policy) Do(ctx context.Context, fn func(context.Context) error) error {
	attempts, wait, maxWait := p.Attempts, p.Base, p.Max
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = 250 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 10 * time.Second
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	var err error
	for i := range attempts {
		if err = fn(ctx); err == nil {
			return nil
		}
		if i == attempts-1 || ctx.Err() != nil {
			return err
		}
		d := wait
		if p.Classify != nil {
			switch cls, after := p.Classify(err); cls {
			case Permanent:
				return err
			case RateLimited:
				if after > maxWait {
					return err
				}
				d = max(after, wait)
			}
		}
		d = min(d, maxWait)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return err
		}
		if sleep(ctx, d) != nil {
			return err
		}
		wait *= 2
	}
	return err
}

// Sleep waits d on a timer, or returns ctx's error if ctx ends first; a d of zero or less only
// reports whether ctx has ended.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
