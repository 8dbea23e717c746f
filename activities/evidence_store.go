package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// EvidenceStore keeps collected evidence out of workflow history: activities store it by
// content digest and pass the digest. Putting the same bytes twice is a no-op.
type EvidenceStore interface {
	PutEvidence(ctx context.Context, data []byte) (digest string, err error)
	GetEvidence(ctx context.Context, digest string) ([]byte, error)
}

// ErrEvidenceNotFound is returned for an unknown digest.
var ErrEvidenceNotFound = errors.New("evidence not found")

var evidenceDigestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func evidenceDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// DirEvidenceStore stores evidence as files named by digest in Dir; shared by the workers of
// one host (or a shared volume).
type DirEvidenceStore struct{ Dir string }

// PutEvidence writes data atomically (temp file + rename) and returns its digest.
func (s DirEvidenceStore) PutEvidence(_ context.Context, data []byte) (string, error) {
	d := evidenceDigest(data)
	path := filepath.Join(s.Dir, d[len("sha256:"):])
	if _, err := os.Stat(path); err == nil {
		return d, nil
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", fmt.Errorf("evidence store %s: %w", s.Dir, err)
	}
	tmp, err := os.CreateTemp(s.Dir, ".put-*")
	if err != nil {
		return "", fmt.Errorf("evidence store %s: %w", s.Dir, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("evidence store %s: %w", s.Dir, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("evidence store %s: %w", s.Dir, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("evidence store %s: %w", s.Dir, err)
	}
	return d, nil
}

// GetEvidence reads evidence by digest and verifies it still hashes to the digest.
func (s DirEvidenceStore) GetEvidence(_ context.Context, digest string) ([]byte, error) {
	if !evidenceDigestRE.MatchString(digest) {
		return nil, fmt.Errorf("evidence %q: not a sha256 digest", digest)
	}
	data, err := os.ReadFile(filepath.Join(s.Dir, digest[len("sha256:"):]))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("evidence %s: %w", digest, ErrEvidenceNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", digest, err)
	}
	if got := evidenceDigest(data); got != digest {
		return nil, fmt.Errorf("evidence %s: digest mismatch: stored file hashes to %s", digest, got)
	}
	return data, nil
}

// MemEvidenceStore keeps evidence in memory: the embedded default and tests.
type MemEvidenceStore struct {
	mu   sync.Mutex
	data map[string][]byte
}

// PutEvidence stores a copy of data.
func (s *MemEvidenceStore) PutEvidence(_ context.Context, data []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		s.data = make(map[string][]byte)
	}
	d := evidenceDigest(data)
	s.data[d] = append([]byte(nil), data...)
	return d, nil
}

// GetEvidence returns the stored bytes.
func (s *MemEvidenceStore) GetEvidence(_ context.Context, digest string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.data[digest]
	if !ok {
		return nil, fmt.Errorf("evidence %s: %w", digest, ErrEvidenceNotFound)
	}
	return b, nil
}
