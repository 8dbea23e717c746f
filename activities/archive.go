package activities

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/archive"
	"github.com/tollgate-dev/tollgate/store"
)

// ErrArchiveRefused: the archive cannot be written as configured (no directory or no key).
const ErrArchiveRefused = "ArchiveRefused"

// ArchiveConfig places the signed release archives.
type ArchiveConfig struct {
	// Dir holds the bundles (DATA_DIR/archive); empty disables archiving.
	Dir string
	// Key signs the manifests: the installation's audit key.
	Key ed25519.PrivateKey
	// Retention is how long bundles are kept (TOLLGATE_ARCHIVE_RETENTION); 0 keeps them forever.
	Retention time.Duration
}

// ArchiveReleaseInput asks for the archive of a closed release.
type ArchiveReleaseInput struct {
	ReleaseID string    `json:"releaseId"`
	ClosedAt  time.Time `json:"closedAt"`
	// Status is the release's final status (workflows.Status); its timeline, approvals and
	// gate tables become files of their own.
	Status any `json:"status"`
}

// ArchiveReleaseResult locates the bundle.
type ArchiveReleaseResult struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Files  int    `json:"files"`
	KeyID  string `json:"keyId"`
}

// ArchiveRelease writes the signed bundle of a closed release: spec, status, timeline,
// approvals, gate evidence summaries, step logs, review report, known issues and the audit
// proof. Writing is atomic (a temporary file renamed), so a retry never leaves half a bundle.
func (a *Activities) ArchiveRelease(ctx context.Context, in ArchiveReleaseInput) (ArchiveReleaseResult, error) {
	cfg := a.Archive
	if cfg.Dir == "" || len(cfg.Key) != ed25519.PrivateKeySize {
		return ArchiveReleaseResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("archive of release %q: no archive directory or signing key configured", in.ReleaseID), ErrArchiveRefused, nil)
	}
	files, err := a.archiveFiles(ctx, in)
	if err != nil {
		return ArchiveReleaseResult{}, err
	}
	var buf bytes.Buffer
	m, err := archive.Write(&buf, in.ReleaseID, files, cfg.Key, in.ClosedAt)
	if err != nil {
		return ArchiveReleaseResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrArchiveRefused, err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return ArchiveReleaseResult{}, fmt.Errorf("archive directory %s: %w", cfg.Dir, err)
	}
	path := filepath.Join(cfg.Dir, archive.FileName(in.ReleaseID, in.ClosedAt))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o640); err != nil {
		return ArchiveReleaseResult{}, fmt.Errorf("archive of release %q: %w", in.ReleaseID, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return ArchiveReleaseResult{}, fmt.Errorf("archive of release %q: %w", in.ReleaseID, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	a.logger().InfoContext(ctx, "release archived", "release", in.ReleaseID, "path", path, "files", len(m.Files))
	return ArchiveReleaseResult{Path: path, SHA256: "sha256:" + hex.EncodeToString(sum[:]), Files: len(m.Files), KeyID: m.KeyID}, nil
}

// archiveFiles gathers what the bundle holds. What a store does not keep is left out, never
// invented; the status is always there.
func (a *Activities) archiveFiles(ctx context.Context, in ArchiveReleaseInput) ([]archive.File, error) {
	var files []archive.File
	add := func(name string, v any) error {
		raw, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("archive of release %q: encode %s: %v", in.ReleaseID, name, err), ErrArchiveRefused, err)
		}
		files = append(files, archive.File{Name: name, Data: append(raw, '\n')})
		return nil
	}
	if err := add("status.json", in.Status); err != nil {
		return nil, err
	}
	// The status's parts, each a file, so an auditor opens the one they need.
	var parts map[string]json.RawMessage
	raw, _ := json.Marshal(in.Status)
	_ = json.Unmarshal(raw, &parts)
	for key, name := range map[string]string{"timeline": "timeline.json", "approval": "approvals.json",
		"readiness": "gates/readiness.json", "integrity": "gates/integrity.json", "risk": "gates/risk.json", "watch": "gates/watch.json", "apiDocs": "gates/api.json"} {
		if p, ok := parts[key]; ok && string(p) != "null" {
			files = append(files, archive.File{Name: name, Data: append(bytes.Clone(p), '\n')})
		}
	}
	evidence, err := a.archiveEvidence(ctx, in.ReleaseID, parts["readiness"])
	if err != nil {
		return nil, err
	}
	files = append(files, evidence...)
	if a.Store != nil {
		rec, err := a.Store.GetRelease(ctx, in.ReleaseID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("archive of release %q: %w", in.ReleaseID, err)
		default:
			if err := add("spec.json", map[string]any{"digest": rec.SpecDigest, "spec": rec.Spec}); err != nil {
				return nil, err
			}
		}
		more, err := a.archiveStoreFiles(ctx, in.ReleaseID)
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	if a.Audit != nil {
		proof, err := store.ReleaseProof(ctx, a.Audit, in.ReleaseID)
		switch {
		case errors.Is(err, store.ErrNotFound): // an ungoverned release has no audit entries
		case err != nil:
			return nil, fmt.Errorf("archive of release %q: audit proof: %w", in.ReleaseID, err)
		default:
			if err := add(archive.ProofName, proof); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

// archiveStoreFiles adds step logs, the review report and the known issues linked to the release.
func (a *Activities) archiveStoreFiles(ctx context.Context, releaseID string) ([]archive.File, error) {
	var files []archive.File
	if sl, ok := a.Store.(store.StepLister); ok {
		steps, err := sl.ReleaseSteps(ctx, releaseID)
		if err != nil {
			return nil, fmt.Errorf("archive of release %q: steps: %w", releaseID, err)
		}
		type stepIndex struct {
			File, Key, Step string
			ExitCode        int
			DurationMS      int64
			FinishedAt      time.Time
		}
		index := []stepIndex{}
		for i, s := range steps {
			name := fmt.Sprintf("steps/%03d-%s.log", i+1, unsafeFileChars.ReplaceAllString(strings.TrimPrefix(s.Key, releaseID+"/"), "_"))
			files = append(files, archive.File{Name: name, Data: []byte(s.Output)})
			index = append(index, stepIndex{name, s.Key, s.Step, s.ExitCode, s.DurationMS, s.FinishedAt})
		}
		raw, _ := json.MarshalIndent(index, "", "  ")
		files = append(files, archive.File{Name: "steps/index.json", Data: append(raw, '\n')})
	}
	if kb, ok := a.Store.(store.Knowledge); ok {
		entries, err := kb.ListKnowledge(ctx, store.KnowledgeFilter{ReleaseID: releaseID})
		if err != nil {
			return nil, fmt.Errorf("archive of release %q: knowledge base: %w", releaseID, err)
		}
		var issues []store.KnowledgeEntry
		for _, e := range entries {
			switch e.Kind {
			case store.KnowledgeReview:
				files = append(files, archive.File{Name: "review/report.md", Data: []byte(e.Body)})
				if e.HTML != "" {
					files = append(files, archive.File{Name: "review/report.html", Data: []byte(e.HTML)})
				}
			case store.KnowledgeHandoff:
				files = append(files, archive.File{Name: "handoff/package.md", Data: []byte(e.Body)})
				if e.HTML != "" {
					files = append(files, archive.File{Name: "handoff/architecture.svg", Data: []byte(e.HTML)})
				}
			default:
				issues = append(issues, e)
			}
		}
		if len(issues) > 0 {
			raw, _ := json.MarshalIndent(issues, "", "  ")
			files = append(files, archive.File{Name: "known-issues.json", Data: append(raw, '\n')})
		}
	}
	return files, nil
}

// archiveEvidence adds the collected evidence (test results, reports) the readiness and
// pre-deploy gates judged, by the digests their status records. Evidence pruned from the
// evidence store since is listed as absent, never invented.
func (a *Activities) archiveEvidence(ctx context.Context, releaseID string, readiness json.RawMessage) ([]archive.File, error) {
	if a.EvidenceStore == nil || len(readiness) == 0 {
		return nil, nil
	}
	var rd struct {
		Gates []struct {
			Phase          string `json:"phase"`
			EvidenceDigest string `json:"evidenceDigest"`
		} `json:"gates"`
	}
	if json.Unmarshal(readiness, &rd) != nil {
		return nil, nil
	}
	var files []archive.File
	for _, g := range rd.Gates {
		if g.EvidenceDigest == "" {
			continue
		}
		data, err := a.EvidenceStore.GetEvidence(ctx, g.EvidenceDigest)
		switch {
		case errors.Is(err, ErrEvidenceNotFound):
			data = []byte("evidence " + g.EvidenceDigest + " is no longer in the evidence store\n")
		case err != nil:
			return nil, fmt.Errorf("archive of release %q: evidence %s: %w", releaseID, g.EvidenceDigest, err)
		}
		files = append(files, archive.File{Name: "evidence/" + unsafeFileChars.ReplaceAllString(g.Phase, "_") + ".json", Data: data})
	}
	return files, nil
}

// unsafeFileChars are replaced in step keys (env/service/step) to make archive file names.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// PruneArchivesInput asks for expired bundles to be removed.
type PruneArchivesInput struct {
	Now time.Time `json:"now"`
}

// PruneArchivesResult names the bundles removed.
type PruneArchivesResult struct {
	Deleted []string `json:"deleted"`
}

// PruneArchives removes bundles older than the retention setting. It is idempotent.
func (a *Activities) PruneArchives(ctx context.Context, in PruneArchivesInput) (PruneArchivesResult, error) {
	cfg := a.Archive
	if cfg.Dir == "" || cfg.Retention <= 0 {
		return PruneArchivesResult{}, nil
	}
	ents, err := os.ReadDir(cfg.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return PruneArchivesResult{}, nil
	}
	if err != nil {
		return PruneArchivesResult{}, fmt.Errorf("archive directory %s: %w", cfg.Dir, err)
	}
	var stored []archive.Stored
	for _, e := range ents {
		if info, err := e.Info(); err == nil && e.Type().IsRegular() {
			stored = append(stored, archive.Stored{Name: e.Name(), Modified: info.ModTime()})
		}
	}
	res := PruneArchivesResult{Deleted: []string{}}
	for _, name := range archive.Expired(stored, in.Now, cfg.Retention) {
		if err := os.Remove(filepath.Join(cfg.Dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("archive %s: %w", name, err)
		}
		res.Deleted = append(res.Deleted, name)
	}
	if len(res.Deleted) > 0 {
		a.logger().InfoContext(ctx, "expired archives removed", "count", len(res.Deleted), "retention", cfg.Retention)
	}
	return res, nil
}
