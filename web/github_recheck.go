package web

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/workflows"
)

// GitHubActor is the identity a webhook-driven recheck is recorded under.
const GitHubActor = "github"

// BlockedRelease is a release a readiness gate holds, with the commit its spec's source names.
type BlockedRelease struct {
	ID   string
	Head string
}

// RecheckOptions configure RecheckOnChecks.
type RecheckOptions struct {
	// Blocked lists the releases held by a readiness gate that declare a source head.
	Blocked func(ctx context.Context) ([]BlockedRelease, error)
	Control Controller
	Logger  *slog.Logger
}

// RecheckOnChecks returns a GitHubOptions.OnEvent that turns a finished check on a release's
// head commit into a readiness recheck of that release: CI finishing after the gate blocked
// unblocks it without anyone typing `tollgate recheck`. The recheck only collects evidence
// again; the gate's criteria still decide.
func RecheckOnChecks(o RecheckOptions) func(context.Context, GitHubEvent) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return func(ctx context.Context, ev GitHubEvent) {
		check, ok, err := github.ParseCheckCompletion(ev.Event, ev.Body)
		if err != nil {
			o.Logger.Warn("github delivery not understood", "delivery", ev.Delivery, "error", err)
			return
		}
		if !ok {
			return
		}
		o.recheck(ctx, ev.Delivery, check)
	}
}

func (o RecheckOptions) recheck(ctx context.Context, delivery string, check github.CheckCompletion) {
	blocked, err := o.Blocked(ctx)
	if err != nil {
		o.Logger.Warn("releases blocked by readiness not listed", "delivery", delivery, "error", err)
		return
	}
	for _, b := range blocked {
		if b.Head != check.SHA {
			continue
		}
		reason := fmt.Sprintf("GitHub check %q finished %s on %s (delivery %s)", check.Name, check.Conclusion, shortSHA(check.SHA), delivery)
		_, err := o.Control.Control(ctx, b.ID, workflows.UpdateRecheck, workflows.Request{Actor: GitHubActor, Reason: reason})
		if err != nil {
			// A recheck already requested, or the gate passed meanwhile: nothing lost.
			o.Logger.Info("recheck not requested", "release", b.ID, "delivery", delivery, "error", err)
			continue
		}
		o.Logger.Info("readiness recheck requested by a github check", "release", b.ID, "check", check.Name, "conclusion", check.Conclusion)
	}
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
