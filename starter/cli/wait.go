package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/workflows"
)

type waitOptions struct {
	phase   string
	timeout time.Duration
}

func newWaitCmd(g *globals) *cobra.Command {
	o := &waitOptions{}
	cmd := &cobra.Command{
		Use:   "wait ID --phase PHASE",
		Short: "Wait until a release reaches a phase (for scripts: approve once approval opens)",
		Example: `  tollgate release wait payments-2026.11.2 --phase approval --timeout 5m && \
    tollgate approve payments-2026.11.2 --as bob`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			st, err := waitPhase(cmd.Context(), c, args[0], workflows.Phase(o.phase), o.timeout)
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.env.Stdout, st)
			}
			fmt.Fprintf(g.env.Stdout, "%s: phase %s\n", args[0], st.Phase)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.phase, "phase", string(workflows.PhaseApproval), "phase to wait for")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
	return cmd
}

// waitPhase polls until the release is in phase, and fails when it closes without reaching it.
func waitPhase(ctx context.Context, c statusReader, id string, phase workflows.Phase, timeout time.Duration) (workflows.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx, id)
		if err != nil {
			return st, err
		}
		switch {
		case st.Phase == phase:
			return st, nil
		case st.Phase == workflows.PhaseClosed:
			return st, fmt.Errorf("release %q closed (%s%s) without reaching phase %s", id, st.Outcome, suffix(st.Reason), phase)
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("release %q: still in phase %s after %s, waiting for %s", id, st.Phase, timeout, phase)
		case <-tick.C:
		}
	}
}
