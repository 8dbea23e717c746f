package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargetLocks(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	defer s.Close()
	ctx, now := context.Background(), time.Now()
	for _, id := range []string{"a", "b"} {
		require.NoError(t, s.SaveRelease(ctx, ReleaseRecord{ID: id, SpecDigest: "d", StartedAt: now}))
	}

	c, err := s.AcquireTargets(ctx, "a", "prod", []string{"ledger", "api"}, now)
	require.NoError(t, err)
	assert.Empty(t, c)
	c, err = s.AcquireTargets(ctx, "a", "prod", []string{"ledger"}, now)
	require.NoError(t, err)
	assert.Empty(t, c, "re-acquiring its own targets is idempotent")

	c, err = s.AcquireTargets(ctx, "b", "prod", []string{"web", "ledger"}, now)
	require.NoError(t, err)
	assert.Equal(t, []Conflict{{Environment: "prod", Service: "ledger", ReleaseID: "a"}}, c)
	c, err = s.AcquireTargets(ctx, "b", "prod", []string{"web"}, now)
	require.NoError(t, err)
	assert.Empty(t, c, "a refused acquisition takes nothing, so web was still free")
	c, err = s.AcquireTargets(ctx, "b", "staging", []string{"ledger"}, now)
	require.NoError(t, err)
	assert.Empty(t, c, "another environment is another target")

	// A closed release's locks are free even if it never released them (a crash).
	require.NoError(t, s.CloseRelease(ctx, Closing{ID: "a", Outcome: "failed", ClosedAt: now}))
	c, err = s.AcquireTargets(ctx, "b", "prod", []string{"ledger"}, now)
	require.NoError(t, err)
	assert.Empty(t, c)

	require.NoError(t, s.ReleaseTargets(ctx, "b"))
	require.NoError(t, s.SaveRelease(ctx, ReleaseRecord{ID: "c", SpecDigest: "d", StartedAt: now}))
	c, err = s.AcquireTargets(ctx, "c", "prod", []string{"ledger", "web", "api"}, now)
	require.NoError(t, err)
	assert.Empty(t, c)
}
