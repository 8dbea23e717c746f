package release

// escalation checks the approval reminders and escalation, and the conflict policy.
func (v *validator) escalation() {
	a := v.spec.Approval
	v.nonNegative("approval.remindEvery", a.RemindEvery)
	v.nonNegative("approval.escalateAfter", a.EscalateAfter)
	if a.EscalateAfter > 0 && a.EscalateTo == "" {
		v.add("approval.escalateTo", "required when approval.escalateAfter is set: the group or person the request escalates to")
	}
	if a.EscalateTo != "" && a.EscalateAfter == 0 {
		v.add("approval.escalateAfter", "required when approval.escalateTo is set")
	}
	switch c := v.spec.Deployment.OnConflict; c {
	case "", OnConflictWait, OnConflictRefuse:
	default:
		v.add("deployment.onConflict", "unknown policy %q: use %q or %q", c, OnConflictWait, OnConflictRefuse)
	}
}
