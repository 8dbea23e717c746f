package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/workflows"
)

type waiveOptions struct {
	criterion string
	reason    string
}

func newWaiveCmd(g *globals) *cobra.Command {
	o := &waiveOptions{}
	cmd := &cobra.Command{
		Use:   "waive ID --criterion ID --reason TEXT",
		Short: "Waive a failing blocking readiness criterion you own (recorded with your reason)",
		Long: `Waives one failing blocking criterion of a readiness-blocked release. Only the criterion's
owner may waive it; the waiver is recorded with the actor, the reason and the time, and the
release proceeds once no unwaived blocking failure is left. Advisory and passing criteria
cannot be waived. 'tollgate release status ID' shows the gate table with owners.`,
		Example: `  tollgate waive payments-2026.11.2 --criterion ci-green --reason "flaky test quarantined (JIRA-12)" --as quinn`,
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runWaive(cmd.Context(), g, args[0], o) },
	}
	cmd.Flags().StringVar(&o.criterion, "criterion", "", "ID of the criterion to waive, as in the gate table")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the release may proceed despite the failure (recorded)")
	return cmd
}

func runWaive(ctx context.Context, g *globals, id string, o *waiveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	actor, err := g.actor()
	if err != nil {
		return err
	}
	switch {
	case o.criterion == "":
		return fmt.Errorf("waive release %q: --criterion is required", id)
	case o.reason == "":
		return fmt.Errorf("waive release %q: --reason is required", id)
	}
	cl, closeFn, err := g.dial(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	resp, err := cl.Control(ctx, id, workflows.UpdateWaive, workflows.Request{Actor: actor, Reason: o.reason, Criterion: o.criterion})
	if err != nil {
		return err
	}
	if g.json() {
		return writeJSON(g.env.Stdout, resp)
	}
	fmt.Fprintf(g.env.Stdout, "%s: %s\n", id, resp.Message)
	return nil
}
