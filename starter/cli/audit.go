package cli

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/store"
)

type auditOptions struct {
	store, key, release, out string
	force                    bool
}

func newAuditCmd(g *globals) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit keygen|verify|export",
		Short: "The tamper-evident audit trail: signing key, verification, export with proof",
		Long: `Every decision and state change of a release is appended to a hash chain in the store
(--store, $` + envStore + `, default ` + defaultStore + `); checkpoints are signed with the
installation's ed25519 key (--key, $` + envAuditKey + `). Verification needs only the public key.`,
	}
	cmd.PersistentFlags().StringVar(&o.store, "store", "", "store file")
	cmd.PersistentFlags().StringVar(&o.key, "key", "", "audit key file (private, or public for verify and export)")
	keygen := &cobra.Command{Use: "keygen --key PATH", Short: "Create the installation's signing key (PATH) and public key (PATH.pub)",
		Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return runAuditKeygen(g, o) }}
	keygen.Flags().BoolVar(&o.force, "force", false, "overwrite an existing key (entries signed before stay verifiable only with the old public key)")
	verify := &cobra.Command{Use: "verify", Short: "Recompute the chain and checkpoints; name the first entry not as written",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return runAuditVerify(cmd, g, o) }}
	export := &cobra.Command{Use: "export --release ID", Short: "Write a release's entries with their proof as JSON",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error { return runAuditExport(cmd, g, o) }}
	export.Flags().StringVar(&o.release, "release", "", "release ID")
	export.Flags().StringVar(&o.out, "out", "", "file to write (default stdout)")
	_ = export.MarkFlagRequired("release")
	cmd.AddCommand(keygen, verify, export)
	return cmd
}

func runAuditKeygen(g *globals, o *auditOptions) error {
	path := envOr(o.key, envAuditKey, "")
	if path == "" {
		return errors.New("audit keygen: --key PATH (or $" + envAuditKey + ") names the file to create")
	}
	if fileExists(path) && !o.force {
		return fmt.Errorf("audit keygen: %s exists; refusing to replace the installation key without --force", path)
	}
	priv, pub, err := audit.GenerateKey(nil)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, priv, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(path+".pub", pub, 0o644); err != nil {
		return err
	}
	key, _ := audit.ParsePublicKey(pub)
	fmt.Fprintf(g.env.Stdout, "wrote %s (private, mode 0600) and %s.pub; key id %s\n", path, path, audit.KeyID(key))
	return nil
}

// openAuditReadOnly opens an existing store without the signing key, and loads the public key.
func openAuditReadOnly(o *auditOptions) (*store.AuditSQLite, ed25519.PublicKey, error) {
	path := envOr(o.store, envStore, defaultStore)
	if !fileExists(path) {
		return nil, nil, fmt.Errorf("audit: store %s does not exist (--store or $%s)", path, envStore)
	}
	keyPath := envOr(o.key, envAuditKey, "")
	if keyPath == "" {
		return nil, nil, errors.New("audit: --key (or $" + envAuditKey + ") must name the installation's public or private key")
	}
	data, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: key %s: %w", keyPath, err)
	}
	pub, err := audit.ParsePublicKey(data)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: key %s: %w", keyPath, err)
	}
	s, err := store.OpenAuditSQLite(path, nil, store.AuditOptions{})
	return s, pub, err
}

// auditFailed marks a verification failure already reported.
type auditFailed struct{ msg string }

func (e auditFailed) Error() string { return e.msg }

func runAuditVerify(cmd *cobra.Command, g *globals, o *auditOptions) error {
	s, pub, err := openAuditReadOnly(o)
	if err != nil {
		return err
	}
	defer s.Close()
	entries, err := s.AuditEntries(cmd.Context(), -1<<62, 0)
	if err != nil {
		return err
	}
	cps, err := s.AuditCheckpoints(cmd.Context())
	if err != nil {
		return err
	}
	rep := audit.Verify(entries, cps, pub)
	if g.json() {
		if err := writeJSON(g.env.Stdout, rep); err != nil {
			return err
		}
	} else if rep.OK() {
		fmt.Fprintf(g.env.Stdout, "audit trail intact: %d entries, %d signed checkpoints (key %s)\n", rep.Entries, rep.Checkpoints, audit.KeyID(pub))
		if rep.Head != nil {
			fmt.Fprintf(g.env.Stdout, "head: checkpoint at seq %d, hash %s — record it to detect a later truncation\n", rep.Head.Seq, rep.Head.Hash)
		}
		if rep.Unsigned > 0 {
			fmt.Fprintf(g.env.Stdout, "%d entries after the last checkpoint are chained but not signed yet\n", rep.Unsigned)
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(g.env.Stderr, "%s (position %d): %s\n", p.Kind, p.Index+1, p.Message)
		}
	}
	if !rep.OK() {
		return auditFailed{fmt.Sprintf("audit trail verification failed: %s", rep.Problems[0].Message)}
	}
	return nil
}

func runAuditExport(cmd *cobra.Command, g *globals, o *auditOptions) error {
	s, pub, err := openAuditReadOnly(o)
	if err != nil {
		return err
	}
	defer s.Close()
	proof, err := store.ReleaseProof(cmd.Context(), s, o.release)
	if err != nil {
		return err
	}
	if err := audit.VerifyProof(proof, pub); err != nil && !errors.Is(err, audit.ErrNotCovered) {
		return fmt.Errorf("audit export: %w", err)
	} else if err != nil {
		fmt.Fprintf(g.env.Stderr, "warning: %v; run again after the release closes (it seals the trail)\n", err)
	}
	w := g.env.Stdout
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := writeJSON(w, proof); err != nil {
		return err
	}
	if o.out != "" {
		fmt.Fprintf(g.env.Stdout, "wrote %d entries of release %q with %d links to %s\n", len(proof.Entries), o.release, len(proof.Links), o.out)
	}
	return nil
}
