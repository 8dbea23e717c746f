package activities

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"

	"github.com/tollgate-dev/tollgate/docs"
)

// Diagram formats.
const (
	DiagramSVG     = "svg"
	DiagramMermaid = "mermaid"
)

// DiagramRenderer turns an architecture diagram into SVG with Graphviz's `dot` when it is on
// PATH (Debian package graphviz), and falls back to Mermaid text otherwise. Tests inject
// LookPath and Run.
type DiagramRenderer struct {
	LookPath func(file string) (string, error)
	Run      func(ctx context.Context, path string, dot []byte) ([]byte, error)
}

// Render returns the diagram's format and bytes. A `dot` that is present but fails is an
// error, not a silent fallback: a broken installation should be seen.
func (r DiagramRenderer) Render(ctx context.Context, d docs.Diagram) (string, []byte, error) {
	look := r.LookPath
	if look == nil {
		look = exec.LookPath
	}
	path, err := look("dot")
	if err != nil {
		return DiagramMermaid, []byte(d.Mermaid), nil
	}
	run := r.Run
	if run == nil {
		run = runDot
	}
	svg, err := run(ctx, path, []byte(d.DOT))
	if err != nil {
		return "", nil, fmt.Errorf("render architecture diagram with %s: %w", path, err)
	}
	return DiagramSVG, svg, nil
}

func runDot(ctx context.Context, path string, dot []byte) ([]byte, error) {
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, bytes.TrimSpace(errOut.Bytes()))
	}
	return out.Bytes(), nil
}
