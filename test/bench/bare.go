package main

import (
	"context"
	"time"

	"go.temporal.io/sdk/workflow"
)

// bareInput describes the same release shape as a plain Temporal workflow sees it.
type bareInput struct {
	Waves       [][]string          `json:"waves"`
	Services    []string            `json:"services"`
	DependsOn   map[string][]string `json:"dependsOn"`
	Steps       []string            `json:"steps"`
	MaxParallel int                 `json:"maxParallel"`
}

// bareWorkflow is the baseline: the same no-op activities in the same order and parallelism
// (waves in sequence, environments of a wave in parallel, services by dependency with a bound),
// with none of Tollgate's phases, child workflows, controls or bookkeeping.
func bareWorkflow(ctx workflow.Context, in bareInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for _, wave := range in.Waves {
		wg := workflow.NewWaitGroup(ctx)
		for _, env := range wave {
			wg.Add(1)
			workflow.Go(ctx, func(ctx workflow.Context) {
				defer wg.Done()
				bareEnvironment(ctx, in, env)
			})
		}
		wg.Wait(ctx)
	}
	return nil
}

func bareEnvironment(ctx workflow.Context, in bareInput, env string) {
	done := map[string]bool{}
	running := 0
	wg := workflow.NewWaitGroup(ctx)
	for _, svc := range in.Services {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			_ = workflow.Await(ctx, func() bool {
				for _, d := range in.DependsOn[svc] {
					if !done[d] {
						return false
					}
				}
				return running < in.MaxParallel
			})
			running++
			for _, step := range in.Steps {
				_ = workflow.ExecuteActivity(ctx, noop, env, svc, step).Get(ctx, nil)
			}
			running--
			done[svc] = true
		})
	}
	wg.Wait(ctx)
}

func noop(context.Context, string, string, string) error { return nil }
