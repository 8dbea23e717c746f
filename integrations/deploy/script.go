package deploy

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Script runs runbook steps as `sh -c COMMAND` in Dir.
type Script struct {
	// Dir is the working directory of every step.
	Dir string
	// BaseEnv is the environment steps inherit, before the step's own variables; secrets are
	// filtered out of it by FilterSecrets.
	BaseEnv []string
	// ProgressEvery is how often progress is reported (default 1s).
	ProgressEvery time.Duration
}

// Run starts the command in its own process group, so cancelling a step also stops what it
// started in the foreground, and waits for it.
func (s *Script) Run(ctx context.Context, step Step, progress func()) (Result, error) {
	if step.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, step.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", step.Command)
	cmd.Dir = s.Dir
	cmd.Env = append(FilterSecrets(s.BaseEnv), envList(step.Env)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A step may leave a daemon running that inherited our pipes; do not wait on it forever.
	cmd.WaitDelay = 5 * time.Second
	out := &tailBuffer{max: MaxOutput}
	cmd.Stdout, cmd.Stderr = out, out

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	every := s.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			res := Result{Output: out.String(), Duration: time.Since(start)}
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				res.ExitCode = exit.ExitCode()
				return res, &StepError{Step: step.Name, ExitCode: res.ExitCode, Output: res.Output}
			}
			if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
				return res, err
			}
			return res, nil
		case <-tick.C:
			if progress != nil {
				progress()
			}
		}
	}
}

// FilterSecrets drops variables whose names look like credentials, so a runbook never sees the
// worker's Temporal API key or integration tokens unless the spec passes them on purpose.
func FilterSecrets(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if isSecretName(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func isSecretName(name string) bool {
	u := strings.ToUpper(name)
	for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "API_KEY", "APIKEY", "PRIVATE_KEY", "TLS_KEY", "CREDENTIAL"} {
		if strings.Contains(u, w) {
			return true
		}
	}
	return false
}

func envList(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out
}

// DefaultEnv is the worker's environment, the usual BaseEnv.
func DefaultEnv() []string { return os.Environ() }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
