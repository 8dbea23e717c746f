package demo_test

// These tests run examples/demo/runbook.sh with /bin/sh exactly as Tollgate's runbook steps do,
// against a demosvc built into a temporary directory, with a temporary DEMO_STATE and free
// loopback ports. They start real background processes; every test stops them in t.Cleanup.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	waitFor = 15 * time.Second      // bound of every Eventually-style wait
	tick    = 20 * time.Millisecond // poll interval
)

// demo is one sandbox: a demosvc binary, a DEMO_STATE directory and the runbook script.
type demo struct {
	t      *testing.T
	bin    string
	state  string
	script string
	mu     sync.Mutex
	pids   map[int]bool // every demosvc PID the test has seen, killed for sure in Cleanup
}

// target is one service in one environment, with the spec vars that give its port.
type target struct {
	env, service string
	portBase     string
	portSuffix   string
}

func (tg target) port() string { return tg.portBase + tg.portSuffix }
func (tg target) url(path string) string {
	return "http://127.0.0.1:" + tg.port() + path
}

func newDemo(t *testing.T) *demo {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatalf("no sh: %v", err)
	}
	script, err := filepath.Abs("runbook.sh")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	d := &demo{
		t:      t,
		bin:    filepath.Join(tmp, "demosvc"),
		state:  filepath.Join(tmp, "state"),
		script: script,
		pids:   map[int]bool{},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", d.bin, "./demosvc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./demosvc: %v\n%s", err, out)
	}
	t.Cleanup(d.stopEverything)
	return d
}

// stopEverything runs stop-all and then SIGKILLs any demosvc process the test saw that is
// still alive, so that no test leaves a process behind even when it fails half-way.
func (d *demo) stopEverything() {
	d.collectPIDs()
	if out, err := d.runEnv("stop-all", nil); err != nil {
		d.t.Logf("stop-all in cleanup: %v\n%s", err, out)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for pid := range d.pids {
		if alive(pid) {
			d.t.Logf("pid %d survived stop-all; killing it", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// collectPIDs remembers the PIDs of every pid file under DEMO_STATE.
func (d *demo) collectPIDs() {
	files, _ := filepath.Glob(filepath.Join(d.state, "*", "*", "pid"))
	for _, f := range files {
		if pid, err := readPID(f); err == nil {
			d.mu.Lock()
			d.pids[pid] = true
			d.mu.Unlock()
		}
	}
}

// runEnv runs `sh runbook.sh step` with DEMO_BIN, DEMO_STATE and the given variables.
func (d *demo) runEnv(step string, vars map[string]string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", d.script, step)
	cmd.Dir = filepath.Dir(d.state)
	env := []string{"DEMO_BIN=" + d.bin, "DEMO_STATE=" + d.state}
	for _, kv := range os.Environ() {
		// Keep the basics (PATH, HOME, ...) but nothing that could steer the script.
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DEMO_BIN", "DEMO_STATE", "DEMO_BEHAVIOUR", "BEHAVIOUR", "VERSION", "SERVICE",
			"ENVIRONMENT", "REGION", "PORT_BASE", "PORT_SUFFIX", "RELEASE_ID", "STEP", "IDEMPOTENCY_KEY":
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	d.collectPIDs()
	return string(out), err
}

// step runs a runbook step for one target with Tollgate's variables.
func (d *demo) step(step string, tg target, version, behaviour string) (string, error) {
	vars := map[string]string{
		"RELEASE_ID":      "demo-test",
		"SERVICE":         tg.service,
		"VERSION":         version,
		"ENVIRONMENT":     tg.env,
		"REGION":          "eu-west",
		"STEP":            step,
		"IDEMPOTENCY_KEY": fmt.Sprintf("demo-test/%s/%s/%s/%s", tg.env, tg.service, version, step),
		"PORT_BASE":       tg.portBase,
		"PORT_SUFFIX":     tg.portSuffix,
	}
	if behaviour != "" {
		vars["BEHAVIOUR"] = behaviour
	}
	return d.runEnv(step, vars)
}

// mustStep runs a step that has to succeed and returns its output.
func (d *demo) mustStep(step string, tg target, version, behaviour string) string {
	d.t.Helper()
	out, err := d.step(step, tg, version, behaviour)
	if err != nil {
		d.t.Fatalf("%s %s/%s %s: %v\n%s", step, tg.env, tg.service, version, err, out)
	}
	d.t.Logf("%s %s/%s %s:\n%s", step, tg.env, tg.service, version, out)
	return out
}

func (d *demo) dir(tg target) string { return filepath.Join(d.state, tg.env, tg.service) }

// pid returns the PID recorded for a target; the test fails when there is none.
func (d *demo) pid(tg target) int {
	d.t.Helper()
	pid, err := readPID(filepath.Join(d.dir(tg), "pid"))
	if err != nil {
		d.t.Fatalf("pid of %s/%s: %v", tg.env, tg.service, err)
	}
	return pid
}

// record reads a state file ("current" or "previous"); "" when absent.
func (d *demo) record(tg target, name string) string {
	b, err := os.ReadFile(filepath.Join(d.dir(tg), name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// newTarget picks a free port and splits it into PORT_BASE and PORT_SUFFIX the way the spec does.
func newTarget(t *testing.T, env, service string) target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	if len(port) < 3 {
		t.Fatalf("free port %s is too short to split", port)
	}
	return target{env: env, service: service, portBase: port[:len(port)-2], portSuffix: port[len(port)-2:]}
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// alive reports whether a process exists and is not a zombie (orphaned demo processes are
// reaped by PID 1, which in some containers never happens).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) // no /proc: trust kill -0
	}
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
		return s[i+2] != 'Z'
	}
	return true
}

// get fetches a URL with a short timeout.
func get(url string) (int, string, error) {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// eventually polls cond until it holds or waitFor passes (the standard-library stand-in for
// testify's require.Eventually, which this module does not depend on).
func eventually(t *testing.T, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("condition not met within %v: %s", waitFor, fmt.Sprintf(format, args...))
		case <-ticker.C:
		}
	}
}

func versionIs(tg target, want string) func() bool {
	return func() bool {
		code, body, err := get(tg.url("/version"))
		return err == nil && code == 200 && strings.TrimSpace(body) == want
	}
}

func portFree(tg target) func() bool {
	return func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+tg.port(), time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	}
}

func gone(pid int) func() bool { return func() bool { return !alive(pid) } }

func TestRunbookDeployVerifyRollback(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "staging", "catalog")

	// deploy v1 and verify it.
	d.mustStep("deploy", tg, "1.0.0", "")
	eventually(t, versionIs(tg, "1.0.0"), "/version should answer 1.0.0")
	d.mustStep("verify", tg, "1.0.0", "")
	pid1 := d.pid(tg)
	if got := d.record(tg, "previous"); got != "" {
		t.Errorf("previous after the first deploy = %q, want none", got)
	}

	// The same deploy again is a no-op: same process.
	out := d.mustStep("deploy", tg, "1.0.0", "")
	if !strings.Contains(out, "already running") || !strings.Contains(out, "[staging/catalog]") {
		t.Errorf("second deploy should say it is already running, got:\n%s", out)
	}
	if got := d.pid(tg); got != pid1 {
		t.Errorf("second deploy restarted the service: pid %d -> %d", pid1, got)
	}

	// verify fails loudly when the wrong version runs.
	if out, err := d.step("verify", tg, "2.0.0", ""); err == nil || !strings.Contains(out, "want '2.0.0'") {
		t.Errorf("verify of a version that is not running: err %v, output:\n%s", err, out)
	}

	// deploy v2: v1 is stopped and recorded as previous.
	d.mustStep("deploy", tg, "2.0.0", "")
	eventually(t, versionIs(tg, "2.0.0"), "/version should answer 2.0.0")
	eventually(t, gone(pid1), "v1 (pid %d) should have stopped", pid1)
	if got := d.record(tg, "previous"); got != "1.0.0 healthy" {
		t.Errorf("previous = %q, want %q", got, "1.0.0 healthy")
	}
	d.mustStep("verify", tg, "2.0.0", "")
	pid2 := d.pid(tg)

	// rollback: v1 runs again.
	d.mustStep("rollback", tg, "2.0.0", "")
	eventually(t, versionIs(tg, "1.0.0"), "/version should answer 1.0.0 after the rollback")
	eventually(t, gone(pid2), "v2 (pid %d) should have stopped", pid2)
	d.mustStep("verify", tg, "1.0.0", "")
	pid3 := d.pid(tg)
	if got := d.record(tg, "current"); got != "1.0.0 healthy" {
		t.Errorf("current after rollback = %q", got)
	}

	// A second rollback changes nothing.
	out = d.mustStep("rollback", tg, "2.0.0", "")
	if !strings.Contains(out, "nothing to roll back") {
		t.Errorf("second rollback should do nothing, got:\n%s", out)
	}
	if got := d.pid(tg); got != pid3 || !alive(pid3) {
		t.Errorf("second rollback touched the service: pid %d (alive %v) -> %d", pid3, alive(pid3), got)
	}
	eventually(t, versionIs(tg, "1.0.0"), "/version should still answer 1.0.0")
	if got := d.record(tg, "current"); got != "1.0.0 healthy" {
		t.Errorf("current after second rollback = %q", got)
	}

	// status reports it.
	out = d.mustStep("status", tg, "", "")
	if !strings.Contains(out, "[staging/catalog] running pid "+strconv.Itoa(pid3)) {
		t.Errorf("status output:\n%s", out)
	}
}

func TestRunbookBrokenBehaviour(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "staging", "payments-api")

	d.mustStep("deploy", tg, "3.1.0", "broken")
	eventually(t, versionIs(tg, "3.1.0"), "/version should answer 3.1.0")
	// Deploy and verify pass (the version is right); the smoke check on /healthz is what fails.
	d.mustStep("verify", tg, "3.1.0", "broken")
	eventually(t, func() bool {
		code, body, err := get(tg.url("/healthz"))
		return err == nil && code == 500 && strings.HasPrefix(body, "unhealthy payments-api 3.1.0")
	}, "/healthz should answer 500 unhealthy")
	pid := d.pid(tg)

	// Nothing ran before, so rolling back just stops the service.
	out := d.mustStep("rollback", tg, "3.1.0", "broken")
	if !strings.Contains(out, "stays stopped") {
		t.Errorf("rollback without a previous version, output:\n%s", out)
	}
	eventually(t, gone(pid), "broken service (pid %d) should have stopped", pid)
	eventually(t, portFree(tg), "port %s should be free", tg.port())

	out = d.mustStep("rollback", tg, "3.1.0", "broken")
	if !strings.Contains(out, "nothing to roll back") {
		t.Errorf("second rollback should do nothing, got:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(d.dir(tg), "pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file after rollback: %v", err)
	}
}

func TestRunbookRedeployAfterBrokenKeepsHealthyPrevious(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "prod-eu", "ledger")

	d.mustStep("deploy", tg, "3.0.0", "healthy")
	d.mustStep("deploy", tg, "3.0.0", "broken") // same version, different behaviour: a new deploy
	eventually(t, func() bool {
		code, _, err := get(tg.url("/healthz"))
		return err == nil && code == 500
	}, "/healthz should answer 500")
	if got := d.record(tg, "previous"); got != "3.0.0 healthy" {
		t.Fatalf("previous = %q, want %q", got, "3.0.0 healthy")
	}
	d.mustStep("rollback", tg, "3.0.0", "broken")
	eventually(t, func() bool {
		code, _, err := get(tg.url("/healthz"))
		return err == nil && code == 200
	}, "/healthz should answer 200 after rolling back to the healthy build")
}

func TestRunbookStopAll(t *testing.T) {
	d := newDemo(t)
	targets := []target{
		newTarget(t, "staging", "catalog"),
		newTarget(t, "staging", "cart"),
		newTarget(t, "prod-eu", "catalog"),
	}
	var pids []int
	for _, tg := range targets {
		d.mustStep("deploy", tg, "2.0.0", "")
		eventually(t, versionIs(tg, "2.0.0"), "%s/%s should answer", tg.env, tg.service)
		pids = append(pids, d.pid(tg))
	}

	out, err := d.runEnv("stop-all", nil)
	if err != nil {
		t.Fatalf("stop-all: %v\n%s", err, out)
	}
	t.Logf("stop-all:\n%s", out)
	for i, tg := range targets {
		eventually(t, gone(pids[i]), "%s/%s (pid %d) should have stopped", tg.env, tg.service, pids[i])
		eventually(t, portFree(tg), "port %s should be free", tg.port())
		if !strings.Contains(out, "["+tg.env+"/"+tg.service+"] stopped") {
			t.Errorf("stop-all did not report %s/%s", tg.env, tg.service)
		}
	}
	out, err = d.runEnv("status", nil)
	if err != nil || strings.Contains(out, "running") {
		t.Errorf("status after stop-all: %v\n%s", err, out)
	}
	// stop-all is idempotent.
	if out, err := d.runEnv("stop-all", nil); err != nil {
		t.Errorf("second stop-all: %v\n%s", err, out)
	}
}

func TestRunbookDeployFailsWhenPortIsTaken(t *testing.T) {
	d := newDemo(t)
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "someone else\n")
	}))
	defer foreign.Close()
	port := strconv.Itoa(foreign.Listener.Addr().(*net.TCPAddr).Port)
	tg := target{env: "staging", service: "cart", portBase: port[:len(port)-2], portSuffix: port[len(port)-2:]}

	out, err := d.step("deploy", tg, "2.0.0", "")
	if err == nil {
		t.Fatalf("deploy onto a taken port succeeded:\n%s", out)
	}
	if !strings.Contains(out, "already in use") {
		t.Errorf("deploy should explain the port is taken, got:\n%s", out)
	}
}

func TestRunbookRejectsBadInput(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "staging", "catalog")
	tests := []struct {
		name    string
		step    string
		vars    map[string]string
		wantOut string
	}{
		{name: "unknown step", step: "explode", wantOut: "usage"},
		{name: "missing PORT_BASE", step: "deploy", vars: map[string]string{
			"ENVIRONMENT": "staging", "SERVICE": "catalog", "VERSION": "1", "PORT_SUFFIX": tg.portSuffix}, wantOut: "PORT_BASE is not set"},
		{name: "missing VERSION", step: "verify", vars: map[string]string{
			"ENVIRONMENT": "staging", "SERVICE": "catalog", "PORT_BASE": tg.portBase, "PORT_SUFFIX": tg.portSuffix}, wantOut: "VERSION is not set"},
		{name: "unknown behaviour", step: "deploy", vars: map[string]string{
			"ENVIRONMENT": "staging", "SERVICE": "catalog", "VERSION": "1", "PORT_BASE": tg.portBase,
			"PORT_SUFFIX": tg.portSuffix, "BEHAVIOUR": "flaky"}, wantOut: "BEHAVIOUR must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := d.runEnv(tt.step, tt.vars)
			if err == nil || !strings.Contains(out, tt.wantOut) {
				t.Errorf("err %v, want output containing %q, got:\n%s", err, tt.wantOut, out)
			}
		})
	}
}
