package release

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads a spec from YAML: it checks the YAML, the apiVersion and kind, every field name and
// type, then decodes, applies Normalize and Validate. file names the source in problems. On
// failure the error is a Problems listing everything wrong, each with file, line and field path.
func Parse(file string, data []byte) (spec *Spec, err error) {
	// yaml.v3 has panicked on malformed input before (CVE-2022-28948); a spec from a user must
	// never take down the CLI or a worker.
	defer func() {
		if r := recover(); r != nil {
			spec, err = nil, Problems{{File: file, Message: fmt.Sprintf("cannot parse spec: %v", r)}}
		}
	}()
	root, probs := parseDocument(data)
	if len(probs) == 0 {
		probs = checkVersion(root)
	}
	if len(probs) > 0 {
		return nil, withFile(probs, file)
	}
	w := newSchemaWalker()
	w.mark("", root.Line)
	w.walk(root, reflect.TypeFor[Spec](), "")
	if w.fatal {
		return nil, withFile(w.problems, file)
	}
	// Unknown fields alone do not stop decoding (yaml.v3 skips them), so validate as well and
	// report both: a misspelt "rolback" also leaves rollback missing, and saying so helps.
	var s Spec
	if err := root.Decode(&s); err != nil {
		// The walk should have caught every type error; this is the backstop (e.g. alias limits).
		return nil, withFile(append(w.problems, yamlProblems(err)...), file)
	}
	s.Normalize()
	probs = w.problems
	if err := Validate(&s); err != nil {
		var vp Problems
		if !errors.As(err, &vp) {
			return nil, err
		}
		for _, p := range vp {
			p.Line = w.lineOf(p.Path)
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return nil, withFile(probs, file)
	}
	return &s, nil
}

// parseDocument parses data as exactly one YAML document holding a mapping.
func parseDocument(data []byte) (*yaml.Node, Problems) {
	empty := Problems{{Message: fmt.Sprintf("spec is empty: want a %s %s document", APIVersion, Kind)}}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, empty
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, empty // only comments
		}
		return nil, yamlProblems(err)
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlProblems(err)
		}
		// A trailing "---" with nothing after it is harmless; a second release is not.
		if root := docRoot(&next); root != nil {
			return nil, Problems{{Line: next.Line, Message: "a second YAML document starts here: a spec file holds exactly one release"}}
		}
	}
	root := docRoot(&doc)
	if root == nil {
		return nil, empty
	}
	if root.Kind != yaml.MappingNode {
		return nil, Problems{{Line: root.Line, Message: fmt.Sprintf(
			"want a mapping with apiVersion, kind, metadata, services, environments, waves, approval and handoff, got %s", describe(root))}}
	}
	return root, nil
}

// docRoot returns the content of a document node, or nil when the document is empty.
func docRoot(doc *yaml.Node) *yaml.Node {
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil
	}
	return root
}

// checkVersion rejects a spec this build cannot read, before anything else: field errors against
// the wrong schema would only mislead.
func checkVersion(root *yaml.Node) Problems {
	var probs Problems
	check := func(key, want, missing, wrong string) {
		k, v := lookupKey(root, key)
		switch {
		case k == nil:
			probs = append(probs, Problem{Line: root.Line, Path: key, Message: missing})
		case v.Kind != yaml.ScalarNode || v.Value != want:
			got := describe(v)
			if v.Kind == yaml.ScalarNode {
				got = strconv.Quote(clip(v.Value))
			}
			probs = append(probs, Problem{Line: k.Line, Path: key, Message: fmt.Sprintf(wrong, got)})
		}
	}
	check("apiVersion", APIVersion,
		fmt.Sprintf("missing apiVersion: this build reads %s", APIVersion),
		"unsupported apiVersion %s: this build reads "+APIVersion)
	check("kind", Kind,
		fmt.Sprintf("missing kind: want %q", Kind),
		"unsupported kind %s: want "+strconv.Quote(Kind))
	return probs
}

// lookupKey returns the key and value nodes of key in a mapping, following an alias value.
func lookupKey(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			return k, v
		}
	}
	return nil, nil
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to its scanner). For these
// it reports the 0-based line of the enclosing construct, and no line at all for line 0
// (decode.go, parser.fail), so the line is shifted to the 1-based line people see.
var yamlParserProblems = []string{
	"did not find expected ", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// yamlProblems turns a yaml.v3 error into problems, lifting "line N:" out of its messages.
func yamlProblems(err error) Problems {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	probs := make(Problems, 0, len(msgs))
	for _, m := range msgs {
		line := 0
		m = strings.TrimPrefix(m, "yaml: ")
		if sub := yamlLineRE.FindStringSubmatch(m); sub != nil {
			line, _ = strconv.Atoi(sub[1])
			m = sub[2]
		}
		if te == nil && slices.ContainsFunc(yamlParserProblems, func(p string) bool { return strings.HasPrefix(m, p) }) {
			line++
		}
		probs = append(probs, Problem{Line: line, Message: "invalid YAML: " + m})
	}
	return probs
}

func withFile(ps Problems, file string) error {
	for i := range ps {
		ps[i].File = file
	}
	return ps.err()
}
