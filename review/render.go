package review

import (
	"bytes"
	_ "embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed report.md.tmpl
var markdownTemplate string

//go:embed report.html.tmpl
var htmlTemplate string

var funcs = map[string]any{
	"ts":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"dur":  duration,
	"cell": func(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) },
	"yesno": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
}

var (
	mdTmpl   = texttemplate.Must(texttemplate.New("md").Funcs(funcs).Parse(markdownTemplate))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(htmlTemplate))
)

// Markdown renders the report as Markdown.
func (r Report) Markdown() (string, error) {
	var b bytes.Buffer
	err := mdTmpl.Execute(&b, r)
	return b.String(), err
}

// HTML renders the report as a self-contained HTML page; every value is escaped.
func (r Report) HTML() (string, error) {
	var b bytes.Buffer
	err := htmlTmpl.Execute(&b, r)
	return b.String(), err
}

func duration(d *time.Duration) string {
	if d == nil {
		return "unknown"
	}
	return d.Round(time.Second).String()
}
