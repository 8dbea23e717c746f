package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/tollgate-dev/tollgate/calendar"
)

type freezeOptions struct {
	calendar string
	add      calendar.Freeze
	start    string
	end      string
	duration string
}

func newFreezeCmd(g *globals) *cobra.Command {
	o := &freezeOptions{}
	cmd := &cobra.Command{
		Use:   "freeze list|add|remove",
		Short: "Manage change freezes in the calendar file",
		Long: `The calendar file (--calendar, $` + envCalendar + `, default ` + defaultCalendar + `) is YAML you may also edit
by hand; add and remove keep its comments. Times are wall-clock times in the freeze's --tz.`,
	}
	cmd.PersistentFlags().StringVar(&o.calendar, "calendar", "", "calendar file")
	list := &cobra.Command{Use: "list", Short: "List freezes and windows", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runFreezeList(g, o) }}
	add := &cobra.Command{Use: "add --id ID --reason TEXT --tz ZONE --start T (--end T | --rrule RULE --duration D)",
		Short: "Add a one-off or recurring freeze",
		Example: `  tollgate freeze add --id year-end --reason "year-end freeze" --tz America/New_York \
      --start 2026-12-20T00:00 --end 2027-01-04T09:00
  tollgate freeze add --id fridays --reason "no Friday deploys" --tz Europe/Berlin \
      --start 2026-01-02T15:00 --rrule "FREQ=WEEKLY;BYDAY=FR" --duration 64h --env prod-eu`,
		Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return runFreezeAdd(g, o) }}
	f := add.Flags()
	f.StringVar(&o.add.ID, "id", "", "freeze ID")
	f.StringVar(&o.add.Reason, "reason", "", "why changes stop")
	f.StringVar(&o.add.TimeZone, "tz", "", "IANA time zone, e.g. Europe/Berlin")
	f.StringVar(&o.start, "start", "", "start, local YYYY-MM-DDTHH:MM")
	f.StringVar(&o.end, "end", "", "end of a one-off freeze, local YYYY-MM-DDTHH:MM")
	f.StringVar(&o.add.RRule, "rrule", "", "RFC 5545 recurrence, e.g. FREQ=WEEKLY;BYDAY=FR")
	f.StringVar(&o.duration, "duration", "", "length of each occurrence of a recurring freeze, e.g. 64h")
	f.StringSliceVar(&o.add.Scope.Services, "service", nil, "limit to these services (repeatable)")
	f.StringSliceVar(&o.add.Scope.Environments, "env", nil, "limit to these environments (repeatable)")
	remove := &cobra.Command{Use: "remove ID", Short: "Remove a freeze", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runFreezeRemove(g, o, args[0]) }}
	cmd.AddCommand(list, add, remove)
	return cmd
}

func (o *freezeOptions) path() string { return envOr(o.calendar, envCalendar, defaultCalendar) }

// readCalendar returns the file's YAML document (an empty one when the file is missing).
func readCalendar(path string) (*yaml.Node, *calendar.Calendar, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		data = []byte("# Tollgate calendar: freezes, exceptions, deployment windows and peak hours.\nfreezes: []\n")
	} else if err != nil {
		return nil, nil, err
	}
	cal, err := calendar.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	return &doc, cal, nil
}

// freezesNode returns the freezes sequence of the document, creating it when absent.
func freezesNode(doc *yaml.Node) *yaml.Node {
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "freezes" {
			seq := root.Content[i+1]
			seq.Kind, seq.Tag, seq.Style = yaml.SequenceNode, "!!seq", 0 // "freezes: []" becomes block style
			return seq
		}
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "freezes"}, seq)
	return seq
}

// writeCalendar checks the edited document parses as a valid calendar, then replaces the file
// atomically so a concurrent reader never sees half a calendar.
func writeCalendar(path string, doc *yaml.Node) error {
	out, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := calendar.Parse(out); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func runFreezeAdd(g *globals, o *freezeOptions) error {
	path := o.path()
	doc, cal, err := readCalendar(path)
	if err != nil {
		return err
	}
	fr := o.add
	if fr.Start, err = calendar.ParseLocalTime(o.start); err != nil {
		return fmt.Errorf("freeze add %q: --start: %w", fr.ID, err)
	}
	if o.end != "" {
		if fr.End, err = calendar.ParseLocalTime(o.end); err != nil {
			return fmt.Errorf("freeze add %q: --end: %w", fr.ID, err)
		}
	}
	if o.duration != "" {
		if err := fr.Duration.UnmarshalText([]byte(o.duration)); err != nil {
			return fmt.Errorf("freeze add %q: --duration: %w", fr.ID, err)
		}
	}
	cal.Freezes = append(cal.Freezes, fr)
	if err := cal.Validate(); err != nil {
		return err
	}
	var node yaml.Node
	if err := node.Encode(fr); err != nil {
		return err
	}
	seq := freezesNode(doc)
	seq.Content = append(seq.Content, &node)
	if err := writeCalendar(path, doc); err != nil {
		return err
	}
	fmt.Fprintf(g.env.Stdout, "%s: added freeze %q (%s)\n", path, fr.ID, describeFreeze(fr))
	return nil
}

func runFreezeRemove(g *globals, o *freezeOptions, id string) error {
	path := o.path()
	doc, _, err := readCalendar(path)
	if err != nil {
		return err
	}
	seq := freezesNode(doc)
	for i, n := range seq.Content {
		var f calendar.Freeze
		if err := n.Decode(&f); err == nil && f.ID == id {
			seq.Content = append(seq.Content[:i], seq.Content[i+1:]...)
			if err := writeCalendar(path, doc); err != nil {
				return err
			}
			fmt.Fprintf(g.env.Stdout, "%s: removed freeze %q\n", path, id)
			return nil
		}
	}
	return fmt.Errorf("%s: no freeze %q (tollgate freeze list shows them)", path, id)
}

func runFreezeList(g *globals, o *freezeOptions) error {
	_, cal, err := readCalendar(o.path())
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.env.Stdout, cal)
	}
	w := g.env.Stdout
	if len(cal.Freezes) == 0 && len(cal.Windows) == 0 {
		fmt.Fprintf(w, "%s: no freezes or windows: tollgate freeze add --help\n", o.path())
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FREEZE\tWHEN\tSCOPE\tREASON")
	for _, f := range cal.Freezes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.ID, describeFreeze(f), describeScope(f.Scope), f.Reason)
	}
	for _, win := range cal.Windows {
		fmt.Fprintf(tw, "window %s\t%s %s–%s %s\t%s\t\n", win.Name, strings.Join(win.Days, ","), win.Start, win.End, win.TimeZone,
			describeScope(calendar.Scope{Environments: append(win.Environments, win.Regions...)}))
	}
	return tw.Flush()
}

func describeFreeze(f calendar.Freeze) string {
	if f.RRule == "" {
		return fmt.Sprintf("%s → %s %s", f.Start, f.End, f.TimeZone)
	}
	return fmt.Sprintf("%s from %s for %s %s", f.RRule, f.Start, time.Duration(f.Duration), f.TimeZone)
}

func describeScope(s calendar.Scope) string {
	var parts []string
	if len(s.Services) > 0 {
		parts = append(parts, "services "+strings.Join(s.Services, ","))
	}
	if len(s.Environments) > 0 {
		parts = append(parts, strings.Join(s.Environments, ","))
	}
	if len(parts) == 0 {
		return "organization"
	}
	return strings.Join(parts, " in ")
}
