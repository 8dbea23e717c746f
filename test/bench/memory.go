package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate-dev/tollgate/audit"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

type memoryResult struct {
	Releases int `json:"releases"`
	// PeakRSSMB is the worker process's peak resident set while they ran; target ≤ 300 MB.
	PeakRSSMB float64 `json:"peakRssMb"`
	WallS     float64 `json:"wallS"`
}

const memoryReleases = 100

// measureMemory runs the real worker binary against the bench's server and starts 100 small
// releases at once, sampling the worker's RSS until all have closed.
func measureMemory(ctx context.Context, ctl *control.Client, address, bin, dir string) *memoryResult {
	workerDir := filepath.Join(dir, "worker")
	check(os.MkdirAll(workerDir, 0o750))
	priv, _, err := audit.GenerateKey(nil)
	check(err)
	check(os.WriteFile(filepath.Join(workerDir, "audit.key"), priv, 0o600))
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+address, "TEMPORAL_NAMESPACE=default",
		"TOLLGATE_DATA_DIR="+workerDir,
		"TOLLGATE_HTTP_ADDR=127.0.0.1:"+itoa(freePort()),
		"TOLLGATE_LOG_LEVEL=error")
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	var finished atomic.Bool
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		if !finished.Load() {
			// A worker that dies would leave the releases waiting forever: fail instead.
			check(fmt.Errorf("worker exited during the measurement: %v", err))
		}
		close(exited)
	}()
	defer func() {
		finished.Store(true)
		_ = cmd.Process.Signal(os.Interrupt)
		<-exited
	}()
	progress("memory: worker pid %d, %d releases of 3 services", cmd.Process.Pid, memoryReleases)

	var peak float64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				peak = max(peak, rssMB(cmd.Process.Pid))
			}
		}
	}()
	began := time.Now()
	ids := make([]string, memoryReleases)
	for i := range ids {
		// Each release targets its own environment: releases sharing targets would queue behind
		// each other (cross-release coordination), which is not what this measures.
		spec := benchSpec(fmt.Sprintf("bench-mem-%d-%d", began.UnixNano(), i), 3, [][]string{{fmt.Sprintf("env-%d", i)}}, "true")
		ids[i] = spec.Metadata.ID
		_, err := ctl.Start(ctx, &spec, "alice")
		check(err)
	}
	for _, id := range ids {
		awaitApproval(ctx, ctl, id)
		_, err := ctl.Control(ctx, id, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
		check(err)
	}
	for _, id := range ids {
		out, err := ctl.Result(ctx, id)
		check(err)
		if out.Outcome != workflows.OutcomeCompleted {
			check(fmt.Errorf("release %s ended %s: %s", id, out.Outcome, out.Reason))
		}
	}
	close(stop)
	wg.Wait()
	return &memoryResult{Releases: memoryReleases, PeakRSSMB: peak, WallS: time.Since(began).Seconds()}
}

func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
