package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func printList(w io.Writer, list []control.Summary) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no releases yet: tollgate release start -f FILE")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RELEASE\tPHASE\tSTATUS\tSERVICES\tSTARTED")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ReleaseID, s.Phase, strings.TrimPrefix(s.Status, "WORKFLOW_EXECUTION_STATUS_"),
			strings.Join(s.Services, ","), s.StartedAt.Local().Format(time.DateTime))
	}
	tw.Flush()
}

func printStatus(w io.Writer, st workflows.Status) {
	fmt.Fprintf(w, "Release   %s — %s\n", st.ReleaseID, st.Title)
	fmt.Fprintf(w, "Owner     %s (started by %s)\n", st.Owner, st.Initiator)
	phase := string(st.Phase)
	if st.Paused {
		phase += " (paused)"
	}
	fmt.Fprintf(w, "Phase     %s\n", phase)
	if st.Outcome != "" {
		fmt.Fprintf(w, "Outcome   %s%s\n", st.Outcome, suffix(st.Reason))
	}
	var by []string
	for _, d := range st.Approval.Approved {
		by = append(by, d.Actor)
	}
	fmt.Fprintf(w, "Approval  %d of %d from %s", len(st.Approval.Approved), st.Approval.Required, strings.Join(st.Approval.Approvers, ", "))
	if len(by) > 0 {
		fmt.Fprintf(w, "; approved by %s", strings.Join(by, ", "))
	}
	if st.Approval.Rejected != nil {
		fmt.Fprintf(w, "; rejected by %s: %s", st.Approval.Rejected.Actor, st.Approval.Rejected.Reason)
	}
	fmt.Fprintln(w)
	if !st.ReviewDue.IsZero() {
		fmt.Fprintf(w, "Review    due %s\n", st.ReviewDue.Local().Format(time.DateTime))
	}
	printGovernance(w, st)
	printGates(w, st.Readiness)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WAVE\tENVIRONMENT\tSERVICE\tVERSION\tSTATE\tNOTE")
	for _, wv := range st.Waves {
		for _, env := range wv.Environments {
			for _, s := range env.Services {
				fmt.Fprintf(tw, "%s (%s)\t%s\t%s\t%s\t%s\t%s\n", wv.Name, wv.State, env.Name, s.Name, s.Version, s.State, s.Error)
			}
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Timeline")
	for _, ev := range st.Timeline {
		printEvent(w, ev)
	}
}

func printEvent(w io.Writer, ev workflows.Event) {
	actor := ""
	if ev.Actor != "" {
		actor = " [" + ev.Actor + "]"
	}
	fmt.Fprintf(w, "  %s %-20s%s %s\n", ev.Time.Local().Format(time.TimeOnly), ev.Kind, actor, ev.Message)
}

// printStateChanges prints each service whose state changed since the last call.
func printStateChanges(w io.Writer, st workflows.Status, seen map[string]workflows.ServiceState) {
	for _, wv := range st.Waves {
		for _, env := range wv.Environments {
			for _, s := range env.Services {
				key := wv.Name + "/" + env.Name + "/" + s.Name
				if prev, ok := seen[key]; (ok || s.State != workflows.ServicePending) && prev != s.State {
					fmt.Fprintf(w, "  %s %-20s %s/%s → %s %s\n", time.Now().Format(time.TimeOnly), "service", env.Name, s.Name, s.State, s.Error)
				}
				seen[key] = s.State
			}
		}
	}
}
