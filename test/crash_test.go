package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

// markerSpec is a release whose runbook steps take a moment and then append one line to a
// marker file per environment, service and step, so a step that ran twice shows two lines.
func markerSpec(id string, services, envs int, stepCmd string) release.Spec {
	s := release.Spec{
		APIVersion: release.APIVersion, Kind: release.Kind,
		Metadata:    release.Metadata{ID: id, Title: "crash test", Owner: "alice"},
		Approval:    release.Approval{Approvers: []string{"bob"}, Required: 1},
		Handoff:     release.Handoff{Contact: "support"},
		ReviewDelay: release.Duration(time.Second),
	}
	for i := range services {
		svc := release.Service{
			Name: fmt.Sprintf("svc-%02d", i), Version: "1.0.0",
			Artifact: release.Artifact{Ref: "file:///dev/null", Digest: "sha256:" + strings.Repeat("ab", 32)},
			Runbook:  release.Runbook{Deploy: stepCmd, Verify: stepCmd, Rollback: stepCmd},
		}
		if i > 0 {
			svc.DependsOn = []string{fmt.Sprintf("svc-%02d", i-1)}
		}
		s.Services = append(s.Services, svc)
	}
	for i := range envs {
		name := fmt.Sprintf("env-%d", i)
		s.Environments = append(s.Environments, release.Environment{Name: name, Region: "local", TimeZone: "UTC"})
		s.Waves = append(s.Waves, release.Wave{Name: "wave-" + name, Environments: []string{name}})
	}
	s.Normalize()
	return s
}

// TestWorkerCrashMidWaveRunsEveryStepExactlyOnce stops the worker while a step is running,
// starts a new one, and proves that the release completes with every step executed once.
func TestWorkerCrashMidWaveRunsEveryStepExactlyOnce(t *testing.T) {
	c := newCluster(t)
	markers := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(markers, "started"), 0o755))
	// The marker is written only when the step finishes; a step killed with its worker leaves
	// no line, and the retry on the new worker writes it.
	step := `touch "$MARKERS/started/$ENVIRONMENT.$SERVICE.$STEP"; sleep 1; echo "$IDEMPOTENCY_KEY" >> "$MARKERS/$ENVIRONMENT.$SERVICE.$STEP"`
	spec := signed(t, markerSpec("crash-1", 3, 2, step))
	acts := scriptActivities(t, t.TempDir(), "MARKERS="+markers)
	first := c.startWorker(acts)

	// Approvals are accepted once the approval gate is open, after integrity and risk.
	c.startAtApproval(spec)
	c.approve(spec.Metadata.ID, "bob")

	// Crash in the middle of the first wave: two steps done and a third one running (started
	// but not finished), so the crash interrupts it whatever the machine's load.
	finished := func() int {
		entries, _ := os.ReadDir(markers)
		return len(entries) - 1 // minus the started/ directory
	}
	inFlight := func() bool {
		started, _ := os.ReadDir(filepath.Join(markers, "started"))
		return finished() >= 2 && len(started) > finished()
	}
	require.Eventually(t, inFlight, 60*time.Second, 10*time.Millisecond)
	first.Stop()
	require.Less(t, finished(), 3*2*2, "the crash must happen mid-release")

	c.startWorker(acts)
	res, err := c.ctl.Result(context.Background(), spec.Metadata.ID)
	require.NoError(t, err)
	assert.Equal(t, workflows.OutcomeCompleted, res.Outcome, res.Reason)

	assert.True(t, c.retried(spec.Metadata.ID+"/wave-0") || c.retried(spec.Metadata.ID+"/wave-1"),
		"the crash must have interrupted a step, which then ran again on the new worker")
	for e := range 2 {
		for s := range 3 {
			for _, stepName := range []string{"deploy", "verify"} {
				path := filepath.Join(markers, fmt.Sprintf("env-%d.svc-%02d.%s", e, s, stepName))
				data, err := os.ReadFile(path)
				require.NoError(t, err, "step never ran: %s", path)
				assert.Len(t, lines(string(data)), 1, "step ran more than once: %s", path)
			}
		}
	}
}

// TestCompletedStepIsNeverRunAgain replays a step whose completion the worker recorded but
// never reported (a crash between the two): the retry finds the ledger entry and skips it.
func TestCompletedStepIsNeverRunAgain(t *testing.T) {
	markers := t.TempDir()
	acts := scriptActivities(t, t.TempDir(), "MARKERS="+markers)
	spec := markerSpec("ledger-1", 1, 1, `echo ran >> "$MARKERS/$STEP"`)
	in := activitiesRunStep(spec, "deploy")
	ctx := context.Background()
	first, err := acts.RunStep(ctx, in)
	require.NoError(t, err)
	assert.False(t, first.Replayed)
	second, err := acts.RunStep(ctx, in)
	require.NoError(t, err)
	assert.True(t, second.Replayed, "the second run must reuse the recorded completion")
	data, err := os.ReadFile(filepath.Join(markers, "deploy"))
	require.NoError(t, err)
	assert.Equal(t, []string{"ran"}, lines(string(data)))
}
