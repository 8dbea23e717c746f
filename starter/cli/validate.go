package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/release"
)

type validateOptions struct {
	file string
}

func newValidateCmd(g *globals) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate -f FILE",
		Short: "Check a release spec and print every problem with its line and field path",
		Example: `  tollgate validate -f examples/releases/storefront.yaml
  tollgate validate -f release.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runValidate(g, o) },
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "", "release spec (YAML)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// validationReport is the JSON shape of `validate -o json`.
type validationReport struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Release  string            `json:"release,omitempty"`
	Problems []release.Problem `json:"problems"`
}

func runValidate(g *globals, o *validateOptions) error {
	spec, err := release.Load(o.file)
	rep := validationReport{File: o.file, Valid: err == nil, Problems: []release.Problem{}}
	if err != nil {
		var ps release.Problems
		if errors.As(err, &ps) {
			rep.Problems = ps
		} else {
			rep.Problems = []release.Problem{{File: o.file, Message: err.Error()}}
		}
	} else {
		rep.Release = spec.Metadata.ID
	}
	if g.json() {
		if err := writeJSON(g.env.Stdout, rep); err != nil {
			return err
		}
	} else if rep.Valid {
		fmt.Fprintf(g.env.Stdout, "%s: release %q is valid (%d services, %d environments, %d waves)\n",
			o.file, spec.Metadata.ID, len(spec.Services), len(spec.Environments), len(spec.Waves))
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintln(g.env.Stderr, p.Error())
		}
	}
	if !rep.Valid {
		return validationFailed{n: len(rep.Problems)}
	}
	return nil
}
