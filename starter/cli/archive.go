package cli

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/archive"
	"github.com/tollgate-dev/tollgate/audit"
)

type archiveOptions struct {
	key string
}

func newArchiveCmd(g *globals) *cobra.Command {
	o := &archiveOptions{}
	cmd := &cobra.Command{
		Use:   "archive verify FILE",
		Short: "Signed release archives: verify a bundle offline",
		Long: `When a release closes, the worker writes a tar.gz bundle of its spec, status, timeline,
approvals, gate evidence, step logs, review report and audit proof under DATA_DIR/archive,
with a manifest of SHA-256 digests signed by the installation's ed25519 key. Bundles older
than TOLLGATE_ARCHIVE_RETENTION are removed when later releases close.`,
	}
	verify := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a bundle against its signed manifest; name every altered, missing or added file",
		Long: `Verification reads only the bundle and, with --key, the installation's public key
(or $` + envAuditKey + `). Without a key, the public key inside the bundle is used: that proves
the bundle is intact, not who signed it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runArchiveVerify(g, o, args[0]) },
	}
	verify.Flags().StringVar(&o.key, "key", "", "public (or private) key to verify with (default $"+envAuditKey+"; none: the bundle's own)")
	cmd.AddCommand(verify)
	return cmd
}

func runArchiveVerify(g *globals, o *archiveOptions, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("archive verify: %w", err)
	}
	var pub ed25519.PublicKey
	if path := envOr(o.key, envAuditKey, ""); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("archive verify: key %s: %w", path, err)
		}
		if pub, err = audit.ParsePublicKey(raw); err != nil {
			return fmt.Errorf("archive verify: key %s: %w", path, err)
		}
	}
	rep, err := archive.Verify(bytes.NewReader(data), pub)
	if err != nil {
		return fmt.Errorf("archive verify %s: %w", file, err)
	}
	if g.json() {
		if err := writeJSON(g.env.Stdout, rep); err != nil {
			return err
		}
	} else if rep.OK() {
		trust := "with the given key"
		if !rep.Trusted {
			trust = "with the bundle's own key only (pass --key to check who signed it)"
		}
		fmt.Fprintf(g.env.Stdout, "archive of release %s intact: %d files, signed by key %s, verified %s; audit proof %s\n",
			rep.ReleaseID, rep.Files, rep.KeyID, trust, rep.Proof)
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintln(g.env.Stderr, "problem:", p)
		}
		for _, n := range rep.Altered {
			fmt.Fprintln(g.env.Stderr, "altered:", n)
		}
		for _, n := range rep.Missing {
			fmt.Fprintln(g.env.Stderr, "missing:", n)
		}
		for _, n := range rep.Added {
			fmt.Fprintln(g.env.Stderr, "added:", n)
		}
	}
	if err := rep.Err(); err != nil {
		return auditFailed{fmt.Sprintf("archive %s does not verify", file)}
	}
	return nil
}
