package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/integrations/deploy"
	"github.com/tollgate-dev/tollgate/workflows"
)

// timedDeployer records when each step starts, to see whether any starts after a pause.
type timedDeployer struct {
	inner  deploy.Deployer
	mu     sync.Mutex
	starts []time.Time
}

func (d *timedDeployer) Run(ctx context.Context, s deploy.Step, progress func()) (deploy.Result, error) {
	d.mu.Lock()
	d.starts = append(d.starts, time.Now())
	d.mu.Unlock()
	return d.inner.Run(ctx, s, progress)
}

// startsAfter returns the latest step start after t, or t itself when none started.
func (d *timedDeployer) lastStartAfter(t time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	last := t
	for _, s := range d.starts {
		if s.After(last) {
			last = s
		}
	}
	return last
}

type pauseResult struct {
	Samples int `json:"samples"`
	// LatencyMS: from the pause update's acceptance to the last step start after it (0 when
	// none started). The target is p95 ≤ 500 ms.
	LatencyP50MS float64 `json:"latencyP50Ms"`
	LatencyP95MS float64 `json:"latencyP95Ms"`
	LatencyMaxMS float64 `json:"latencyMaxMs"`
	// UpdateRoundTripMS is how long the pause update itself took to be accepted and applied.
	UpdateRoundTripP95MS float64 `json:"updateRoundTripP95Ms"`
}

const pauseSamples = 20

// measurePause pauses and resumes a running release many times; after each pause it watches
// for steps that still start.
func measurePause(ctx context.Context, ctl *control.Client, timed *timedDeployer) *pauseResult {
	spec := benchSpec(fmt.Sprintf("bench-pause-%d", time.Now().UnixNano()), 50, [][]string{{"env-0", "env-1", "env-2"}}, "true")
	progress("pause: release %s, %d pause/resume cycles", spec.Metadata.ID, pauseSamples)
	_, err := ctl.Start(ctx, &spec, "alice")
	check(err)
	awaitApproval(ctx, ctl, spec.Metadata.ID)
	_, err = ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
	check(err)
	res := &pauseResult{}
	var lat, rtt []float64
	for i := range pauseSamples {
		time.Sleep(60 * time.Millisecond) // let steps run between pauses
		sent := time.Now()
		_, err := ctl.Control(ctx, spec.Metadata.ID, workflows.UpdatePause, workflows.Request{Actor: "oncall", Reason: "bench " + itoa(i)})
		if err != nil {
			progress("pause %d refused (%v); the release finished early", i, err)
			break
		}
		accepted := time.Now()
		rtt = append(rtt, ms(accepted.Sub(sent)))
		time.Sleep(400 * time.Millisecond) // any step that still starts does so in this window
		lat = append(lat, ms(timed.lastStartAfter(accepted).Sub(accepted)))
		_, err = ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateResume, workflows.Request{Actor: "oncall"})
		check(err)
	}
	res.Samples = len(lat)
	if len(lat) > 0 {
		res.LatencyP50MS, res.LatencyP95MS, res.LatencyMaxMS = percentile(lat, 0.5), percentile(lat, 0.95), percentile(lat, 1)
		res.UpdateRoundTripP95MS = percentile(rtt, 0.95)
	}
	_, err = ctl.Result(ctx, spec.Metadata.ID)
	check(err)
	return res
}
