package activities

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
)

// sourceChecks collects the check runs and commit statuses of the spec's source.head when
// its checks criterion is on: of the commit the head named when the change was read
// (SourceHeadSHA) when known, since a branch may have moved on to a commit nobody compared or
// reviewed. Without GitHub, or when GitHub does not answer, the source fails: checks nobody
// could read never pass a gate, and the criterion's owner may waive it.
func (g *gatherer) sourceChecks(ctx context.Context) {
	src := g.in.Spec.Source
	if src == nil || src.Checks.Owner == "" {
		return
	}
	ref, link := src.Head, "github checks of "+src.Head
	if sha := g.in.SourceHeadSHA; sha != "" {
		ref = sha
		if sha != src.Head {
			link += " at " + sha
		}
	}
	gh := g.in.GitHub
	if gh == nil {
		g.out.Fail(policy.SourceSCM, link, fmt.Errorf("github is not configured on this worker: the source checks of %s cannot be read", src.Head))
		return
	}
	runs, err := gh.ListCheckRunsForRef(ctx, ref)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	statuses, err := gh.GetCombinedStatus(ctx, ref)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	checks := make([]policy.SourceCheck, 0, len(runs)+len(statuses))
	for _, c := range append(runs, statuses...) {
		checks = append(checks, sourceCheck(c))
	}
	g.out.Evidence.Source = policy.SourceChecks(src.Head, checks, src.Checks.Required)
	g.out.Evidence.Source.SHA = g.in.SourceHeadSHA
	g.out.Set(policy.SourceSCM, policy.SourceStatus{Collected: true, Link: link})
}

func sourceCheck(c github.Check) policy.SourceCheck {
	return policy.SourceCheck{Name: c.Name, Conclusion: c.Conclusion, Passed: c.Passed}
}
