package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/risk"
)

// governanceChange marks the release shape with risk scoring, policy-driven approval, freeze
// and window checks, target locks and the audit trail. Histories recorded before it replay
// without any of them.
const (
	governanceChange  = "governance"
	governanceVersion = 1
)

// RiskStatus is the risk phase as the status query shows it.
type RiskStatus struct {
	Score         float64             `json:"score"`
	Class         risk.Class          `json:"class"`
	Emergency     bool                `json:"emergency,omitempty"`
	Explanation   string              `json:"explanation"`
	Contributions []risk.Contribution `json:"contributions"`
	// Policy is the approval policy the class selected.
	Policy governance.Policy `json:"policy"`
}

var riskClassKey = temporal.NewSearchAttributeKeyKeyword(SearchAttrRiskClass)

func shortActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
}

// riskGate reads the source change, scores the release and selects its approval policy. A
// source that cannot be compared or a configuration error (unreadable directory, policies or
// risk model) ends the release: approving against a policy nobody can read would not be
// governance.
func (r *releaseRun) riskGate(ctx workflow.Context) (Outcome, string, bool) {
	if !r.governed {
		return "", "", true
	}
	r.setPhase(ctx, PhaseRisk)
	if outcome, reason, ok := r.readSource(ctx); !ok {
		return outcome, reason, false
	}
	var a *activities.Activities
	var res activities.AssessRiskResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.AssessRisk, activities.AssessRiskInput{
		Spec: r.spec, PlannedAt: workflow.Now(ctx), Size: r.changeSize(),
	}).Get(ctx, &res)
	if err != nil {
		return OutcomeInvalid, "risk: " + errorMessage(err), false
	}
	r.gov = &res
	r.status.Risk = &RiskStatus{
		Score: res.Assessment.Score, Class: res.Assessment.Class, Emergency: res.Assessment.Emergency,
		Explanation: res.Explanation, Contributions: res.Assessment.Contributions, Policy: res.Policy,
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, riskClassKey.ValueSet(string(res.Assessment.Class))); err != nil {
		workflow.GetLogger(ctx).Warn("risk class search attribute not updated", "error", err)
	}
	msg := fmt.Sprintf("risk %s (score %.0f)", res.Assessment.Class, res.Assessment.Score)
	if res.Policy.Flagged {
		r.status.Flagged = true
		msg += "; flagged for review"
	}
	r.event(ctx, "risk", "", msg)
	r.audit(ctx, "risk", "", msg, r.status.Risk)
	r.itsmRiskAssessed(ctx)
	if r.directoryGoverned() && res.Policy.RequireMitigation {
		if _, missing := governance.Satisfied(res.Policy, &res.Directory, r.facts(), nil); hasMitigationGap(missing) {
			return OutcomeRejected, "policy: " + strings.Join(mitigationGaps(missing), "; "), false
		}
	}
	r.freezeOutlook(ctx)
	return "", "", true
}

// directoryGoverned is true when approvals are decided by the directory and the risk class's
// policy. Without a directory the spec's approver list and quorum decide, with segregation of
// duties by name.
func (r *releaseRun) directoryGoverned() bool {
	return r.gov != nil && len(r.gov.Directory.People) > 0
}

func (r *releaseRun) facts() governance.Facts {
	f := governance.Facts{
		ReleaseID: r.spec.Metadata.ID, Owner: r.spec.Metadata.Owner, Initiator: r.status.Initiator,
		Authors: r.authors(),
	}
	if m := r.spec.Mitigation; m != nil {
		f.Mitigation = &governance.Mitigation{Mitigation: m.Mitigation, RollbackPlan: m.RollbackPlan, CommunicationPlan: m.CommunicationPlan}
	}
	for _, d := range r.status.Approval.Approved {
		f.Approved = append(f.Approved, d.Actor)
	}
	return f
}

// eligible decides whether actor may approve now; its error is what the caller sees.
func (r *releaseRun) eligible(actor string) error {
	if r.directoryGoverned() {
		return governance.Eligible(r.gov.Policy, &r.gov.Directory, r.facts(), actor)
	}
	if err := r.eligibleByName(actor); err != nil {
		return err
	}
	for _, author := range r.authors() {
		if strings.EqualFold(author, actor) {
			return fmt.Errorf("%s authored a change in release %q and cannot approve it (segregation of duties)", actor, r.status.ReleaseID)
		}
	}
	return nil
}

// approvalSatisfied is true when the gate may open.
func (r *releaseRun) approvalSatisfied() bool {
	ok, _ := r.approvalState()
	return ok
}

// approvalState reports whether the gate may open and what the policy still needs; it only
// reads state, so validators may call it.
func (r *releaseRun) approvalState() (bool, []string) {
	if r.directoryGoverned() {
		return governance.Satisfied(r.gov.Policy, &r.gov.Directory, r.facts(), r.approvers())
	}
	return len(r.status.Approval.Approved) >= r.spec.Approval.Required, nil
}

func (r *releaseRun) approvers() []string {
	out := make([]string, 0, len(r.status.Approval.Approved))
	for _, d := range r.status.Approval.Approved {
		out = append(out, d.Actor)
	}
	return out
}

func hasMitigationGap(missing []string) bool { return len(mitigationGaps(missing)) > 0 }

func mitigationGaps(missing []string) []string {
	var out []string
	for _, m := range missing {
		if strings.Contains(m, "mitigation") {
			out = append(out, m)
		}
	}
	return out
}
