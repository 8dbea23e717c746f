// Package deploy runs runbook steps against deployment targets. Script is the real deployer
// (shell commands); Fake is the in-memory model used by tests and benchmarks.
package deploy

import (
	"context"
	"fmt"
	"time"
)

// Step is one runbook step for one service in one environment.
type Step struct {
	// Key is the idempotency key: release/environment/service/step.
	Key     string
	Name    string
	Command string
	// Env holds the step's variables (RELEASE_ID, SERVICE, ... and spec vars).
	Env     map[string]string
	Timeout time.Duration
}

// Result is what a finished step reports.
type Result struct {
	// Output is the tail of the step's combined output, at most MaxOutput bytes.
	Output   string
	ExitCode int
	Duration time.Duration
}

// MaxOutput bounds the output a step keeps, so logs never bloat the store or history.
const MaxOutput = 64 << 10

// Deployer runs one step. Progress is called periodically while the step runs, so the caller
// can heartbeat.
type Deployer interface {
	Run(ctx context.Context, step Step, progress func()) (Result, error)
}

// StepError is a step that ran and failed.
type StepError struct {
	Step     string
	ExitCode int
	Output   string
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %s exited with status %d: %s", e.Step, e.ExitCode, lastLine(e.Output))
}

func lastLine(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			return s[i+1:]
		}
	}
	return s
}
