package test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/archive"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/workflows"
)

// TestHealthWatchHistoryBudgetAndArchiveOnRealServer runs a release whose production wave is
// watched for 60 minutes on 10 indicators at 30-second resolution (the watch's clock is fake,
// so the hour passes at once; its 120 evaluations × 10 queries are real activity work), then
// reviews, hands over and archives it. The release's history must stay under the server's
// warning threshold, and the archive must verify with nothing but its bytes and the public key.
func TestHealthWatchHistoryBudgetAndArchiveOnRealServer(t *testing.T) {
	c := newCluster(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	au, err := store.OpenAuditSQLite(filepath.Join(t.TempDir(), "audit.db"), priv, store.AuditOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { au.Close() })

	spec := signed(t, markerSpec("watch-1", 1, 2, "true"))
	metrics := prometheus.NewFake()
	w := &release.Watch{Dense: release.Duration(time.Hour), DenseEvery: release.Duration(30 * time.Second)}
	for i := range 10 {
		q := fmt.Sprintf(`khi%d{job="${SERVICE}"}`, i)
		w.Indicators = append(w.Indicators, release.Indicator{Name: fmt.Sprintf("khi%d", i), Service: "svc-00", Query: q, MaxRelative: 0.5})
		metrics.Set(fmt.Sprintf(`khi%d{job="svc-00"}`, i), []float64{1, 1, 1})
	}
	spec.PostDeploy = &release.PostDeploy{Watch: w}

	acts := scriptActivities(t, t.TempDir())
	acts.Audit = au
	acts.Metrics = metrics
	acts.Clock = instantClock(time.Now())
	archives := t.TempDir()
	acts.Archive = activities.ArchiveConfig{Dir: archives, Key: priv, Retention: 2160 * time.Hour}
	acts.Notifier = &activities.EventLog{Path: filepath.Join(t.TempDir(), "events.log")}
	c.startWorker(acts)

	ctx := context.Background()
	_, err = c.ctl.Start(ctx, &spec, "alice")
	require.NoError(t, err)
	c.waitFor(spec.Metadata.ID, "approval", func(s workflows.Status) bool { return s.Phase == workflows.PhaseApproval })
	_, err = c.ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	require.NoError(t, err)
	res, err := c.ctl.Result(ctx, spec.Metadata.ID)
	require.NoError(t, err)
	require.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	st, err := c.ctl.Status(ctx, spec.Metadata.ID)
	require.NoError(t, err)
	require.Len(t, st.Watch, 1)
	assert.Equal(t, activities.WatchHealthy, st.Watch[0].Verdict)
	assert.Equal(t, 120, st.Watch[0].Evaluations)
	events := c.events(ctx, spec.Metadata.ID)
	t.Logf("release with a 60-minute watch of 10 indicators at 30 s: %d history events", events)
	require.Less(t, events, historyWarning)

	require.NotNil(t, st.Archive)
	require.Empty(t, st.Archive.Error)
	data, err := os.ReadFile(st.Archive.Path)
	require.NoError(t, err)
	rep, err := archive.Verify(bytes.NewReader(data), pub)
	require.NoError(t, err)
	require.NoError(t, rep.Err())
	assert.Equal(t, "verified", rep.Proof, "the bundle carries the release's sealed audit proof")
}

// instantClock starts at start and advances when slept on.
func instantClock(start time.Time) activities.Clock {
	var mu sync.Mutex
	now := start
	return activities.Clock{
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(d)
			return nil
		},
	}
}
