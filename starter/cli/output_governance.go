package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/workflows"
)

// printGovernance prints risk, what holds the release, freeze exceptions and artifact checks.
func printGovernance(w io.Writer, st workflows.Status) {
	if src := st.Source; src != nil {
		fmt.Fprintf(w, "Source    %s...%s: %d commit(s), %d file(s), %d line(s); authors %s\n", src.Base, src.Head,
			src.Commits, src.Files, src.Lines, orNone(strings.Join(src.Authors, ", ")))
	}
	if r := st.Risk; r != nil {
		flag := ""
		if st.Flagged {
			flag = " (flagged)"
		}
		fmt.Fprintf(w, "Risk      %s, score %.0f%s\n", r.Class, r.Score, flag)
		for _, line := range strings.Split(strings.TrimSpace(r.Explanation), "\n") {
			fmt.Fprintf(w, "          %s\n", line)
		}
	}
	if len(st.Approval.Missing) > 0 {
		fmt.Fprintf(w, "Needs     %s\n", strings.Join(st.Approval.Missing, "; "))
	}
	if !st.Approval.Escalated.IsZero() {
		fmt.Fprintf(w, "Escalated %s\n", st.Approval.Escalated.Local().Format(time.DateTime))
	}
	if st.Waiting != "" {
		fmt.Fprintf(w, "Waiting   %s\n", st.Waiting)
	}
	if cc := st.ChangeControl; cc != nil {
		fmt.Fprintf(w, "Change    %s\n", changeControlLine(*cc))
	}
	printRecords(w, st.Records)
	for _, ex := range st.Exceptions {
		fmt.Fprintf(w, "Exception freeze %q by %s until %s: %s\n", ex.Freeze, ex.GrantedBy, ex.Expires.Local().Format(time.DateTime), ex.Justification)
	}
	if in := st.Integrity; in != nil {
		verdict := "passed"
		if !in.Passed {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "Integrity %s\n", verdict)
		for _, a := range in.Artifacts {
			var failed []string
			for _, c := range a.Checks {
				if !c.Passed {
					failed = append(failed, fmt.Sprintf("%s (%s): %s", c.Check, c.Reason, c.Message))
				}
			}
			if len(failed) == 0 {
				fmt.Fprintf(w, "          %s %s %s: %d checks passed\n", a.Service, a.Version, a.Digest, len(a.Checks))
				continue
			}
			fmt.Fprintf(w, "          %s %s: %s\n", a.Service, a.Version, strings.Join(failed, "; "))
		}
	}
	if st.AuditHead != "" {
		fmt.Fprintf(w, "Audit     sealed at %s\n", st.AuditHead)
	}
}

// printRecords names the change request and GitHub deployments, and every record the release
// could not write (the audit trail has them too).
func printRecords(w io.Writer, rs *workflows.RecordsStatus) {
	if rs == nil {
		return
	}
	var parts []string
	if rs.ChangeKey != "" {
		parts = append(parts, "change request "+rs.ChangeKey)
	}
	if len(rs.Deployments) > 0 {
		envs := slices.Sorted(maps.Keys(rs.Deployments))
		var ds []string
		for _, env := range envs {
			ds = append(ds, fmt.Sprintf("%s #%d", env, rs.Deployments[env]))
		}
		parts = append(parts, "GitHub deployments "+strings.Join(ds, ", "))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "Records   %s\n", strings.Join(parts, "; "))
	}
	for _, f := range rs.Failures {
		fmt.Fprintf(w, "          NOT WRITTEN %s %s: %s\n", f.System, f.Record, f.Error)
	}
}

// changeControlLine says where the Jira change request stands in ITSM-driven mode.
func changeControlLine(cc workflows.ChangeControlStatus) string {
	key := cc.Key
	if key == "" {
		key = "change request (not created yet)"
	}
	if !cc.Decided.IsZero() {
		return fmt.Sprintf("%s reached %q at %s", key, cc.Status, cc.Decided.Local().Format(time.DateTime))
	}
	line := fmt.Sprintf("%s must reach %q in Jira by %s", key, cc.WaitFor, cc.Deadline.Local().Format(time.DateTime))
	if len(cc.RejectOn) > 0 {
		line += "; stops on " + strings.Join(cc.RejectOn, ", ")
	}
	return line
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
