package test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/integrations/prometheus"
	"github.com/tollgate-dev/tollgate/integrations/prometheus/promtest"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

// canaryLab is examples/releases/canary.yaml on free ports, with its stable track seeded with
// 1.0.0 behind the demo router and a real Prometheus scraping every instance.
type canaryLab struct {
	t        *testing.T
	c        *cluster
	spec     release.Spec
	root     string
	env      []string // DEMO_BIN, DEMO_STATE
	routerAt string
}

func newCanaryLab(t *testing.T) *canaryLab {
	c := newCluster(t)
	root := repoRoot(t)
	loaded, err := release.Load(filepath.Join(root, "examples/releases/canary.yaml"))
	require.NoError(t, err)
	spec := *loaded
	router := freePort(t)
	base := freeInstanceBase(t)
	spec.Environments[0].Vars["PORT_BASE"] = router[:len(router)-2]
	spec.Services[0].Vars["PORT_SUFFIX"] = router[len(router)-2:]
	spec.Services[0].Vars["INSTANCE_PORT_BASE"] = base
	lab := &canaryLab{t: t, c: c, spec: spec, root: root, routerAt: "127.0.0.1:" + router,
		env: []string{"DEMO_BIN=" + buildDemo(t), "DEMO_STATE=" + t.TempDir()}}
	t.Cleanup(func() { _, _ = lab.runbook("stop-all", nil) })

	// What ran before the release: 2 instances of 1.0.0 on the stable track, under load.
	out, err := lab.runbook("scale", map[string]string{"TRACK": "stable", "REPLICAS": "2", "VERSION": "1.0.0"})
	require.NoError(t, err, out)
	targets := []string{"127.0.0.1:" + base + "00", "127.0.0.1:" + base + "01", "127.0.0.1:" + base + "10"}
	prom := promtest.Start(t, targets, promtest.Options{})
	metrics, err := prometheus.NewClient(prometheus.Config{Address: prom.URL})
	require.NoError(t, err)
	script := &deploy.Script{Dir: root, BaseEnv: append(os.Environ(), lab.env...), ProgressEvery: 200 * time.Millisecond}
	c.startWorker(&activities.Activities{Store: openStore(t), Deployer: script, Traffic: script, Metrics: metrics,
		HTTP: &http.Client{}, Logger: quietLogger()})
	return lab
}

// runbook runs a runbook subcommand for the lab's service with the spec's variables.
func (l *canaryLab) runbook(op string, vars map[string]string) (string, error) {
	svc, env := l.spec.Services[0], l.spec.Environments[0]
	cmd := exec.Command("sh", "examples/demo/runbook.sh", op)
	cmd.Dir = l.root
	cmd.Env = append(os.Environ(), l.env...)
	for k, v := range release.StepVars("lab", svc, env) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// release runs the canary's wave on the real server and returns its result.
func (l *canaryLab) release(id string, svc release.Service) workflows.WaveResult {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	in := workflows.WaveInput{ReleaseID: id, Name: "canary", Mode: workflows.WaveDeploy, Environments: l.spec.Environments,
		Services: []release.Service{svc}, MaxParallel: 1, Analysis: l.spec.Analysis}
	run, err := l.c.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WaveWorkflowID(id, 0, workflows.WaveDeploy),
		TaskQueue: workflows.TaskQueue}, workflows.WaveWorkflowName, in)
	require.NoError(l.t, err)
	var res workflows.WaveResult
	require.NoError(l.t, run.Get(ctx, &res))
	return res
}

// observe returns the target's state as the runbook reports it.
func (l *canaryLab) observe() string {
	out, err := l.runbook("observe", nil)
	require.NoError(l.t, err, out)
	return out
}

// versions sends n requests through the router and counts the answers by version.
func (l *canaryLab) versions(n int) map[string]int {
	got := map[string]int{}
	for range n {
		resp, err := http.Get("http://" + l.routerAt + "/version")
		require.NoError(l.t, err)
		b := make([]byte, 32)
		m, _ := resp.Body.Read(b)
		resp.Body.Close()
		got[strings.TrimSpace(string(b[:m]))]++
	}
	return got
}

// TestCanaryWithRealPrometheus releases examples/releases/canary.yaml against the demo system:
// the router really moves traffic, a real Prometheus scrapes the instances, and the analysis
// reads it back. A healthy 2.0.0 is promoted; then a 3.0.0 that fails half of its requests is
// rolled back by itself at its first analysis, leaving 2.0.0 serving everything.
func TestCanaryWithRealPrometheus(t *testing.T) {
	lab := newCanaryLab(t)
	svc := lab.spec.Services[0]

	res := lab.release("canary-ok", svc)
	require.Equal(t, workflows.WaveCompleted, res.State, res.Reason)
	got := res.Environments[0].Services[0]
	assert.Equal(t, workflows.ServiceDeployed, got.State, got.Error)
	require.NotNil(t, got.Rollout)
	assert.Equal(t, activities.VerdictPass, got.Rollout.Verdict, got.Rollout.Reason)
	assert.Equal(t, "1.0.0", got.Rollout.Previous.Version)
	assert.Contains(t, lab.observe(), "version=2.0.0\nreplicas=2\nweight=0\ncolour=")
	assert.Equal(t, map[string]int{"2.0.0": 20}, lab.versions(20))

	bad := svc
	bad.Version = "3.0.0"
	bad.Vars = map[string]string{}
	for k, v := range svc.Vars {
		bad.Vars[k] = v
	}
	bad.Vars["ERROR_RATE"], bad.Vars["ERROR_VERSION"] = "0.5", "3.0.0"
	res = lab.release("canary-bad", bad)
	require.Equal(t, workflows.WaveFailed, res.State)
	got = res.Environments[0].Services[0]
	assert.Equal(t, workflows.ServiceRolledBack, got.State, got.Error)
	assert.Contains(t, got.Error, "analysis \"khi\": fail")
	require.NotNil(t, got.Rollout)
	assert.Equal(t, activities.VerdictFail, got.Rollout.Verdict)
	assert.Contains(t, got.Rollout.Reason, "errors")
	assert.NotContains(t, got.Rollout.Step, "promote")
	// Exactly the previous version and traffic split: 2 × 2.0.0, no canary, weight 0.
	assert.Contains(t, lab.observe(), "version=2.0.0\nreplicas=2\nweight=0\ncolour=")
	assert.Equal(t, map[string]int{"2.0.0": 20}, lab.versions(20))
	_, err := os.Stat(filepath.Join(strings.TrimPrefix(lab.env[1], "DEMO_STATE="), "staging", "search", "canary-0"))
	assert.True(t, os.IsNotExist(err), "the canary instance is retired")
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// freeInstanceBase finds a three-digit INSTANCE_PORT_BASE whose stable and canary ports are free.
func freeInstanceBase(t *testing.T) string {
	for b := 401; b < 650; b += 11 {
		free := true
		for _, slot := range []string{"00", "01", "10"} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(b)+slot)
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return strconv.Itoa(b)
		}
	}
	require.FailNow(t, "no free instance port range")
	return ""
}
