// Command gen regenerates the demo artifacts under examples/artifacts and pins their digests in
// examples/releases/*.yaml. Run it from anywhere inside the repository:
//
//	go run ./examples/artifacts/gen
//
// The output is deterministic (fixed timestamps, a key derived from a public seed, ed25519's
// deterministic signatures), so a second run changes nothing; examples/artifacts' tests fail
// when the committed files differ from what this writes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/tollgate-dev/tollgate/examples/artifacts"
)

func main() {
	root := flag.String("root", "", "repository root (default: the nearest directory above the working directory holding go.mod)")
	specs := flag.Bool("specs", true, "rewrite the digest: lines of examples/releases/*.yaml")
	flag.Parse()
	if err := run(*root, *specs); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(root string, specs bool) error {
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	g, err := artifacts.Write(filepath.Join(root, "examples", "artifacts"))
	if err != nil {
		return err
	}
	names := make([]string, 0, len(g.Digests))
	for n := range g.Digests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%s  %s\n", g.Digests[n], n)
	}
	if !specs {
		return nil
	}
	byFile := g.SpecDigests()
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		digests := byFile[file]
		path := filepath.Join(root, "examples", "releases", file)
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		updated, err := artifacts.UpdateDigests(old, digests)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if string(updated) == string(old) {
			fmt.Printf("%s: digests already current\n", path)
			continue
		}
		if err := os.WriteFile(path, updated, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: digests updated\n", path)
	}
	return nil
}

// findRoot walks up from the working directory to the module root.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from inside the repository or pass -root")
		}
		dir = parent
	}
}
