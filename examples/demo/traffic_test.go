package demo_test

import (
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// instanceBase finds a three-digit INSTANCE_PORT_BASE whose first ports are free.
func instanceBase(t *testing.T) string {
	t.Helper()
	for b := 311; b < 650; b += 7 {
		free := true
		for _, slot := range []string{"00", "01", "10", "20", "30"} {
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
	t.Fatal("no free instance port range")
	return ""
}

// traffic runs a traffic operation for a target with the given extra variables.
func (d *demo) traffic(op string, tg target, base string, vars map[string]string) (string, error) {
	all := map[string]string{"RELEASE_ID": "demo-test", "SERVICE": tg.service, "ENVIRONMENT": tg.env, "STEP": op,
		"PORT_BASE": tg.portBase, "PORT_SUFFIX": tg.portSuffix, "INSTANCE_PORT_BASE": base}
	for k, v := range vars {
		all[k] = v
	}
	out, err := d.runEnv(op, all)
	files, _ := filepath.Glob(filepath.Join(d.state, "*", "*", "*", "pid"))
	for _, f := range files {
		if pid, err := readPID(f); err == nil {
			d.mu.Lock()
			d.pids[pid] = true
			d.mu.Unlock()
		}
	}
	return out, err
}

func (d *demo) mustTraffic(op string, tg target, base string, vars map[string]string) string {
	d.t.Helper()
	out, err := d.traffic(op, tg, base, vars)
	if err != nil {
		d.t.Fatalf("%s %v: %v\n%s", op, vars, err, out)
	}
	return out
}

// through sends n requests through the router and counts the answers by version and status.
func through(t *testing.T, tg target, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		resp, err := http.Get(tg.url("/"))
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 256)
		m, _ := resp.Body.Read(b)
		resp.Body.Close()
		v := "?"
		if i := strings.Index(string(b[:m]), `"version":"`); i >= 0 {
			v = strings.SplitN(string(b[i+11:m]), `"`, 2)[0]
		}
		got[v+" "+strconv.Itoa(resp.StatusCode)]++
	}
	return got
}

func TestRunbookCanaryWeightsMoveRealTraffic(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "staging", "search")
	base := instanceBase(t)
	d.mustTraffic("scale", tg, base, map[string]string{"TRACK": "stable", "REPLICAS": "2", "VERSION": "1.0.0"})
	if out := d.mustTraffic("observe", tg, base, nil); !strings.Contains(out, "version=1.0.0\nreplicas=2\nweight=0\ncolour=\n") {
		t.Fatalf("observe after the seed:\n%s", out)
	}
	bad := map[string]string{"TRACK": "canary", "REPLICAS": "1", "VERSION": "2.0.0", "ERROR_RATE": "0.5", "ERROR_VERSION": "2.0.0"}
	d.mustTraffic("scale", tg, base, bad)
	d.mustTraffic("weight", tg, base, map[string]string{"WEIGHT": "20"})
	if out := d.mustTraffic("weight", tg, base, map[string]string{"WEIGHT": "20"}); !strings.Contains(out, "canary weight 20%") {
		t.Fatalf("second weight:\n%s", out)
	}
	got := through(t, tg, 100)
	if got["1.0.0 200"] != 80 || got["2.0.0 200"] != 10 || got["2.0.0 500"] != 10 {
		t.Fatalf("weight 20 with a canary failing half its requests: %v", got)
	}
	if out := d.mustTraffic("observe", tg, base, nil); !strings.Contains(out, "weight=20") {
		t.Fatalf("observe:\n%s", out)
	}
	if out, err := d.traffic("switch", tg, base, map[string]string{"COLOUR": "blue"}); err == nil || !strings.Contains(out, "runs no instance") {
		t.Fatalf("switch to a colour without instances must be refused: %v\n%s", err, out)
	}
	// Rollback order: weight back, then the canary retires; a second run changes nothing.
	for range 2 {
		d.mustTraffic("weight", tg, base, map[string]string{"WEIGHT": "0"})
		d.mustTraffic("scale", tg, base, map[string]string{"TRACK": "canary", "REPLICAS": "0"})
	}
	if got := through(t, tg, 20); got["1.0.0 200"] != 20 {
		t.Fatalf("after the rollback every request must reach 1.0.0: %v", got)
	}
	// A rolling batch replaces instance 0 only.
	d.mustTraffic("scale", tg, base, map[string]string{"TRACK": "stable", "VERSION": "2.0.0", "BATCH": "1", "BATCH_FROM": "0", "BATCH_TO": "1"})
	if got := through(t, tg, 20); got["1.0.0 200"] != 10 || got["2.0.0 200"] != 10 {
		t.Fatalf("one batch of two instances: %v", got)
	}
}

func TestRunbookBlueGreenSwitch(t *testing.T) {
	d := newDemo(t)
	tg := newTarget(t, "staging", "search")
	base := instanceBase(t)
	d.mustTraffic("scale", tg, base, map[string]string{"TRACK": "blue", "REPLICAS": "1", "VERSION": "1.0.0"})
	d.mustTraffic("switch", tg, base, map[string]string{"COLOUR": "blue"})
	d.mustTraffic("scale", tg, base, map[string]string{"TRACK": "green", "REPLICAS": "1", "VERSION": "2.0.0"})
	if got := through(t, tg, 10); got["1.0.0 200"] != 10 {
		t.Fatalf("before the switch: %v", got)
	}
	d.mustTraffic("switch", tg, base, map[string]string{"COLOUR": "green"})
	if got := through(t, tg, 10); got["2.0.0 200"] != 10 {
		t.Fatalf("after the switch: %v", got)
	}
	if out := d.mustTraffic("observe", tg, base, nil); !strings.Contains(out, "version=2.0.0\nreplicas=1\nweight=0\ncolour=green") {
		t.Fatalf("observe:\n%s", out)
	}
}
