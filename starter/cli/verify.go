package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/release"
)

type verifyOptions struct {
	file     string
	baseDir  string
	deployed string
	// fetcher replaces the real one in tests.
	fetcher artifacts.Fetcher
	now     func() time.Time
}

func newVerifyCmd(g *globals) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify -f FILE",
		Short: "Run every artifact-integrity check of a release locally (for CI), without Temporal",
		Long: `Fetches each artifact of the release, verifies its digest, signature, attestations, SBOM,
licences, vulnerability report and configuration, then the checks across services (shared
libraries, manifest, downgrades), and prints a table per artifact. Exits non-zero with the
reasons when anything fails: integrity fails closed.`,
		Example: `  tollgate verify -f release.yaml
  tollgate verify -f release.yaml --deployed deployed.json -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runVerify(cmd, g, o) },
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "", "release spec (YAML)")
	cmd.Flags().StringVar(&o.baseDir, "base-dir", "", "directory relative file:// refs resolve against (default: the working directory)")
	cmd.Flags().StringVar(&o.deployed, "deployed", "", `JSON file of versions deployed now, {"prod-eu": {"ledger": "3.0.2"}}, for the downgrade check`)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func runVerify(cmd *cobra.Command, g *globals, o *verifyOptions) error {
	spec, err := release.Load(o.file)
	if err != nil {
		return err
	}
	deployed := map[string]map[string]string{}
	if o.deployed != "" {
		b, err := os.ReadFile(o.deployed)
		if err != nil {
			return fmt.Errorf("--deployed: %w", err)
		}
		if err := json.Unmarshal(b, &deployed); err != nil {
			return fmt.Errorf("--deployed %s: want {\"environment\": {\"service\": \"version\"}}: %w", o.deployed, err)
		}
	}
	var targets []string
	for _, e := range spec.Environments {
		targets = append(targets, e.Name)
	}
	f := o.fetcher
	if f == nil {
		f = artifacts.New(artifacts.Options{BaseDir: o.baseDir})
	}
	now := time.Now
	if o.now != nil {
		now = o.now
	}
	rep := integrity.Verify(cmd.Context(), f, integrity.Input{
		Services: spec.Services, Policy: spec.Integrity, Deployed: deployed, Targets: targets, Now: now(),
	})
	if g.json() {
		if err := writeJSON(g.env.Stdout, rep); err != nil {
			return err
		}
	} else {
		printVerify(g.env.Stdout, spec.Metadata.ID, rep)
	}
	if !rep.Passed {
		failures := rep.Failures()
		for _, f := range failures {
			fmt.Fprintln(g.env.Stderr, f)
		}
		return validationFailed{n: len(failures)}
	}
	return nil
}

func printVerify(w io.Writer, id string, rep integrity.Report) {
	for _, a := range rep.Artifacts {
		fmt.Fprintf(w, "%s %s (%s) %s\n", a.Service, a.Version, a.Digest, verdict(a.Passed))
		printChecks(w, a.Checks)
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "release %s %s\n", id, verdict(rep.Passed))
	printChecks(w, rep.Release)
}

func printChecks(w io.Writer, checks []integrity.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  CHECK\tRESULT\tREASON\tDETAIL")
	for _, c := range checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Check, verdict(c.Passed), c.Reason, c.Message)
	}
	tw.Flush()
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
