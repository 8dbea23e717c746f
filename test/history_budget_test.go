package test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/rollout"
	"github.com/tollgate-dev/tollgate/workflows"
)

// historyWarning is the server's warning threshold of events per execution.
const historyWarning = 10240

// TestHistoryBudgetFiftyServicesThreeEnvironmentsCanary runs the largest supported deployment
// shape — 50 services, each a 3-step canary with a bake and an analysis, in 3 environments of
// ONE wave (the worst case for the wave's history) — on the real server, and counts the events
// of every execution: the wave and each per-service rollout child must stay under the warning
// threshold. The figures are logged.
func TestHistoryBudgetFiftyServicesThreeEnvironmentsCanary(t *testing.T) {
	c := newCluster(t)
	metrics := prometheus.NewFake()
	metrics.Set("vector(0)", []float64{0})
	fake := deploy.NewFake()
	fake.Delay = 0
	c.startWorker(&activities.Activities{Store: openStore(t), Deployer: fake, Traffic: fake, Metrics: metrics, Logger: quietLogger()})

	spec := budgetSpec(50, 3)
	for _, svc := range spec.Services {
		for _, env := range spec.Environments {
			fake.SetTargetState(env.Name, svc.Name, rolloutInitial())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	id := "budget-1"
	run, err := c.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WaveWorkflowID(id, 0, workflows.WaveDeploy),
		TaskQueue: workflows.TaskQueue}, workflows.WaveWorkflowName, workflows.WaveInput{
		ReleaseID: id, Name: "all", Mode: workflows.WaveDeploy, Environments: spec.Environments,
		Services: spec.Services, MaxParallel: spec.Deployment.MaxParallel, Analysis: spec.Analysis})
	require.NoError(t, err)
	var res workflows.WaveResult
	require.NoError(t, run.Get(ctx, &res))
	require.Equal(t, workflows.WaveCompleted, res.State, res.Reason)

	wave := c.events(ctx, workflows.WaveWorkflowID(id, 0, workflows.WaveDeploy))
	most, total := 0, wave
	for _, env := range spec.Environments {
		for _, svc := range spec.Services {
			n := c.events(ctx, workflows.RolloutWorkflowID(id, 0, env.Name, svc.Name))
			most = max(most, n)
			total += n
		}
	}
	t.Logf("50 services × 3 environments, 3-step canaries: wave %d events, largest rollout child %d events, all executions %d events",
		wave, most, total)
	require.Less(t, wave, historyWarning)
	require.Less(t, most, historyWarning)
}

// events counts the history events of a workflow execution.
func (c *cluster) events(ctx context.Context, id string) int {
	it := c.client.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for it.HasNext() {
		_, err := it.Next()
		require.NoError(c.t, err)
		n++
	}
	require.Positive(c.t, n, "no history for %s", id)
	return n
}

func rolloutInitial() rollout.State {
	return rollout.State{Tracks: map[string][]string{"stable": {"1.0.0", "1.0.0"}}}
}

// budgetSpec is n services in layers of ten (each depending on two of the layer before), each a
// canary of three steps (10 % with a bake judged by an analysis, 50 % with a bake, 100 %), in
// envs environments of one wave.
func budgetSpec(n, envs int) release.Spec {
	cmd := "true"
	s := release.Spec{
		APIVersion: release.APIVersion, Kind: release.Kind,
		Metadata:   release.Metadata{ID: "budget-1", Title: "budget", Owner: "alice"},
		Approval:   release.Approval{Approvers: []string{"bob"}, Required: 1},
		Handoff:    release.Handoff{Contact: "support"},
		Deployment: release.Deployment{MaxParallel: 4},
		Analysis: &release.Analysis{Interval: release.Duration(250 * time.Millisecond), Queries: map[string]string{"zero": "vector(0)"},
			Templates: []release.AnalysisTemplate{{Name: "khi", Metrics: []release.AnalysisMetric{{Name: "errors", Query: "zero",
				Threshold: &release.Threshold{Success: "< 1"}}}}}},
	}
	second := release.Duration(time.Second)
	for i := range n {
		svc := release.Service{
			Name: fmt.Sprintf("svc-%03d", i), Version: "2.0.0",
			Artifact: release.Artifact{Ref: "file:///dev/null", Digest: "sha256:" + strings.Repeat("cd", 32)},
			Runbook:  release.Runbook{Deploy: cmd, Rollback: cmd},
			Strategy: &release.Strategy{Commands: release.TrafficCommands{Scale: cmd, Weight: cmd, Observe: cmd},
				Canary: &release.Canary{Replicas: 2, Steps: []release.CanaryStep{
					{Weight: 10, Bake: second, Analysis: "khi"}, {Weight: 50, Bake: second}, {Weight: 100}}}},
		}
		if layer := i / 10; layer > 0 {
			prev := (layer - 1) * 10
			svc.DependsOn = []string{fmt.Sprintf("svc-%03d", prev+i%10), fmt.Sprintf("svc-%03d", prev+(i+3)%10)}
		}
		s.Services = append(s.Services, svc)
	}
	var names []string
	for e := range envs {
		name := fmt.Sprintf("env-%d", e)
		names = append(names, name)
		s.Environments = append(s.Environments, release.Environment{Name: name, Region: "local", TimeZone: "UTC"})
	}
	s.Waves = []release.Wave{{Name: "all", Environments: names}}
	s.Normalize()
	return s
}
