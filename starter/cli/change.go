package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/store"
)

type changeOptions struct {
	store string
	limit int
}

func newChangeCmd(g *globals) *cobra.Command {
	o := &changeOptions{}
	cmd := &cobra.Command{
		Use:   "change show|list",
		Short: "Change records kept in the store when no Jira is configured",
		Long: `Without Jira, each release's change record lives in the store (--store, $` + envStore + `,
default ` + defaultStore + `): the same content a Jira change request gets (summary, risk,
implementation, backout and test plans, services), its status as the release moves
(Open, Awaiting approval, Implementing, Rolled back, Closed (<outcome>)), and comments
recording approvals, gate results, waves, rollback and the review outcome.`,
		Example: `  tollgate change list
  tollgate change show payments-2026.11.2
  tollgate change show CHG-7 -o json`,
	}
	cmd.PersistentFlags().StringVar(&o.store, "store", "", "store file")
	show := &cobra.Command{Use: "show RELEASE|KEY", Short: "Show a change record with its transitions and comments",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error { return runChangeShow(cmd, g, o, args[0]) }}
	list := &cobra.Command{Use: "list [--limit N]", Short: "List change records, newest first",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return runChangeList(cmd, g, o) }}
	list.Flags().IntVar(&o.limit, "limit", 50, "at most this many records")
	cmd.AddCommand(show, list)
	return cmd
}

// openChanges opens an existing store only: a read must not leave an empty store behind.
func openChanges(o *changeOptions) (*store.SQLite, error) {
	path := envOr(o.store, envStore, defaultStore)
	if !fileExists(path) {
		return nil, fmt.Errorf("change: store %s does not exist (--store or $%s)", path, envStore)
	}
	return store.OpenSQLite(path)
}

func runChangeShow(cmd *cobra.Command, g *globals, o *changeOptions, ref string) error {
	s, err := openChanges(o)
	if err != nil {
		return err
	}
	defer s.Close()
	rec, err := s.GetChange(cmd.Context(), ref)
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.env.Stdout, rec)
	}
	printChange(g.env.Stdout, rec)
	return nil
}

func runChangeList(cmd *cobra.Command, g *globals, o *changeOptions) error {
	s, err := openChanges(o)
	if err != nil {
		return err
	}
	defer s.Close()
	recs, err := s.ListChanges(cmd.Context(), o.limit)
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.env.Stdout, nonNilChanges(recs))
	}
	if len(recs) == 0 {
		fmt.Fprintln(g.env.Stdout, "no change records")
		return nil
	}
	tw := tabwriter.NewWriter(g.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tRELEASE\tSTATUS\tRISK\tUPDATED\tSUMMARY")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, r.ReleaseID, r.Status, dash(r.RiskClass), changeStamp(r.UpdatedAt), r.Summary)
	}
	return tw.Flush()
}

func printChange(w io.Writer, r store.ChangeRecord) {
	fmt.Fprintf(w, "%s  %s\n", r.Key, r.Summary)
	fmt.Fprintf(w, "release:   %s\nstatus:    %s\n", r.ReleaseID, r.Status)
	risk := dash(r.RiskClass)
	if r.RiskExplanation != "" {
		risk += " — " + r.RiskExplanation
	}
	fmt.Fprintf(w, "risk:      %s\n", risk)
	fmt.Fprintf(w, "services:  %s\n", dash(strings.Join(r.Services, ", ")))
	fmt.Fprintf(w, "created:   %s\nupdated:   %s\n", changeStamp(r.CreatedAt), changeStamp(r.UpdatedAt))
	for _, sec := range []struct{ title, text string }{
		{"Description", r.Description}, {"Implementation plan", r.Implementation},
		{"Backout plan", r.Backout}, {"Test plan", r.TestPlan},
	} {
		if sec.text != "" {
			fmt.Fprintf(w, "\n%s:\n%s\n", sec.title, changeIndent(sec.text, "  "))
		}
	}
	fmt.Fprintln(w, "\nTransitions:")
	if len(r.Transitions) == 0 {
		fmt.Fprintln(w, "  none yet")
	}
	for _, t := range r.Transitions {
		fmt.Fprintf(w, "  %s  %s → %s\n", changeStamp(t.At), t.From, t.To)
	}
	fmt.Fprintln(w, "\nComments:")
	if len(r.Comments) == 0 {
		fmt.Fprintln(w, "  none yet")
	}
	for _, c := range r.Comments {
		fmt.Fprintf(w, "  %s\n%s\n", changeStamp(c.At), changeIndent(c.Body, "    "))
	}
}

// changeIndent prefixes every line of text, so multi-line plans and comments stay readable.
func changeIndent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func changeStamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// nonNilChanges makes an empty list "[]" in JSON rather than null.
func nonNilChanges(recs []store.ChangeRecord) []store.ChangeRecord {
	if recs == nil {
		return []store.ChangeRecord{}
	}
	return recs
}
