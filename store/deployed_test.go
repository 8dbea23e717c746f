package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDeployedVersions(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer s.Close()
	t0 := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	require.NoError(t, s.RecordDeployed(ctx, Deployed{Environment: "prod-eu", Service: "ledger", Version: "3.0.0", ReleaseID: "r1", DeployedAt: t0}))
	require.NoError(t, s.RecordDeployed(ctx, Deployed{Environment: "prod-eu", Service: "ledger", Version: "3.1.0", ReleaseID: "r2", DeployedAt: t0.Add(time.Hour)}))
	// A late retry of an older record must not overwrite the newer one.
	require.NoError(t, s.RecordDeployed(ctx, Deployed{Environment: "prod-eu", Service: "ledger", Version: "3.0.0", ReleaseID: "r1", DeployedAt: t0}))
	require.NoError(t, s.RecordDeployed(ctx, Deployed{Environment: "staging", Service: "ledger", Version: "3.2.0", ReleaseID: "r3", DeployedAt: t0}))
	require.Error(t, s.RecordDeployed(ctx, Deployed{Environment: "staging", Service: "ledger"}))
	got, err := s.DeployedVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]map[string]string{"prod-eu": {"ledger": "3.1.0"}, "staging": {"ledger": "3.2.0"}}, got)
}
