package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/workflows"
)

type overheadResult struct {
	Services     int       `json:"services"`
	Environments int       `json:"environments"`
	Activities   int       `json:"activities"`
	TollgateMS   []float64 `json:"tollgateMs"`
	BareMS       []float64 `json:"bareMs"`
	// Ratio is median(Tollgate) / median(bare); the target is ≤ 1.5.
	Ratio float64 `json:"ratio"`
	// MaxHistoryEvents is the largest history of any execution of one release.
	MaxHistoryEvents int `json:"maxHistoryEvents"`
}

const overheadRuns = 3

// measureOverhead compares the deployment phase of a 50 × 3 release (from the approval to the
// end of the last wave, by the workflow's own clock) with a bare workflow running the same
// activities (start to close, by the server's clock).
func measureOverhead(ctx context.Context, c client.Client, ctl *control.Client) *overheadResult {
	waves := [][]string{{"env-0"}, {"env-1", "env-2"}}
	res := &overheadResult{Services: 50, Environments: 3, Activities: 50 * 3 * 2}
	for run := range overheadRuns {
		spec := benchSpec(fmt.Sprintf("bench-overhead-%d-%d", time.Now().UnixNano(), run), 50, waves, "true")
		progress("overhead run %d: Tollgate release %s", run+1, spec.Metadata.ID)
		_, err := ctl.Start(ctx, &spec, "alice")
		check(err)
		awaitApproval(ctx, ctl, spec.Metadata.ID)
		_, err = ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateApprove, workflows.Request{Actor: "bob"})
		check(err)
		out, err := ctl.Result(ctx, spec.Metadata.ID)
		check(err)
		if out.Outcome != workflows.OutcomeCompleted {
			check(fmt.Errorf("release %s ended %s: %s", spec.Metadata.ID, out.Outcome, out.Reason))
		}
		st, err := ctl.Status(ctx, spec.Metadata.ID)
		check(err)
		res.TollgateMS = append(res.TollgateMS, ms(between(st, "approved", "review-scheduled")))
		if os.Getenv("BENCH_TIMELINE") != "" {
			for _, ev := range st.Timeline {
				progress("  %s %s %s", ev.Time.Format("15:04:05.000"), ev.Kind, ev.Message)
			}
		}
		for _, id := range []string{spec.Metadata.ID, workflows.WaveWorkflowID(spec.Metadata.ID, 0, workflows.WaveDeploy), workflows.WaveWorkflowID(spec.Metadata.ID, 1, workflows.WaveDeploy)} {
			res.MaxHistoryEvents = max(res.MaxHistoryEvents, historyLength(ctx, c, id))
		}

		progress("overhead run %d: bare workflow", run+1)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: fmt.Sprintf("bench-bare-%d", time.Now().UnixNano()), TaskQueue: workflows.TaskQueue,
		}, "BareWorkflow", bareShape(spec))
		check(err)
		check(run.Get(ctx, nil))
		d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		check(err)
		info := d.GetWorkflowExecutionInfo()
		res.BareMS = append(res.BareMS, ms(info.GetCloseTime().AsTime().Sub(info.GetStartTime().AsTime())))
	}
	res.Ratio = median(res.TollgateMS) / median(res.BareMS)
	return res
}

func between(st workflows.Status, from, to string) time.Duration {
	var a, b time.Time
	for _, ev := range st.Timeline {
		if ev.Kind == from && a.IsZero() {
			a = ev.Time
		}
		if ev.Kind == to {
			b = ev.Time
		}
	}
	return b.Sub(a)
}

func historyLength(ctx context.Context, c client.Client, id string) int {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	check(err)
	return int(d.GetWorkflowExecutionInfo().GetHistoryLength())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p*float64(len(s)-1) + 0.5)
	return s[i]
}
