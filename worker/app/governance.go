package app

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/store"
)

// auditKey loads the key that signs audit checkpoints. In the embedded default a missing key is
// created (0600) beside the data; against a real cluster a missing key is an error, because a
// production audit trail must be signed by a key the operators manage.
func auditKey(cfg config.Worker, embedded bool, logger *slog.Logger) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(cfg.AuditKeyPath)
	if errors.Is(err, os.ErrNotExist) && embedded {
		priv, pub, gerr := audit.GenerateKey(nil)
		if gerr != nil {
			return nil, gerr
		}
		if err := os.MkdirAll(filepath.Dir(cfg.AuditKeyPath), 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg.AuditKeyPath, priv, 0o600); err != nil {
			return nil, fmt.Errorf("audit key %s: %w", cfg.AuditKeyPath, err)
		}
		if err := os.WriteFile(cfg.AuditKeyPath+".pub", pub, 0o644); err != nil {
			return nil, fmt.Errorf("audit key %s.pub: %w", cfg.AuditKeyPath, err)
		}
		logger.Info("created the audit signing key", "path", cfg.AuditKeyPath, "public", cfg.AuditKeyPath+".pub")
		data = priv
	} else if err != nil {
		return nil, fmt.Errorf("audit key (TOLLGATE_AUDIT_KEY=%s): %w; create one with: tollgate audit keygen --key %s", cfg.AuditKeyPath, err, cfg.AuditKeyPath)
	}
	key, err := audit.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", cfg.AuditKeyPath, err)
	}
	return key, nil
}

// openAudit opens the audit trail in the store's database file.
func openAudit(cfg config.Worker, embedded bool, path string, logger *slog.Logger) (*store.AuditSQLite, error) {
	key, err := auditKey(cfg, embedded, logger)
	if err != nil {
		return nil, err
	}
	a, err := store.OpenAuditSQLite(path, key, store.AuditOptions{})
	if err != nil {
		return nil, fmt.Errorf("audit trail %s: %w", path, err)
	}
	return a, nil
}
