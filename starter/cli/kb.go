package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/workflows"
)

type kbOptions struct {
	store                                       string
	title, body, workaround, service, releaseID string
	resolution                                  string
	all                                         bool
	now                                         func() time.Time
}

func newKBCmd(g *globals) *cobra.Command {
	o := &kbOptions{now: time.Now}
	cmd := &cobra.Command{
		Use:   "kb add|list|resolve",
		Short: "Known issues and workarounds, linked to releases and services, shown in support handoffs",
		Long: `The knowledge base lives in the store (--store, $` + envStore + `, default ` + defaultStore + `).
Open known issues of a release's services are part of its support handoff; review reports
filed by releases are listed here too.`,
	}
	cmd.PersistentFlags().StringVar(&o.store, "store", "", "store file")
	add := &cobra.Command{Use: "add --title TEXT [--service NAME] [--release ID] [--workaround TEXT]", Short: "Record a known issue",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return runKBAdd(cmd, g, o) }}
	add.Flags().StringVar(&o.title, "title", "", "what goes wrong")
	add.Flags().StringVar(&o.body, "body", "", "details")
	add.Flags().StringVar(&o.workaround, "workaround", "", "how support works around it")
	add.Flags().StringVar(&o.service, "service", "", "service it affects")
	add.Flags().StringVar(&o.releaseID, "release", "", "release that introduced or revealed it")
	_ = add.MarkFlagRequired("title")
	list := &cobra.Command{Use: "list [--service NAME] [--release ID] [--all]", Short: "List open known issues (--all: resolved ones and review reports too)",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return runKBList(cmd, g, o) }}
	list.Flags().StringVar(&o.service, "service", "", "only this service")
	list.Flags().StringVar(&o.releaseID, "release", "", "only this release")
	list.Flags().BoolVar(&o.all, "all", false, "include resolved issues and review reports")
	resolve := &cobra.Command{Use: "resolve ID --resolution TEXT", Short: "Mark a known issue resolved",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error { return runKBResolve(cmd, g, o, args[0]) }}
	resolve.Flags().StringVar(&o.resolution, "resolution", "", "how it was resolved")
	_ = resolve.MarkFlagRequired("resolution")
	cmd.AddCommand(add, list, resolve)
	return cmd
}

func openKB(o *kbOptions) (*store.SQLite, error) {
	return store.OpenSQLite(envOr(o.store, envStore, defaultStore))
}

func runKBAdd(cmd *cobra.Command, g *globals, o *kbOptions) error {
	actor, err := g.actor()
	if err != nil {
		return err
	}
	s, err := openKB(o)
	if err != nil {
		return err
	}
	defer s.Close()
	e := store.KnowledgeEntry{Kind: store.KnowledgeIssue, ReleaseID: o.releaseID, Service: o.service, Title: o.title,
		Body: o.body, Workaround: o.workaround, CreatedBy: actor, CreatedAt: o.now().UTC()}
	id, err := s.AddKnowledge(cmd.Context(), e)
	if err != nil {
		return err
	}
	e.ID = id
	if g.json() {
		return writeJSON(g.env.Stdout, e)
	}
	fmt.Fprintf(g.env.Stdout, "known issue %d recorded\n", id)
	return nil
}

func runKBList(cmd *cobra.Command, g *globals, o *kbOptions) error {
	s, err := openKB(o)
	if err != nil {
		return err
	}
	defer s.Close()
	f := store.KnowledgeFilter{Service: o.service, ReleaseID: o.releaseID, Open: !o.all}
	if !o.all {
		f.Kind = store.KnowledgeIssue
	}
	entries, err := s.ListKnowledge(cmd.Context(), f)
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.env.Stdout, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintln(g.env.Stdout, "no entries")
	}
	for _, e := range entries {
		state := "open"
		if e.Resolved() {
			state = "resolved: " + e.Resolution
		}
		fmt.Fprintf(g.env.Stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Kind, dash(e.Service), dash(e.ReleaseID), e.Title, state)
		if e.Workaround != "" {
			fmt.Fprintf(g.env.Stdout, "\tworkaround: %s\n", e.Workaround)
		}
	}
	return nil
}

func runKBResolve(cmd *cobra.Command, g *globals, o *kbOptions, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return fmt.Errorf("kb resolve %q: want the numeric ID that kb list shows", arg)
	}
	s, err := openKB(o)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.ResolveKnowledge(cmd.Context(), id, o.resolution, o.now().UTC()); err != nil {
		return err
	}
	fmt.Fprintf(g.env.Stdout, "known issue %d resolved\n", id)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newAckCmd(g *globals) *cobra.Command {
	cmd := newControlCmd(g, controlCommand{update: workflows.UpdateAcknowledgeHandoff,
		short: "Acknowledge a release's support handoff (a member of the support group); the release then closes"})
	cmd.Use = "ack ID"
	cmd.Example = "  tollgate ack payments-2026.11.2 --as sam"
	return cmd
}
