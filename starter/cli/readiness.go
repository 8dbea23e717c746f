package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

type readinessOptions struct {
	file  string
	phase string
	at    string
}

func newReadinessCmd(g *globals) *cobra.Command {
	o := &readinessOptions{}
	cmd := &cobra.Command{
		Use:   "readiness -f FILE",
		Short: "Collect a release's evidence locally and print its readiness gate table",
		Long: `Collects the evidence the spec declares (reports, git history, documents, probes,
attestations, rollback prerequisites, load test, DR drill, migration dry run) from the spec
file's directory, evaluates every criterion and prints the gate table. Exits non-zero when a
blocking criterion fails. The migration dry run needs the PostgreSQL DSN in the variable
preDeploy.migrations.dsnEnv names.`,
		Example: `  tollgate readiness -f release.yaml
  tollgate readiness -f release.yaml --phase readiness -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReadiness(cmd.Context(), g, o) },
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "", "release spec (YAML)")
	cmd.Flags().StringVar(&o.phase, "phase", "all", "which criteria: readiness, preDeploy or all")
	cmd.Flags().StringVar(&o.at, "at", "", "evaluate as of this RFC 3339 time (default now)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// readinessReport is the JSON shape of `readiness -o json`.
type readinessReport struct {
	Release string                         `json:"release"`
	Phase   string                         `json:"phase"`
	Blocked bool                           `json:"blocked"`
	Summary string                         `json:"summary"`
	Rows    []policy.Row                   `json:"rows"`
	Sources map[string]policy.SourceStatus `json:"sources"`
}

func runReadiness(ctx context.Context, g *globals, o *readinessOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var phase policy.Phase
	switch o.phase {
	case "all", "":
	case string(policy.PhaseReadiness), string(policy.PhasePreDeploy):
		phase = policy.Phase(o.phase)
	default:
		return fmt.Errorf("--phase %q: want readiness, preDeploy or all", o.phase)
	}
	at := time.Now()
	if o.at != "" {
		t, err := time.Parse(time.RFC3339, o.at)
		if err != nil {
			return fmt.Errorf("--at %q: want RFC 3339 such as 2026-11-02T12:00:00Z", o.at)
		}
		at = t
	}
	spec, err := release.Load(o.file)
	if err != nil {
		return err
	}
	base := filepath.Dir(o.file)
	set, err := activities.CompileReadiness(*spec, base)
	if err != nil {
		return fmt.Errorf("release %q: readiness criteria: %w", spec.Metadata.ID, err)
	}
	col, err := activities.Gather(ctx, activities.GatherInput{Spec: *spec, BaseDir: base, Phase: phase, At: at})
	if err != nil {
		return fmt.Errorf("release %q: collect evidence: %w", spec.Metadata.ID, err)
	}
	t := set.Evaluate(col, phase)
	rep := readinessReport{Release: spec.Metadata.ID, Phase: o.phase, Blocked: t.Blocked(), Summary: t.Summary(),
		Rows: t.Rows, Sources: col.Sources}
	if rep.Rows == nil {
		rep.Rows = []policy.Row{}
	}
	if g.json() {
		if err := writeJSON(g.env.Stdout, rep); err != nil {
			return err
		}
	} else {
		printGateTable(g.env.Stdout, rep)
	}
	if rep.Blocked {
		return fmt.Errorf("release %q: readiness blocked: %s", spec.Metadata.ID, strings.Join(blockingIDs(t), ", "))
	}
	return nil
}

func blockingIDs(t policy.Table) []string {
	var ids []string
	for _, r := range t.Rows {
		if r.Blocks() {
			ids = append(ids, r.Criterion)
		}
	}
	return ids
}

// printGateTable prints the gate table: one line per criterion, then why each failed.
func printGateTable(w io.Writer, rep readinessReport) {
	if len(rep.Rows) == 0 {
		fmt.Fprintf(w, "release %q declares no readiness criteria\n", rep.Release)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tCRITERION\tOWNER\tSEVERITY\tEXPECTED\tOBSERVED\tEVIDENCE")
	for _, r := range rep.Rows {
		result := "pass"
		if !r.Passed {
			result = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", result, r.Criterion, r.Owner, r.Severity,
			clipText(r.Expected, 70), clipText(r.ObservedText(), 70), clipText(r.Evidence, 50))
	}
	tw.Flush()
	var failed []policy.Row
	for _, r := range rep.Rows {
		if !r.Passed {
			failed = append(failed, r)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(w)
		for _, r := range failed {
			fmt.Fprintf(w, "%s (%s, owner %s): %s\n", r.Criterion, r.Severity, r.Owner, r.Message)
		}
	}
	fmt.Fprintf(w, "\n%s\n", rep.Summary)
}

func clipText(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
