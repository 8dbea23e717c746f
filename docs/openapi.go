package docs

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Change is one difference between two OpenAPI documents.
type Change struct {
	// Where is the operation or schema location: "GET /orders/{id}", "... response 200".
	Where    string `json:"where"`
	Message  string `json:"message"`
	Breaking bool   `json:"breaking"`
}

// APIDiff is the comparison of a service's OpenAPI document with its previous version.
type APIDiff struct {
	Changes []Change `json:"changes"`
}

// Breaking returns only the breaking changes.
func (d APIDiff) Breaking() []Change {
	var out []Change
	for _, c := range d.Changes {
		if c.Breaking {
			out = append(out, c)
		}
	}
	return out
}

// openAPI is the part of an OpenAPI 3 document the diff reads. JSON is valid YAML, so one
// decoder reads both.
type openAPI struct {
	Paths      map[string]map[string]operation `yaml:"paths"`
	Components struct {
		Schemas map[string]schema `yaml:"schemas"`
	} `yaml:"components"`
}

type operation struct {
	Parameters  []parameter         `yaml:"parameters"`
	RequestBody *requestBody        `yaml:"requestBody"`
	Responses   map[string]response `yaml:"responses"`
}

type parameter struct {
	Name     string `yaml:"name"`
	In       string `yaml:"in"`
	Required bool   `yaml:"required"`
}

type requestBody struct {
	Required bool                 `yaml:"required"`
	Content  map[string]mediaType `yaml:"content"`
}

type response struct {
	Content map[string]mediaType `yaml:"content"`
}

type mediaType struct {
	Schema schema `yaml:"schema"`
}

type schema struct {
	Ref        string            `yaml:"$ref"`
	Type       string            `yaml:"type"`
	Required   []string          `yaml:"required"`
	Properties map[string]schema `yaml:"properties"`
	Items      *schema           `yaml:"items"`
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// DiffOpenAPI compares the previous and next OpenAPI 3 documents (JSON or YAML) of a service:
// removed operations, newly required parameters or request fields, removed success
// responses, and response properties removed or retyped are breaking; additions are not.
func DiffOpenAPI(previous, next []byte) (APIDiff, error) {
	var a, b openAPI
	if err := yaml.Unmarshal(previous, &a); err != nil {
		return APIDiff{}, fmt.Errorf("previous OpenAPI document: %w", err)
	}
	if err := yaml.Unmarshal(next, &b); err != nil {
		return APIDiff{}, fmt.Errorf("new OpenAPI document: %w", err)
	}
	d := &differ{old: a, new: b}
	for _, path := range sortedKeys(a.Paths) {
		for _, m := range methods {
			op, ok := a.Paths[path][m]
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + path
			nop, ok := b.Paths[path][m]
			if !ok {
				d.add(where, "operation removed", true)
				continue
			}
			d.operation(where, op, nop)
		}
	}
	for _, path := range sortedKeys(b.Paths) {
		for _, m := range methods {
			if _, ok := b.Paths[path][m]; ok {
				if _, had := a.Paths[path][m]; !had {
					d.add(strings.ToUpper(m)+" "+path, "operation added", false)
				}
			}
		}
	}
	return APIDiff{Changes: d.changes}, nil
}

type differ struct {
	old, new openAPI
	changes  []Change
}

func (d *differ) add(where, msg string, breaking bool) {
	d.changes = append(d.changes, Change{Where: where, Message: msg, Breaking: breaking})
}

func (d *differ) operation(where string, op, nop operation) {
	old := map[string]parameter{}
	for _, p := range op.Parameters {
		old[p.In+":"+p.Name] = p
	}
	for _, p := range nop.Parameters {
		prev, had := old[p.In+":"+p.Name]
		switch {
		case !had && p.Required:
			d.add(where, fmt.Sprintf("new required %s parameter %q", p.In, p.Name), true)
		case !had:
			d.add(where, fmt.Sprintf("new optional %s parameter %q", p.In, p.Name), false)
		case p.Required && !prev.Required:
			d.add(where, fmt.Sprintf("%s parameter %q is now required", p.In, p.Name), true)
		}
	}
	if nop.RequestBody != nil && nop.RequestBody.Required && (op.RequestBody == nil || !op.RequestBody.Required) {
		d.add(where, "request body is now required", true)
	}
	if op.RequestBody != nil && nop.RequestBody != nil {
		for ct, mt := range nop.RequestBody.Content {
			if omt, ok := op.RequestBody.Content[ct]; ok {
				d.requestSchema(where+" request "+ct, d.resolve(d.old, omt.Schema), d.resolve(d.new, mt.Schema))
			}
		}
	}
	for _, code := range sortedKeys(op.Responses) {
		nr, ok := nop.Responses[code]
		if !ok {
			d.add(where, "response "+code+" removed", strings.HasPrefix(code, "2"))
			continue
		}
		for _, ct := range sortedKeys(op.Responses[code].Content) {
			nmt, ok := nr.Content[ct]
			if !ok {
				d.add(where+" response "+code, "content type "+ct+" removed", true)
				continue
			}
			d.responseSchema(where+" response "+code, d.resolve(d.old, op.Responses[code].Content[ct].Schema), d.resolve(d.new, nmt.Schema), 0)
		}
	}
}

// responseSchema flags properties clients may read that disappeared or changed type.
func (d *differ) responseSchema(where string, a, b schema, depth int) {
	if depth > 8 {
		return
	}
	if a.Type != "" && b.Type != "" && a.Type != b.Type {
		d.add(where, fmt.Sprintf("type changed from %s to %s", a.Type, b.Type), true)
		return
	}
	for _, name := range sortedKeys(a.Properties) {
		np, ok := b.Properties[name]
		if !ok {
			d.add(where, fmt.Sprintf("property %q removed", name), true)
			continue
		}
		d.responseSchema(where+"."+name, d.resolve(d.old, a.Properties[name]), d.resolve(d.new, np), depth+1)
	}
	if a.Items != nil && b.Items != nil {
		d.responseSchema(where+"[]", d.resolve(d.old, *a.Items), d.resolve(d.new, *b.Items), depth+1)
	}
}

// requestSchema flags fields clients must now send.
func (d *differ) requestSchema(where string, a, b schema) {
	for _, name := range b.Required {
		if !slices.Contains(a.Required, name) {
			d.add(where, fmt.Sprintf("field %q is now required", name), true)
		}
	}
}

// resolve follows a local $ref (#/components/schemas/Name) once per level.
func (d *differ) resolve(doc openAPI, s schema) schema {
	for i := 0; i < 8 && s.Ref != ""; i++ {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		if !ok {
			return s
		}
		s = doc.Components.Schemas[name]
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
