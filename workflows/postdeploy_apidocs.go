package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
)

// apiDocsGate attaches the OpenAPI documents the spec names to their service versions and
// flags breaking changes against the previous versions, so approvers see them. It never blocks:
// a breaking change may be intended; a document that cannot be read is put on the timeline.
func (r *releaseRun) apiDocsGate(ctx workflow.Context) (Outcome, string, bool) {
	if !r.postDeploy || !r.shipsAPIDocs() {
		return "", "", true
	}
	var a *activities.Activities
	var res activities.AttachAPIDocsResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.AttachAPIDocs, activities.AttachAPIDocsInput{
		ReleaseID: r.spec.Metadata.ID, Services: r.spec.Services, At: workflow.Now(ctx),
	}).Get(ctx, &res)
	if err != nil {
		r.event(ctx, "api-docs-failed", "", "API documents not attached: "+errorMessage(err))
		return "", "", true
	}
	r.status.APIDocs = res.Reports
	for _, rep := range res.Reports {
		msg := fmt.Sprintf("OpenAPI of %s %s attached", rep.Service, rep.Version)
		if rep.Previous != "" {
			msg += fmt.Sprintf("; %d change(s) since %s", rep.Changes, rep.Previous)
		}
		if len(rep.Breaking) > 0 {
			var b []string
			for _, c := range rep.Breaking {
				b = append(b, c.Where+": "+c.Message)
			}
			msg += fmt.Sprintf(", %d BREAKING: %s", len(rep.Breaking), strings.Join(b, "; "))
			r.event(ctx, "api-breaking", "", msg)
			r.audit(ctx, "gate", "", msg, rep)
			continue
		}
		r.event(ctx, "api-docs", "", msg)
	}
	return "", "", true
}

func (r *releaseRun) shipsAPIDocs() bool {
	for _, s := range r.spec.Services {
		if s.OpenAPI != "" {
			return true
		}
	}
	return false
}
