package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/workflows"
)

type exceptionOptions struct {
	freeze        string
	justification string
	expires       time.Duration
}

func newGrantExceptionCmd(g *globals) *cobra.Command {
	o := &exceptionOptions{}
	cmd := &cobra.Command{
		Use:   "grant-exception ID --freeze NAME --justification TEXT --expires DURATION",
		Short: "Let a release deploy through a change freeze (executives only; audited)",
		Long: `Grants the release an exception to the freeze that holds it. Only a person with the
exec role in the directory may grant one; it needs a justification and expires (at most 7 days).`,
		Example: `  tollgate grant-exception payments-2026.11.2 --as vic --freeze black-friday \
    --justification "security fix for CVE-2026-1234" --expires 12h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := g.actor()
			if err != nil {
				return err
			}
			switch {
			case o.freeze == "":
				return fmt.Errorf("grant-exception release %q: --freeze is required", args[0])
			case o.justification == "":
				return fmt.Errorf("grant-exception release %q: --justification is required", args[0])
			case o.expires <= 0:
				return fmt.Errorf("grant-exception release %q: --expires must be a positive duration such as 12h", args[0])
			}
			c, closeFn, err := g.dial(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			resp, err := c.Control(cmd.Context(), args[0], workflows.UpdateGrantException, workflows.Request{
				Actor: actor, Reason: o.justification, Freeze: o.freeze, Expires: time.Now().Add(o.expires).UTC(),
			})
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
	cmd.Flags().StringVar(&o.freeze, "freeze", "", "ID of the freeze to lift for this release")
	cmd.Flags().StringVar(&o.justification, "justification", "", "why the release must go out during the freeze")
	cmd.Flags().DurationVar(&o.expires, "expires", 0, "how long the exception lasts (at most 168h)")
	return cmd
}
