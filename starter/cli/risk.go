package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
	"github.com/tollgate-dev/tollgate/store"
)

// Environment variables and defaults of the governance commands.
const (
	envCalendar     = "TOLLGATE_CALENDAR"
	envStore        = "TOLLGATE_STORE"
	envAuditKey     = "TOLLGATE_AUDIT_KEY"
	defaultCalendar = ".tollgate/calendar.yaml"
	defaultStore    = ".tollgate/tollgate.db"
)

// envOr returns the flag value, else the environment variable, else def.
func envOr(flag, env, def string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

type riskOptions struct {
	file, calendar, store, model, directory, policies string
	files, lines                                      int
	at                                                string
}

func newRiskCmd(g *globals) *cobra.Command {
	o := &riskOptions{files: -1, lines: -1}
	cmd := &cobra.Command{
		Use:   "risk -f FILE",
		Short: "Explain the risk score and class of a release without starting it",
		Long: `Scores a release 0–100 from its blast radius, change size, migrations, service history
(from the store, when it exists), and peak hours (from the calendar), and prints each feature's
contribution. Without --files/--lines the change size is "unknown" and counts at half weight.`,
		Example: `  tollgate risk -f examples/releases/payments.yaml
  tollgate risk -f release.yaml --files 12 --lines 480 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRisk(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.file, "file", "f", "", "release spec (YAML)")
	f.StringVar(&o.calendar, "calendar", "", "calendar file for peak hours (default $"+envCalendar+" or "+defaultCalendar+")")
	f.StringVar(&o.store, "store", "", "store for release history (default $"+envStore+" or "+defaultStore+"; skipped when absent)")
	f.StringVar(&o.model, "risk-config", "", "risk model YAML (default: the shipped weights)")
	f.StringVar(&o.directory, "directory", "", "people directory YAML")
	f.StringVar(&o.policies, "policies", "", "approval policies YAML")
	f.IntVar(&o.files, "files", -1, "files changed since the previous release (unknown when omitted)")
	f.IntVar(&o.lines, "lines", -1, "lines changed since the previous release (unknown when omitted)")
	f.StringVar(&o.at, "at", "", "planned start, RFC 3339 (default now)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// riskReport is the JSON shape of `risk -o json`.
type riskReport struct {
	Release    string            `json:"release"`
	Assessment risk.Assessment   `json:"assessment"`
	Policy     any               `json:"policy"`
	Size       *risk.ChangeSize  `json:"size,omitempty"`
	Sources    map[string]string `json:"sources"`
}

func runRisk(ctx context.Context, g *globals, o *riskOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	spec, err := release.Load(o.file)
	if err != nil {
		return err
	}
	at := time.Now()
	if o.at != "" {
		if at, err = time.Parse(time.RFC3339, o.at); err != nil {
			return fmt.Errorf("--at %q: want RFC 3339, e.g. 2026-12-01T22:00:00+01:00", o.at)
		}
	}
	var size *risk.ChangeSize
	if o.files >= 0 || o.lines >= 0 {
		size = &risk.ChangeSize{Files: max(o.files, 0), Lines: max(o.lines, 0)}
	}
	a := &activities.Activities{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Governance: activities.GovernanceConfig{
		CalendarPath: envOr(o.calendar, envCalendar, defaultCalendar), RiskPath: o.model, DirectoryPath: o.directory, PoliciesPath: o.policies}}
	sources := map[string]string{"calendar": a.Governance.CalendarPath, "history": "none"}
	if path := envOr(o.store, envStore, defaultStore); fileExists(path) {
		st, err := store.OpenSQLite(path)
		if err != nil {
			return err
		}
		defer st.Close()
		a.Store, sources["history"] = st, path
	}
	res, err := a.AssessRisk(ctx, activities.AssessRiskInput{Spec: *spec, PlannedAt: at, Size: size})
	if err != nil {
		return fmt.Errorf("risk of release %q: %w", spec.Metadata.ID, err)
	}
	if g.json() {
		return writeJSON(g.env.Stdout, riskReport{Release: spec.Metadata.ID, Assessment: res.Assessment, Policy: res.Policy, Size: size, Sources: sources})
	}
	fmt.Fprintf(g.env.Stdout, "release %s\n%s", spec.Metadata.ID, res.Explanation)
	p := res.Policy
	fmt.Fprintf(g.env.Stdout, "approval: %d distinct approver(s)", p.Quorum)
	for _, gq := range p.Groups {
		fmt.Fprintf(g.env.Stdout, ", %d from %s", gq.Min, gq.Group)
	}
	for _, r := range p.Roles {
		fmt.Fprintf(g.env.Stdout, ", one with role %s", r)
	}
	if p.RequireMitigation {
		fmt.Fprint(g.env.Stdout, ", and a mitigation plan")
	}
	fmt.Fprintln(g.env.Stdout)
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
