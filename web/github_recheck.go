package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/workflows"
)

// GitHubActor is the identity a webhook-driven recheck is recorded under.
const GitHubActor = "github"

// SourceRelease is a running release with the commit its spec's source names.
type SourceRelease struct {
	ID   string
	Head string
}

// RecheckOptions configure RecheckOnChecks.
type RecheckOptions struct {
	// Releases lists the running releases that declare a source head, whatever their phase:
	// whether a gate can use a recheck is the workflow's validator's to say, since a listing's
	// phase (Temporal visibility) lags the workflow.
	Releases func(ctx context.Context) ([]SourceRelease, error)
	Control  Controller
	Logger   *slog.Logger
}

// RecheckOnChecks returns a GitHubOptions.OnEvent that turns a finished check on a release's
// head commit into a readiness recheck of that release: CI finishing while a gate is blocked,
// or still collecting its evidence, unblocks it without anyone typing `tollgate recheck`. The
// recheck only collects evidence again; the gate's criteria still decide. Its Update ID is
// GitHubUpdateID, so a redelivery that reaches another replica, or this one after a restart,
// rechecks once. It fails (and the delivery may come again) only when the running releases
// could not be listed or Temporal could not be reached; a payload it does not understand, or a
// refusal (a release past its gates), is not worth a redelivery.
func RecheckOnChecks(o RecheckOptions) func(context.Context, GitHubEvent) error {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return func(ctx context.Context, ev GitHubEvent) error {
		check, ok, err := github.ParseCheckCompletion(ev.Event, ev.Body)
		if err != nil {
			o.Logger.Warn("github delivery not understood", "delivery", ev.Delivery, "error", err)
			return nil
		}
		if !ok {
			return nil
		}
		return o.recheck(ctx, ev.Delivery, check)
	}
}

// GitHubUpdateID is the Update ID of the recheck a webhook delivery asks of a release.
func GitHubUpdateID(delivery, releaseID string) string {
	return "github-" + delivery + "-" + releaseID
}

func (o RecheckOptions) recheck(ctx context.Context, delivery string, check github.CheckCompletion) error {
	releases, err := o.Releases(ctx)
	if err != nil {
		return fmt.Errorf("delivery %s: running releases not listed: %w", delivery, err)
	}
	var failed []error
	for _, b := range releases {
		if !check.Names(b.Head) {
			continue
		}
		reason := fmt.Sprintf("GitHub check %q finished %s on %s (delivery %s)", check.Name, check.Conclusion, shortSHA(check.SHA), delivery)
		uctx := control.WithUpdateID(ctx, GitHubUpdateID(delivery, b.ID))
		_, err := o.Control.Control(uctx, b.ID, workflows.UpdateRecheck, workflows.Request{Actor: GitHubActor, Reason: reason})
		switch {
		case errors.Is(err, control.ErrRefused) || errors.Is(err, control.ErrNotFound):
			// Past its gates, a recheck already requested, or gone: nothing lost.
			o.Logger.Info("recheck not requested", "release", b.ID, "delivery", delivery, "error", err)
		case err != nil:
			failed = append(failed, fmt.Errorf("release %q: recheck: %w", b.ID, err))
		default:
			o.Logger.Info("readiness recheck requested by a github check", "release", b.ID, "check", check.Name, "conclusion", check.Conclusion)
		}
	}
	return errors.Join(failed...)
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
