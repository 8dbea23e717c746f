package activities

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
)

// sourceChecks collects the check runs and commit statuses of the spec's source.head when
// its checks criterion is on. Without GitHub, or when GitHub does not answer, the source
// fails: checks nobody could read never pass a gate, and the criterion's owner may waive it.
func (g *gatherer) sourceChecks(ctx context.Context) {
	src := g.in.Spec.Source
	if src == nil || src.Checks.Owner == "" {
		return
	}
	link := "github checks of " + src.Head
	gh := g.in.GitHub
	if gh == nil {
		g.out.Fail(policy.SourceSCM, link, fmt.Errorf("github is not configured on this worker: the source checks of %s cannot be read", src.Head))
		return
	}
	runs, err := gh.ListCheckRunsForRef(ctx, src.Head)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	statuses, err := gh.GetCombinedStatus(ctx, src.Head)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	checks := make([]policy.SourceCheck, 0, len(runs)+len(statuses))
	for _, c := range append(runs, statuses...) {
		checks = append(checks, sourceCheck(c))
	}
	g.out.Evidence.Source = policy.SourceChecks(src.Head, checks, src.Checks.Required)
	g.out.Set(policy.SourceSCM, policy.SourceStatus{Collected: true, Link: link})
}

func sourceCheck(c github.Check) policy.SourceCheck {
	return policy.SourceCheck{Name: c.Name, Conclusion: c.Conclusion, Passed: c.Passed}
}
