// Package cli holds the cobra commands of the tollgate CLI. Each command has an options
// struct and a run function that tests call directly.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/control"
)

// Env is what commands need from the outside world; tests replace each part.
type Env struct {
	Stdout, Stderr io.Writer
	// Dial connects to Temporal; nil dials from the TEMPORAL_* environment.
	Dial func(ctx context.Context) (*control.Client, func(), error)
}

// globals are the flags every command shares.
type globals struct {
	env    Env
	as     string
	output string
}

func (g *globals) actor() (string, error) {
	if g.as != "" {
		return g.as, nil
	}
	if u := os.Getenv("TOLLGATE_USER"); u != "" {
		return u, nil
	}
	return "", errors.New("no acting identity: pass --as NAME or set TOLLGATE_USER")
}

func (g *globals) json() bool { return g.output == "json" }

func (g *globals) dial(ctx context.Context) (*control.Client, func(), error) {
	if g.env.Dial != nil {
		return g.env.Dial(ctx)
	}
	opts, err := config.TemporalFromEnv().ClientOptions(nil)
	if err != nil {
		return nil, nil, err
	}
	// The SDK logs retries at info; the CLI shows only warnings and errors.
	opts.Logger = tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(g.env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w; is the worker running (make run)?", opts.HostPort, opts.Namespace, err)
	}
	return &control.Client{Temporal: c}, c.Close, nil
}

// NewRoot builds the command tree.
func NewRoot(env Env) *cobra.Command {
	g := &globals{env: env}
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "Tollgate runs software releases as durable, audited Temporal workflows",
		Long: `Tollgate takes a release from approval through deployment waves, smoke checks and the
review wait to its close. Every control (approve, reject, pause, resume, rollback) is checked
by the running release, which refuses with a reason.

The acting identity comes from --as or TOLLGATE_USER. In production, access to the Temporal
namespace is what authenticates the CLI: anyone who can send updates to the namespace can act
under any name, so grant namespace access accordingly.

Connection: TEMPORAL_ADDRESS (default 127.0.0.1:7233, the embedded server of 'make run'),
TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.PersistentFlags().StringVar(&g.as, "as", "", "acting identity (default $TOLLGATE_USER)")
	root.PersistentFlags().StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.output != "text" && g.output != "json" {
			return fmt.Errorf("--output %q: want text or json", g.output)
		}
		return nil
	}
	root.AddCommand(newValidateCmd(g), newReleaseCmd(g))
	root.AddCommand(newVerifyCmd(g))
	root.AddCommand(newReadinessCmd(g))
	root.AddCommand(newWaiveCmd(g))
	root.AddCommand(newRiskCmd(g), newFreezeCmd(g), newAuditCmd(g))
	root.AddCommand(newGrantExceptionCmd(g))
	root.AddCommand(newArchiveCmd(g), newKBCmd(g), newAckCmd(g))
	root.AddCommand(newChangeCmd(g))
	for _, c := range controlCommands {
		root.AddCommand(newControlCmd(g, c))
	}
	return root
}

// Execute runs the CLI and returns the process exit code.
func Execute(ctx context.Context, env Env) int {
	root := NewRoot(env)
	if err := root.ExecuteContext(ctx); err != nil {
		var ve validationFailed
		if !errors.As(err, &ve) {
			fmt.Fprintln(env.Stderr, "error:", err)
		}
		return 1
	}
	return 0
}

// validationFailed marks an error whose details were already printed.
type validationFailed struct{ n int }

func (v validationFailed) Error() string { return fmt.Sprintf("%d problem(s) found", v.n) }
