package policy

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/ext"
)

// CostLimit bounds the work one criterion may do when evaluated. The expressions Tollgate
// expects cost tens of units; the limit stops a comprehension over a large list from stalling
// the readiness phase.
const CostLimit = 10_000

// MaxExprLen bounds an expression's length; criteria are one-liners.
const MaxExprLen = 4096

var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[Evidence](), ext.ParseStructTag("json")),
		cel.Variable("evidence", cel.ObjectType("policy.Evidence")),
		// `evidence.perf.p99_ms <= 250` compares a double with an int: allow it, as people write it.
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
	)
})

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Problem is one thing wrong with a criterion, naming the field ("owner", "expr").
type Problem struct {
	Field   string
	Message string
}

// Check returns everything wrong with a criterion: missing ID or owner, unknown severity, and
// an expression that does not parse, reads an undeclared evidence field, or is not a bool.
func Check(c Criterion) []Problem {
	var ps []Problem
	switch {
	case c.ID == "":
		ps = append(ps, Problem{"id", "required: a criterion ID such as perf-p99"})
	case !idRE.MatchString(c.ID):
		ps = append(ps, Problem{"id", fmt.Sprintf("invalid criterion ID %q: use lower-case letters, digits, '.', '_' and '-', at most 63", c.ID)})
	}
	if strings.TrimSpace(c.Owner) == "" {
		ps = append(ps, Problem{"owner", fmt.Sprintf("criterion %q has no owner: every criterion needs a team or person who fixes or waives it", c.ID)})
	}
	switch c.Severity {
	case Blocking, Advisory, "":
	default:
		ps = append(ps, Problem{"severity", fmt.Sprintf("criterion %q: unknown severity %q: want blocking or advisory", c.ID, c.Severity)})
	}
	if _, err := compileExpr(c.Expr); err != nil {
		ps = append(ps, Problem{"expr", fmt.Sprintf("criterion %q: %v", c.ID, err)})
	}
	return ps
}

// compiled is a checked expression with the evidence paths it reads.
type compiled struct {
	prg   cel.Program
	paths []string // without the "evidence." prefix, sorted
}

// compileCache holds compiled expressions by source: validation, the CLI and every
// evaluation of a release compile the same expressions, and compiling costs ~250 µs each.
// Programs are safe for concurrent use. The cache stops growing at maxCached entries.
var (
	compileCache sync.Map // string → *compiled
	cached       atomic.Int64
)

const maxCached = 4096

func compileExpr(expr string) (*compiled, error) {
	if c, ok := compileCache.Load(expr); ok {
		return c.(*compiled), nil
	}
	c, err := compileUncached(expr)
	if err == nil && cached.Load() < maxCached {
		if _, loaded := compileCache.LoadOrStore(expr, c); !loaded {
			cached.Add(1)
		}
	}
	return c, err
}

func compileUncached(expr string) (*compiled, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("required: a CEL expression over evidence, e.g. evidence.ci.all_passed")
	}
	if len(expr) > MaxExprLen {
		return nil, fmt.Errorf("expression is %d characters, over the %d limit", len(expr), MaxExprLen)
	}
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	checked, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, issuesError(iss)
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("expression yields %s, want bool", checked.OutputType())
	}
	prg, err := env.Program(checked, cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("plan expression: %w", err)
	}
	return &compiled{prg: prg, paths: referencedPaths(checked.NativeRep().Expr())}, nil
}

// issuesError turns CEL's multi-line issue report into one line per error with its column.
func issuesError(iss *cel.Issues) error {
	var msgs []string
	for _, e := range iss.Errors() {
		msgs = append(msgs, fmt.Sprintf("%s (column %d)", e.Message, e.Location.Column()+1))
	}
	return errors.New(strings.Join(msgs, "; "))
}

// referencedPaths returns the longest evidence field paths the expression selects, e.g.
// "perf.p99_ms" for evidence.perf.p99_ms.
func referencedPaths(e ast.Expr) []string {
	var all []string
	ast.PreOrderVisit(e, ast.NewExprVisitor(func(x ast.Expr) {
		if p, ok := selectPath(x); ok {
			all = append(all, p)
		}
	}))
	slices.Sort(all)
	all = slices.Compact(all)
	var out []string
	for i, p := range all {
		// Sorted, so a path's extensions follow it directly.
		if i+1 < len(all) && strings.HasPrefix(all[i+1], p+".") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// selectPath flattens a chain of field selections rooted at the evidence variable.
func selectPath(x ast.Expr) (string, bool) {
	var parts []string
	for x.Kind() == ast.SelectKind {
		sel := x.AsSelect()
		if sel.IsTestOnly() {
			return "", false
		}
		parts = append(parts, sel.FieldName())
		x = sel.Operand()
	}
	if x.Kind() != ast.IdentKind || x.AsIdent() != "evidence" || len(parts) == 0 {
		return "", false
	}
	slices.Reverse(parts)
	return strings.Join(parts, "."), true
}
