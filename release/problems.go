package release

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a spec, located by file, line and field path so a release
// manager can go straight to it. Line is 0 and File empty when unknown (Validate on a Spec that
// was not parsed from a file).
type Problem struct {
	File    string
	Line    int
	Path    string // e.g. services[2].dependsOn[0]; empty for the document as a whole
	Message string
}

// Error formats the problem as release.yaml:12: services[2].dependsOn[0]: message.
func (p Problem) Error() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		b.WriteString(p.File + ": ")
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a spec. Validation never stops at the first one: fixing a
// spec one error per run is what makes people hate config.
type Problems []Problem

// Error lists the problems one per line, sorted by line then path.
func (ps Problems) Error() string {
	sorted := slices.Clone(ps)
	sorted.sort()
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders problems by line, then path with indices compared as numbers (services[2] before
// services[10]), keeping discovery order for ties.
func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return comparePaths(a.Path, b.Path)
	})
}

// err returns ps as an error, or a true nil when there are none (never a typed nil).
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	ps.sort()
	return ps
}

// comparePaths compares two field paths, digit runs by numeric value.
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitPrefix(s string) int {
	n := 0
	for n < len(s) && n < 18 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// problemSet collects problems while validating.
type problemSet struct{ list Problems }

func (ps *problemSet) add(path, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// indexPath and fieldPath build the paths used in problems and in the line index.
func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

func fieldPath(parent, name string) string {
	if !plainKey(name) {
		return parent + "[" + strconv.Quote(name) + "]"
	}
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// plainKey reports whether a key can appear in a path without quoting.
func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// parentPath strips the last segment of a path: services[2].runbook.deploy → services[2].runbook.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}
