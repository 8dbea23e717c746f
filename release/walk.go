package release

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// schemaWalker checks a YAML node tree against the Go types it will decode into, before decoding.
// yaml.v3's KnownFields stops at the first unknown key and its messages carry no field path, so
// the walk reports every unknown field and type mismatch at once, and records the line of every
// path for locating the semantic problems Validate finds later.
type schemaWalker struct {
	lines    map[string]int
	problems Problems
	// fatal is set by a problem that stops decoding (a type error); unknown fields alone do not,
	// so their problems and Validate's are reported together.
	fatal bool
	// visited holds (node, type) pairs already checked: an alias repeats its anchor's problems at
	// the anchor only, and an alias bomb costs one walk of each node instead of an explosion.
	visited map[visitKey]bool
}

type visitKey struct {
	node *yaml.Node
	typ  reflect.Type
}

var durationType = reflect.TypeFor[Duration]()

func newSchemaWalker() *schemaWalker {
	return &schemaWalker{lines: make(map[string]int), visited: make(map[visitKey]bool)}
}

// mark records the line of path; the first record wins, so a field's line is its key's line.
func (w *schemaWalker) mark(path string, line int) {
	if _, ok := w.lines[path]; !ok && line > 0 {
		w.lines[path] = line
	}
}

func (w *schemaWalker) fail(line int, path, format string, args ...any) {
	w.fatal = true
	w.problems = append(w.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// mismatch reports a value of the wrong shape at the line of its key ("waves:"), which is where
// people look, rather than at the first line of the value beneath it.
func (w *schemaWalker) mismatch(n *yaml.Node, path, format string, args ...any) {
	line, ok := w.lines[path]
	if !ok {
		line = n.Line
	}
	w.fail(line, path, format, args...)
}

// lineOf returns the line of path or of its nearest recorded ancestor.
func (w *schemaWalker) lineOf(path string) int {
	for {
		if line, ok := w.lines[path]; ok {
			return line
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// walk checks n against type t at path.
func (w *schemaWalker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value decodes to the zero value; Validate says if that is wrong
	}
	// Optional blocks (mitigation, postDeploy, strategy…) are pointers: check what they point to.
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	key := visitKey{n, t}
	if w.visited[key] {
		return
	}
	w.visited[key] = true
	switch {
	case t == durationType:
		w.walkDuration(n, path)
	case t.Kind() == reflect.Struct:
		w.walkStruct(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.mismatch(n, path, "want a list, got %s", describe(n))
			return
		}
		for i, item := range n.Content {
			p := indexPath(path, i)
			w.mark(p, item.Line)
			w.walk(item, t.Elem(), p)
		}
	case t.Kind() == reflect.Map:
		w.walkMap(n, t, path)
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.mismatch(n, path, "want a string, got %s", describe(n))
		}
	case t.Kind() == reflect.Int:
		// Only an !!int: yaml.v3 would silently truncate 200.5 to 200.
		var v int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
			w.mismatch(n, path, "want a whole number, got %s", describe(n))
		}
	}
}

func (w *schemaWalker) walkDuration(n *yaml.Node, path string) {
	const want = `want a duration such as "30s", "15m" or "24h"`
	if n.Kind != yaml.ScalarNode {
		w.mismatch(n, path, "%s, got %s", want, describe(n))
		return
	}
	if _, err := time.ParseDuration(n.Value); err != nil {
		hint := want
		if n.ShortTag() == "!!int" || n.ShortTag() == "!!float" {
			hint = fmt.Sprintf("a duration needs a unit, e.g. \"%ss\"", n.Value)
		}
		w.mismatch(n, path, "invalid duration %q: %s", clip(n.Value), hint)
	}
}

func (w *schemaWalker) walkStruct(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.mismatch(n, path, "want a mapping of %s, got %s", strings.Join(fieldsOf(t).names, ", "), describe(n))
		return
	}
	fields := fieldsOf(t)
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			w.walkMerge(v, t, path)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			w.fail(k.Line, path, "want a field name, got %s", describe(k))
			continue
		}
		p := fieldPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			w.fail(k.Line, p, "duplicate field %q (first set at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		ft, ok := fields.types[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown field %q; known fields: %s", clip(k.Value), strings.Join(fields.names, ", "))
			if s := suggest(k.Value, fields.names); s != "" {
				msg = fmt.Sprintf("unknown field %q (did you mean %q?)", clip(k.Value), s)
			}
			w.problems = append(w.problems, Problem{Line: k.Line, Path: p, Message: msg}) // not fatal
			w.mark(p, k.Line)
			continue
		}
		w.mark(p, k.Line)
		w.walk(v, ft, p)
	}
}

// walkMerge checks the mappings merged in by a YAML "<<" key as if written in place.
func (w *schemaWalker) walkMerge(v *yaml.Node, t reflect.Type, path string) {
	if v.Kind == yaml.SequenceNode {
		for _, item := range v.Content {
			w.walk(item, t, path)
		}
		return
	}
	w.walk(v, t, path)
}

func (w *schemaWalker) walkMap(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.mismatch(n, path, "want a mapping of names to values, got %s", describe(n))
		return
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			w.fail(k.Line, path, "want a variable name, got %s", describe(k))
			continue
		}
		p := fieldPath(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			w.fail(k.Line, p, "duplicate key %q (first set at line %d)", clip(k.Value), first)
			continue
		}
		seen[k.Value] = k.Line
		w.mark(p, k.Line)
		w.walk(v, t.Elem(), p)
	}
}

// structFields is the YAML view of a struct type: its keys in declaration order and their types.
type structFields struct {
	names []string
	types map[string]reflect.Type
}

var fieldCache sync.Map // reflect.Type → *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{types: make(map[string]reflect.Type)}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name) // yaml.v3's default key
		}
		f.names = append(f.names, name)
		f.types[name] = sf.Type
	}
	fieldCache.Store(t, f)
	return f
}

// describe names what a node is, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", clip(n.Value))
	case "!!int", "!!float":
		return "the number " + clip(n.Value)
	case "!!bool":
		return "the boolean " + clip(n.Value)
	case "!!null":
		return "nothing"
	}
	return fmt.Sprintf("%q", clip(n.Value))
}

// clip shortens user text quoted in messages, so a pasted blob does not drown the message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
