package activities

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

func (g *gatherer) rollback(ctx context.Context) {
	r := g.in.Spec.RollbackPrerequisites
	if r.Owner == "" {
		return
	}
	var ev policy.RollbackEvidence
	var links []string
	if b := r.Backup; b != (release.BackupSpec{}) {
		links = append(links, b.Path)
		ev.Backup = policy.CheckBackup(backupFacts(ctx, g.in.BaseDir, b), policy.BackupRequirement{MaxAge: b.MaxAge.D(), SHA256: b.SHA256}, g.in.At)
	}
	if len(r.ConfigSnapshot) > 0 {
		links = append(links, r.ConfigSnapshot...)
		current, _ := SnapshotFiles(g.in.BaseDir, r.ConfigSnapshot)
		recorded := g.in.ConfigSnapshot
		if recorded == nil {
			recorded = current
		}
		ev.ConfigSnapshot = policy.VerifySnapshot(recorded, current)
	}
	if s := r.Script; s != (release.RollbackScript{}) {
		links = append(links, s.Path)
		ev.Script = checkRollbackScript(ctx, g.in.BaseDir, s)
	}
	g.out.Evidence.Rollback = ev
	g.out.Set(policy.SourceRollback, policy.SourceStatus{Collected: true, Link: strings.Join(links, ", ")})
}

func backupFacts(ctx context.Context, base string, b release.BackupSpec) policy.BackupFacts {
	path := resolve(base, b.Path)
	f := policy.BackupFacts{Path: b.Path}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return f
	}
	f.Exists, f.ModTime = true, st.ModTime()
	f.SHA256, _, _ = fileSHA256(path)
	_, err = runInSandbox(ctx, base, b.Restore, path, func(string) error { return nil })
	f.Restored = true
	if err != nil {
		f.RestoreErr = err.Error()
	}
	return f
}

func checkRollbackScript(ctx context.Context, base string, s release.RollbackScript) policy.ScriptEvidence {
	st, err := os.Stat(resolve(base, s.Path))
	present := err == nil && st.Mode().IsRegular()
	executable := present && st.Mode().Perm()&0o111 != 0
	var dryErr string
	ran := false
	if executable {
		ran = true
		if out, err := runShell(ctx, base, s.DryRun, nil); err != nil {
			dryErr = fmt.Sprintf("%v%s", err, outputTail(out))
		}
	}
	return policy.CheckScript(s.Path, present, executable, ran, dryErr)
}

// SnapshotFiles returns the SHA-256 of each configuration file (path as declared → digest).
// A file that cannot be read is left out, which VerifySnapshot reports as a change.
func SnapshotFiles(base string, paths []string) (map[string]string, error) {
	out := make(map[string]string, len(paths))
	var firstErr error
	for _, p := range paths {
		sum, _, err := fileSHA256(resolve(base, p))
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("config snapshot: %s: %w", p, err)
			}
			continue
		}
		out[p] = sum
	}
	return out, firstErr
}

// drill runs a disaster-recovery drill: the restore command in an empty sandbox, then the
// invariants on the restored files.
func drill(ctx context.Context, base string, d release.DrillSpec) (policy.DrillEvidence, string) {
	ev := policy.DrillEvidence{Failed: []string{}}
	backup := resolve(base, d.Backup)
	if _, err := os.Stat(backup); err != nil {
		ev.Failed = append(ev.Failed, fmt.Sprintf("backup %s: %v", d.Backup, err))
		return ev, d.Backup
	}
	_, err := runInSandbox(ctx, base, d.Restore, backup, func(sandbox string) error {
		ev.Restored = true
		for _, inv := range d.Invariants {
			ev.InvariantsChecked++
			if msg := checkFileInvariant(sandbox, inv); msg != "" {
				ev.Failed = append(ev.Failed, msg)
			}
		}
		return nil
	})
	if err != nil {
		ev.Restored = false
		ev.Failed = append(ev.Failed, "restore failed: "+err.Error())
	}
	ev.Passed = ev.Restored && len(ev.Failed) == 0 && ev.InvariantsChecked > 0
	return ev, d.Backup
}

func checkFileInvariant(sandbox string, inv release.FileInvariant) string {
	if !filepath.IsLocal(inv.Path) {
		return fmt.Sprintf("invariant %s: path must stay inside the sandbox", inv.Path)
	}
	p := filepath.Join(sandbox, inv.Path)
	if inv.SHA256 != "" {
		sum, _, err := fileSHA256(p)
		if err != nil {
			return fmt.Sprintf("%s: not restored: %v", inv.Path, err)
		}
		if want := policy.NormalizeDigest(inv.SHA256); sum != want {
			return fmt.Sprintf("%s: checksum mismatch: want %s, got %s", inv.Path, want, sum)
		}
	}
	if inv.Rows > 0 {
		n, err := countRows(p)
		if err != nil {
			return fmt.Sprintf("%s: not restored: %v", inv.Path, err)
		}
		if n != inv.Rows {
			return fmt.Sprintf("%s: %d rows, want %d", inv.Path, n, inv.Rows)
		}
	}
	return ""
}

// runInSandbox runs a restore command in a fresh temporary directory with BACKUP and SANDBOX
// set, calls check on the sandbox while it exists, and removes it.
func runInSandbox(ctx context.Context, base, command, backup string, check func(sandbox string) error) ([]byte, error) {
	sandbox, err := os.MkdirTemp("", "tollgate-restore-*")
	if err != nil {
		return nil, fmt.Errorf("create sandbox: %w", err)
	}
	defer os.RemoveAll(sandbox)
	abs, err := filepath.Abs(backup)
	if err != nil {
		return nil, err
	}
	out, err := runShell(ctx, sandbox, command, []string{"BACKUP=" + abs, "SANDBOX=" + sandbox, "RELEASE_BASE=" + absOr(base)})
	if err != nil {
		return out, fmt.Errorf("%v%s", err, outputTail(out))
	}
	return out, check(sandbox)
}

// runShell runs command with sh -c in dir; output is bounded.
func runShell(ctx context.Context, dir, command string, env []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir = absOr(dir)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &out, max: 64 << 10}
	cmd.Stderr = cmd.Stdout
	err := cmd.Run()
	return out.Bytes(), err
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// outputTail returns the last line of a command's output for an error message.
func outputTail(out []byte) string {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return ""
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

func resolve(base, p string) string {
	if filepath.IsAbs(p) || base == "" {
		return p
	}
	return filepath.Join(base, p)
}

func absOr(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), n, nil
}

// countRows counts the non-empty lines of a file.
func countRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n, sc.Err()
}
