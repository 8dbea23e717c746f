// Command tollgate is the CLI release managers, approvers and on-call engineers use.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tollgate-dev/tollgate/starter/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.Execute(ctx, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
}
