package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/workflows"
)

// controlCommand describes one control the CLI sends as a workflow update.
type controlCommand struct {
	update       string
	short        string
	reasonNeeded bool
}

var controlCommands = []controlCommand{
	{workflows.UpdateApprove, "Approve a release waiting for approval", false},
	{workflows.UpdateReject, "Reject a release waiting for approval (ends it)", true},
	{workflows.UpdatePause, "Pause a release: steps in flight finish, no new step starts", true},
	{workflows.UpdateResume, "Resume a paused release", false},
	{workflows.UpdateRollback, "Roll back every service the release deployed, in reverse dependency order", true},
	{workflows.UpdateRecheck, "Collect the evidence of a readiness-blocked release again and re-evaluate its criteria", false},
}

type controlOptions struct{ reason string }

func newControlCmd(g *globals, c controlCommand) *cobra.Command {
	o := &controlOptions{}
	use := c.update + " ID"
	if c.reasonNeeded {
		use += " --reason TEXT"
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   c.short,
		Example: fmt.Sprintf("  tollgate %s payments-2026.11.2 --as bob --reason \"checked the canary\"", c.update),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := g.actor()
			if err != nil {
				return err
			}
			if c.reasonNeeded && o.reason == "" {
				return fmt.Errorf("%s release %q: --reason is required", c.update, args[0])
			}
			cl, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			resp, err := cl.Control(cmd.Context(), args[0], c.update, workflows.Request{Actor: actor, Reason: o.reason})
			if err != nil {
				return err
			}
			if g.json() {
				return writeJSON(g.env.Stdout, resp)
			}
			fmt.Fprintf(g.env.Stdout, "%s: %s\n", args[0], resp.Message)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "why (recorded in the timeline)")
	return cmd
}
