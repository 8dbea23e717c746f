package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/tollgate-dev/tollgate/workflows"
)

// printGates prints the readiness and pre-deploy gate tables of a release status: one line per
// criterion with its owner, expectation, observation, evidence and waiver, then why each
// failed and who waived what.
func printGates(w io.Writer, rs *workflows.ReadinessStatus) {
	if rs == nil {
		return
	}
	if len(rs.ConfigSnapshot) > 0 {
		fmt.Fprintf(w, "Config    snapshot of %d file(s) taken %s\n", len(rs.ConfigSnapshot), rs.SnapshotAt.Local().Format(time.DateTime))
	}
	if c := rs.RollbackCheck; c != nil {
		state := "ready"
		if !c.Ready {
			state = "NOT ready"
		}
		fmt.Fprintf(w, "Rollback  prerequisites %s at %s\n", state, c.At.Local().Format(time.DateTime))
		for _, warn := range c.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	for _, g := range rs.Gates {
		printGate(w, g)
	}
}

func printGate(w io.Writer, g workflows.GateStatus) {
	state := "passed"
	if g.Blocked {
		state = "BLOCKED"
	}
	fmt.Fprintf(w, "\nGate      %s: %s — %s\n", g.Phase, state, g.Summary)
	if g.Error != "" {
		fmt.Fprintf(w, "  %s\n  fix the cause, then: tollgate recheck ID\n", g.Error)
		return
	}
	if len(g.Rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tCRITERION\tOWNER\tSEVERITY\tEXPECTED\tOBSERVED\tEVIDENCE\tWAIVED BY")
	for _, r := range g.Rows {
		result, by := "pass", ""
		switch {
		case r.Waiver != nil:
			result, by = "waived", r.Waiver.Actor
		case !r.Passed:
			result = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", result, r.Criterion, r.Owner, r.Severity,
			clipText(r.Expected, 60), clipText(r.ObservedText(), 60), clipText(r.Evidence, 40), by)
	}
	tw.Flush()
	for _, r := range g.Rows {
		switch {
		case r.Waiver != nil:
			fmt.Fprintf(w, "  %s: waived by %s at %s: %s\n", r.Criterion, r.Waiver.Actor, r.Waiver.Time.Local().Format(time.DateTime), r.Waiver.Reason)
		case !r.Passed:
			fmt.Fprintf(w, "  %s (%s, owner %s): %s\n", r.Criterion, r.Severity, r.Owner, r.Message)
		}
	}
	if g.Blocked {
		fmt.Fprintln(w, "  fix and run: tollgate recheck ID   or, as the owner: tollgate waive ID --criterion C --reason R")
	}
}
