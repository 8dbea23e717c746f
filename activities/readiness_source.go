package activities

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
)

// sourceChecks collects the check runs and commit statuses of the spec's source.head when
// its checks criterion is on, for one commit: SourceHeadSHA when the workflow already pinned
// the head, else the commit GitHub says the head names now. The checks are read for that SHA,
// never the name, and the SHA is kept in the evidence (Evidence.Source.SHA) for the workflow
// to compare and deploy: a branch that moves on meanwhile cannot put one commit's checks on
// another's release. Without GitHub, or when GitHub does not answer, the source fails: checks
// nobody could read never pass a gate, and the criterion's owner may waive it.
func (g *gatherer) sourceChecks(ctx context.Context) {
	src := g.in.Spec.Source
	if src == nil || src.Checks.Owner == "" {
		return
	}
	sha := g.in.SourceHeadSHA
	link := sourceLink(src.Head, sha)
	gh := g.in.GitHub
	if gh == nil {
		g.out.Fail(policy.SourceSCM, link, fmt.Errorf("github is not configured on this worker: the source checks of %s cannot be read", src.Head))
		return
	}
	if sha == "" {
		var err error
		if sha, err = gh.ResolveRef(ctx, src.Head); err != nil {
			g.out.Fail(policy.SourceSCM, link, err)
			return
		}
		link = sourceLink(src.Head, sha)
	}
	// Kept before the checks are read: should reading them fail and the failure be waived,
	// the release still goes on with the commit this gate judged.
	g.out.Evidence.Source = policy.SourceEvidence{Head: src.Head, SHA: sha}
	runs, err := gh.ListCheckRunsForRef(ctx, sha)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	statuses, err := gh.GetCombinedStatus(ctx, sha)
	if err != nil {
		g.out.Fail(policy.SourceSCM, link, err)
		return
	}
	checks := make([]policy.SourceCheck, 0, len(runs)+len(statuses))
	for _, c := range append(runs, statuses...) {
		checks = append(checks, sourceCheck(c))
	}
	g.out.Evidence.Source = policy.SourceChecks(src.Head, checks, src.Checks.Required)
	g.out.Evidence.Source.SHA = sha
	g.out.Set(policy.SourceSCM, policy.SourceStatus{Collected: true, Link: link})
}

// sourceLink names the head, and the commit it was read at when that is not the name itself.
func sourceLink(head, sha string) string {
	if sha == "" || sha == head {
		return "github checks of " + head
	}
	return "github checks of " + head + " at " + sha
}

func sourceCheck(c github.Check) policy.SourceCheck {
	return policy.SourceCheck{Name: c.Name, Conclusion: c.Conclusion, Passed: c.Passed}
}
