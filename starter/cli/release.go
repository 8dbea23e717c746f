package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

func newReleaseCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Start, list, inspect and watch releases",
	}
	cmd.AddCommand(newStartCmd(g), newListCmd(g), newStatusCmd(g), newWatchCmd(g), newWaitCmd(g))
	return cmd
}

type startOptions struct {
	file   string
	id     string
	follow bool
}

func newStartCmd(g *globals) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:     "start -f FILE [--follow]",
		Short:   "Start a release from its spec (starting it again finds the running one)",
		Example: `  tollgate release start -f examples/releases/storefront.yaml --as alice --follow`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runStart(cmd.Context(), g, o) },
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "", "release spec (YAML)")
	cmd.Flags().StringVar(&o.id, "id", "", "release ID to use instead of the spec's metadata.id (to run a spec again)")
	cmd.Flags().BoolVar(&o.follow, "follow", false, "watch the release until it ends")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func runStart(ctx context.Context, g *globals, o *startOptions) error {
	actor, err := g.actor()
	if err != nil {
		return err
	}
	spec, err := release.Load(o.file)
	if err != nil {
		var ps release.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(g.env.Stderr, p.Error())
			}
			return fmt.Errorf("start release from %s: the spec has %d problem(s); nothing was started", o.file, len(ps))
		}
		return err
	}
	if o.id != "" {
		spec.Metadata.ID = o.id
		if err := release.Validate(spec); err != nil {
			return fmt.Errorf("--id %q: %w", o.id, err)
		}
	}
	c, closeFn, err := g.dial(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	st, err := c.Start(ctx, spec, actor)
	if err != nil {
		return err
	}
	if g.json() && !o.follow {
		return writeJSON(g.env.Stdout, st)
	}
	if st.Existing {
		fmt.Fprintf(g.env.Stdout, "release %q is already running (run %s); not started again\n", st.ReleaseID, st.RunID)
	} else {
		fmt.Fprintf(g.env.Stdout, "release %q started by %s (run %s)\n", st.ReleaseID, actor, st.RunID)
	}
	if o.follow {
		return watch(ctx, g, c, st.ReleaseID)
	}
	fmt.Fprintf(g.env.Stdout, "follow it: tollgate release watch %s\n", st.ReleaseID)
	return nil
}

type listOptions struct{ limit int }

func newListCmd(g *globals) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List releases, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			list, err := c.List(cmd.Context(), o.limit)
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.env.Stdout, list)
			}
			printList(g.env.Stdout, list)
			return nil
		},
	}
	cmd.Flags().IntVar(&o.limit, "limit", 50, "how many releases to show")
	return cmd
}

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status ID",
		Short: "Show a release: phase, approvals, every service in every environment, timeline",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			st, err := c.Status(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.env.Stdout, st)
			}
			printStatus(g.env.Stdout, st)
			return nil
		},
	}
}

func newWatchCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "watch ID",
		Short: "Print a release's progress live until it ends",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			return watch(cmd.Context(), g, c, args[0])
		},
	}
}

// watchInterval is how often watch polls the status query.
const watchInterval = 500 * time.Millisecond

// watch prints every new timeline event and service state change until the release closes.
func watch(ctx context.Context, g *globals, c statusReader, id string) error {
	seen := 0
	states := map[string]workflows.ServiceState{}
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx, id)
		if err != nil {
			return err
		}
		for _, ev := range st.Timeline[min(seen, len(st.Timeline)):] {
			if g.json() {
				if err := writeJSONLine(g.env.Stdout, ev); err != nil {
					return err
				}
			} else {
				printEvent(g.env.Stdout, ev)
			}
		}
		seen = len(st.Timeline)
		if !g.json() {
			printStateChanges(g.env.Stdout, st, states)
		}
		if st.Phase == workflows.PhaseClosed {
			if !g.json() {
				fmt.Fprintf(g.env.Stdout, "release %q ended: %s%s\n", id, st.Outcome, suffix(st.Reason))
			}
			if st.Outcome != workflows.OutcomeCompleted {
				return fmt.Errorf("release %q ended %s", id, st.Outcome)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

type statusReader interface {
	Status(ctx context.Context, id string) (workflows.Status, error)
}

func suffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
