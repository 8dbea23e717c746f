package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types/ref"
)

// Set is a compiled list of criteria, ready to evaluate many times: compile once at
// validation or phase start, evaluate on every collection and recheck.
type Set struct {
	items []item
	// observers evaluate each referenced path once per Evaluate, shared between criteria.
	observers map[string]cel.Program
}

type item struct {
	Criterion
	phase Phase
	*compiled
}

// CompileError lists the problems of every invalid criterion.
type CompileError struct {
	// Problems by criterion index, in order.
	Problems []IndexedProblem
}

// IndexedProblem is a Problem of the criterion at Index.
type IndexedProblem struct {
	Index int
	Problem
}

func (e *CompileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = fmt.Sprintf("criteria[%d].%s: %s", p.Index, p.Field, p.Message)
	}
	return strings.Join(lines, "\n")
}

// Compile checks and compiles criteria. Duplicate IDs are an error. A criterion with no
// severity is blocking.
func Compile(criteria []Criterion) (*Set, error) {
	s := &Set{observers: make(map[string]cel.Program)}
	var cerr CompileError
	seen := make(map[string]int)
	for i, c := range criteria {
		ps := Check(c)
		if first, dup := seen[c.ID]; dup && c.ID != "" {
			ps = append(ps, Problem{"id", fmt.Sprintf("duplicate criterion ID %q (first at criteria[%d])", c.ID, first)})
		}
		seen[c.ID] = i
		if len(ps) > 0 {
			for _, p := range ps {
				cerr.Problems = append(cerr.Problems, IndexedProblem{i, p})
			}
			continue
		}
		comp, _ := compileExpr(c.Expr) // cached by Check
		if c.Severity == "" {
			c.Severity = Blocking
		}
		s.items = append(s.items, item{Criterion: c, phase: phaseOf(comp.paths), compiled: comp})
		for _, p := range comp.paths {
			if _, ok := s.observers[p]; ok {
				continue
			}
			obs, err := compileObserver(p)
			if err != nil {
				return nil, fmt.Errorf("criterion %q: observe %s: %w", c.ID, p, err)
			}
			s.observers[p] = obs
		}
	}
	if len(cerr.Problems) > 0 {
		return nil, &cerr
	}
	return s, nil
}

func compileObserver(path string) (cel.Program, error) {
	env, err := celEnv()
	if err != nil {
		return nil, err
	}
	checked, iss := env.Compile("evidence." + path)
	if iss.Err() != nil {
		return nil, issuesError(iss)
	}
	return env.Program(checked, cel.CostLimit(CostLimit))
}

// phaseOf is the latest phase whose evidence a criterion reads: a criterion over pre-deploy
// evidence cannot be judged at readiness.
func phaseOf(paths []string) Phase {
	for _, p := range paths {
		if sourcePhase[SourceOf(p)] == PhasePreDeploy {
			return PhasePreDeploy
		}
	}
	return PhaseReadiness
}

// Len is the number of criteria in the set.
func (s *Set) Len() int { return len(s.items) }

// Phases returns the phase of each criterion by ID.
func (s *Set) Phases() map[string]Phase {
	m := make(map[string]Phase, len(s.items))
	for _, it := range s.items {
		m[it.ID] = it.phase
	}
	return m
}

// Evaluate judges the criteria of the given phase ("" for all) over the collected evidence.
// A criterion fails when a source it reads was not collected or could not be read, when a
// field it reads is missing from the report, when evaluation errs or exceeds the cost limit,
// and when the expression is false.
func (s *Set) Evaluate(c *Collected, phase Phase) Table {
	act, err := cel.NewActivation(map[string]any{"evidence": &c.Evidence})
	if err != nil {
		// Unreachable with a map of one variable; fail closed anyway.
		return s.failAll(phase, fmt.Sprintf("evaluation: %v", err))
	}
	observed := make(map[string]string, len(s.observers))
	observe := func(p string) string {
		if v, ok := observed[p]; ok {
			return v
		}
		out, _, err := s.observers[p].Eval(act)
		v := formatValue(out, err)
		observed[p] = v
		return v
	}
	t := Table{Rows: make([]Row, 0, len(s.items))}
	for _, it := range s.items {
		if phase != "" && it.phase != phase {
			continue
		}
		row := it.row()
		var links []string
		for _, p := range it.paths {
			src := SourceOf(p)
			st, ok := c.Sources[src]
			if st.Link != "" && !slices.Contains(links, st.Link) {
				links = append(links, st.Link)
			}
			switch {
			case !ok || (!st.Collected && st.Error == ""):
				row.fail(fmt.Sprintf("no evidence: source %q was not collected (is it declared in the spec?)", src))
			case st.Error != "":
				row.fail(fmt.Sprintf("evidence %q unusable: %s", src, st.Error))
			case slices.Contains(st.Missing, strings.TrimPrefix(strings.TrimPrefix(p, src), ".")):
				row.fail(fmt.Sprintf("evidence.%s: not in the report", p))
			}
			row.Observed = append(row.Observed, Observation{Path: "evidence." + p, Value: observe(p)})
		}
		row.Evidence = strings.Join(links, ", ")
		if row.Message == "" {
			row.Passed, row.Message = judge(it.prg, act)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (it item) row() Row {
	return Row{Criterion: it.ID, Description: it.Description, Owner: it.Owner, Severity: it.Severity,
		Phase: it.phase, Expected: it.Expr, Observed: make([]Observation, 0, len(it.paths))}
}

// fail keeps the first reason a row fails.
func (r *Row) fail(msg string) {
	if r.Message == "" {
		r.Message = msg
	}
}

func judge(prg cel.Program, act any) (bool, string) {
	out, _, err := prg.Eval(act)
	if err != nil {
		return false, "evaluation failed: " + err.Error()
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Sprintf("evaluation yielded %v, want a bool", out.Value())
	}
	if !b {
		return false, "expression is false"
	}
	return true, ""
}

func (s *Set) failAll(phase Phase, msg string) Table {
	var t Table
	for _, it := range s.items {
		if phase == "" || it.phase == phase {
			r := it.row()
			r.Message = msg
			t.Rows = append(t.Rows, r)
		}
	}
	return t
}

// formatValue renders an observed value compactly: scalars as themselves, lists and maps as
// JSON, bounded so a large list does not bloat the table.
func formatValue(v ref.Val, err error) string {
	if err != nil {
		return "(error: " + err.Error() + ")"
	}
	var s string
	switch x := v.Value().(type) {
	case string:
		s = fmt.Sprintf("%q", x)
	case bool, int64, uint64, float64:
		s = fmt.Sprint(x)
	default:
		// Native evidence values (slices, maps, structs) are Go values with JSON tags.
		b, jerr := json.Marshal(x)
		if jerr != nil {
			s = fmt.Sprint(x)
			break
		}
		s = string(b)
	}
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
