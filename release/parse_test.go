package release

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestParseValidSpec(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)

	require.Equal(t, "payments-2026.11.3", spec.Metadata.ID)
	require.Equal(t, []string{"ledger", "payments-api", "ui"}, []string{spec.Services[0].Name, spec.Services[1].Name, spec.Services[2].Name})
	require.Equal(t, []string{"payments-api", "ledger"}, spec.Services[2].DependsOn)
	require.Equal(t, map[string]string{"PORT_SUFFIX": "01"}, spec.Services[0].Vars)
	require.Equal(t, 500*time.Millisecond, spec.Services[0].Smoke[0].MaxLatency.D())
	require.Equal(t, 15*time.Minute, spec.Services[1].Runbook.Timeout.D())
	require.Equal(t, "183", spec.Environments[1].Vars["PORT_BASE"])
	require.Equal(t, []string{"prod-eu"}, spec.Waves[1].Environments)
	require.Equal(t, 2, spec.Approval.Required)
	require.Equal(t, 2, spec.Deployment.MaxParallel)
	require.Equal(t, "#support", spec.Handoff.Channel)
	// Defaults applied by Normalize.
	require.Equal(t, DefaultRunbookTimeout, spec.Services[2].Runbook.Timeout.D())
	require.Equal(t, DefaultExpectStatus, spec.Services[1].Smoke[0].ExpectStatus)
	require.Equal(t, DefaultSmokeTimeout, spec.Services[1].Smoke[0].MaxLatency.D())
}

// TestParseRoundTrip writes a parsed spec back to YAML and parses it again: nothing is lost.
func TestParseRoundTrip(t *testing.T) {
	spec, err := Parse("release.yaml", []byte(validYAML(t)))
	require.NoError(t, err)
	out, err := yaml.Marshal(spec)
	require.NoError(t, err)
	again, err := Parse("again.yaml", out)
	require.NoError(t, err, "re-encoded spec:\n%s", out)
	require.Equal(t, spec, again)
	require.Equal(t, spec.Digest(), again.Digest())
}

func TestParseAnchorsAndMergeKeys(t *testing.T) {
	doc := edit(t, validYAML(t),
		"    runbook:\n      deploy: ./deploy.sh\n      verify: ./verify.sh\n      rollback: ./rollback.sh\n",
		"    runbook: &rb\n      deploy: ./deploy.sh\n      verify: ./verify.sh\n      rollback: ./rollback.sh\n",
		"    runbook: {deploy: ./deploy.sh, rollback: ./rollback.sh}", "    runbook: {<<: *rb, timeout: 1m}")
	spec, err := Parse("release.yaml", []byte(doc))
	require.NoError(t, err)
	require.Equal(t, Runbook{Deploy: "./deploy.sh", Verify: "./verify.sh", Rollback: "./rollback.sh", Timeout: Duration(time.Minute)}, spec.Services[2].Runbook)

	// An unknown field inside the anchor is reported once, at the anchor.
	bad := strings.Replace(doc, "      verify: ./verify.sh\n", "      verfy: ./verify.sh\n", 1)
	ps := problemsOf(t, func() error { _, err := Parse("release.yaml", []byte(bad)); return err }())
	require.Len(t, ps, 1, ps.Error())
	requireProblem(t, ps, "services[0].runbook.verfy", 16, `(did you mean "verify"?)`)
}

// TestParseAliasBomb checks that a billion-laughs document fails fast instead of expanding.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: tollgate.dev/v1\nkind: Release\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		p := "*a" + string(rune('0'+i-1))
		b.WriteString("x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+", ", 8) + p + "]\n")
	}
	start := time.Now()
	_, err := Parse("bomb.yaml", []byte(b.String()))
	ps := problemsOf(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
	requireProblem(t, ps, "x0", 3, `unknown field "x0"`)
}

// TestParseSchemaProblems covers unknown fields and type errors, reported before decoding with
// the path and line of the offending key or value.
func TestParseSchemaProblems(t *testing.T) {
	valid := validYAML(t)
	tests := []struct {
		name string
		doc  string
		path string
		line int
		frag string
		n    int // problems in total, default 1: an unknown field may also leave a required one unset
	}{
		{"unknown field deep in services[1].runbook", edit(t, valid, "      rollback: ./rollback.sh\n      timeout: 15m", "      rolback: ./rollback.sh\n      timeout: 15m"),
			"services[1].runbook.rolback", 34, `unknown field "rolback" (did you mean "rollback"?)`, 2},
		{"unknown field case", edit(t, valid, "dependsOn: [ledger]", "dependson: [ledger]"), "services[1].dependson", 28, `(did you mean "dependsOn"?)`, 0},
		{"unknown field without suggestion", edit(t, valid, "    vars:\n      PORT_SUFFIX: \"02\"", "    colour: blue\n    vars:\n      PORT_SUFFIX: \"02\""),
			"services[1].colour", 39, `unknown field "colour"; known fields: name, version, artifact, dependsOn, runbook, smoke, vars`, 0},
		{"unknown top-level field", edit(t, valid, "reviewDelay: 24h", "reviewDelays: 24h"), "reviewDelays", 61, `(did you mean "reviewDelay"?)`, 0},
		{"unknown field in flow mapping", edit(t, valid, "{name: staging,", "{nme: staging,"), "environments[0].nme", 47, `(did you mean "name"?)`, 3},
		{"duplicate field", edit(t, valid, "  title: Payments November\n", "  title: Payments November\n  title: Again\n"), "metadata.title", 6, "duplicate field \"title\" (first set at line 5)", 0},
		{"duplicate var", edit(t, valid, "      PORT_SUFFIX: \"01\"\n", "      PORT_SUFFIX: \"01\"\n      PORT_SUFFIX: \"03\"\n"), "services[0].vars.PORT_SUFFIX", 26, "duplicate key", 0},
		{"string where a list is expected", edit(t, valid, "dependsOn: [ledger]", "dependsOn: ledger"), "services[1].dependsOn", 28, `want a list, got the string "ledger"`, 0},
		{"mapping where a list is expected", edit(t, valid, "  - {name: pre-prod, environments: [staging]}\n  - name: production\n    environments: [prod-eu]", "  pre-prod: [staging]\n  production: [prod-eu]"),
			"waves", 53, "want a list, got a mapping", 0},
		{"list where a string is expected", edit(t, valid, "title: Payments November", "title: [Payments, November]"), "metadata.title", 5, "want a string, got a list", 0},
		{"string where a mapping is expected", edit(t, valid, "runbook: {deploy: ./deploy.sh, rollback: ./rollback.sh}", "runbook: ./deploy.sh"),
			"services[2].runbook", 45, `want a mapping of deploy, verify, rollback, timeout, got the string "./deploy.sh"`, 0},
		{"duration without unit", edit(t, valid, "maxLatency: 500ms", "maxLatency: 500"), "services[0].smoke[0].maxLatency", 23, `invalid duration "500": a duration needs a unit, e.g. "500s"`, 0},
		{"duration words", edit(t, valid, "reviewDelay: 24h", "reviewDelay: one day"), "reviewDelay", 61, `invalid duration "one day": want a duration such as "30s", "15m" or "24h"`, 0},
		{"duration as list", edit(t, valid, "timeout: 72h", "timeout: [72h]"), "approval.timeout", 60, "want a duration", 0},
		{"word where a number is expected", edit(t, valid, "required: 2", "required: two"), "approval.required", 59, `want a whole number, got the string "two"`, 0},
		{"fraction where a number is expected", edit(t, valid, "expectStatus: 200", "expectStatus: 200.5"), "services[0].smoke[0].expectStatus", 21, "want a whole number, got the number 200.5", 0},
		{"var value mapping", edit(t, valid, `PORT_SUFFIX: "01"`, `PORT_SUFFIX: {a: b}`), "services[0].vars.PORT_SUFFIX", 25, "want a string, got a mapping", 0},
		{"vars as list", edit(t, valid, `vars: {PORT_BASE: "182"}`, `vars: [PORT_BASE]`), "environments[0].vars", 47, "want a mapping of names to values, got a list", 0},
		{"non-string key", edit(t, valid, "  owner: alice\n", "  owner: alice\n  [a]: b\n"), "metadata", 7, "want a field name, got a list", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := Parse("release.yaml", []byte(tt.doc))
			require.Nil(t, spec)
			ps := problemsOf(t, err)
			require.Len(t, ps, max(tt.n, 1), ps.Error())
			requireProblem(t, ps, tt.path, tt.line, tt.frag)
		})
	}
}

// TestParseReportsAllUnknownFields checks that the walk does not stop at the first unknown field.
func TestParseReportsAllUnknownFields(t *testing.T) {
	doc := edit(t, validYAML(t),
		"  title: Payments", "  titel: Payments",
		"        bodyContains: ok", "        bodyContain: ok",
		"      rollback: ./rollback.sh\n      timeout: 15m", "      rolback: ./rollback.sh\n      timeout: 15m",
		"handoff:", "handof:",
		"maxLatency: 500ms", "maxLatency: soon")
	_, err := Parse("release.yaml", []byte(doc))
	ps := problemsOf(t, err)
	require.Equal(t, strings.Join([]string{
		`release.yaml:5: metadata.titel: unknown field "titel" (did you mean "title"?)`,
		`release.yaml:22: services[0].smoke[0].bodyContain: unknown field "bodyContain" (did you mean "bodyContains"?)`,
		`release.yaml:23: services[0].smoke[0].maxLatency: invalid duration "soon": want a duration such as "30s", "15m" or "24h"`,
		`release.yaml:34: services[1].runbook.rolback: unknown field "rolback" (did you mean "rollback"?)`,
		`release.yaml:64: handof: unknown field "handof" (did you mean "handoff"?)`,
	}, "\n"), err.Error())
	require.Len(t, ps, 5)
}

// TestParseUnknownFieldsWithSemanticProblems checks that unknown fields do not hide the rest:
// with no type error the spec is decoded and validated too, and everything is reported at once.
func TestParseUnknownFieldsWithSemanticProblems(t *testing.T) {
	_, err := Load("testdata/invalid-many.yaml")
	require.Equal(t, strings.Join([]string{
		`testdata/invalid-many.yaml:8: services[0].dependsOn[0]: dependency cycle: api → ledger → api`,
		`testdata/invalid-many.yaml:9: services[0].artifact.digest: invalid digest "sha256:NOTHEX": want "sha256:" followed by 64 lower-case hex digits`,
		`testdata/invalid-many.yaml:10: services[0].runbook.rolback: unknown field "rolback" (did you mean "rollback"?)`,
		`testdata/invalid-many.yaml:10: services[0].runbook.rollback: required: the shell command that rolls the service back`,
		`testdata/invalid-many.yaml:13: services[1].dependsOn[1]: unknown service "ledgr" (did you mean "ledger"?)`,
		`testdata/invalid-many.yaml:14: services[1].artifact.digest: required: pin the artifact with its sha256:<64 hex> digest; the ref "oci://registry/ledger:2.0.0" alone is mutable and could deploy something other than what was approved`,
		`testdata/invalid-many.yaml:17: environments[0].name: environment "staging" is in no wave: add it to a wave or remove it`,
		`testdata/invalid-many.yaml:17: environments[0].timeZone: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin or UTC`,
		`testdata/invalid-many.yaml:19: waves[0].environments[0]: unknown environment "stagin" (did you mean "staging"?)`,
		`testdata/invalid-many.yaml:20: approval.required: a quorum of 1 cannot be reached without the owner "alice": the owner may not approve their own release, so the quorum must be reachable from the other approvers, of whom there are only 0`,
	}, "\n"), err.Error())
}

func TestParseAnchorsFile(t *testing.T) {
	spec, err := Load("testdata/anchors.yaml")
	require.NoError(t, err)
	require.Equal(t, "api", spec.Services[1].Name)
	require.Equal(t, spec.Services[0].Smoke, spec.Services[1].Smoke)
	require.Equal(t, Duration(time.Minute), spec.Services[1].Runbook.Timeout)
	require.Equal(t, "UTC", spec.Environments[1].TimeZone)
}

// TestParseDocumentProblems covers files that are not one YAML mapping of the right version.
func TestParseDocumentProblems(t *testing.T) {
	valid := validYAML(t)
	tests := []struct {
		name string
		doc  string
		want []string // every problem, formatted
	}{
		{"empty file", "", []string{"release.yaml: spec is empty: want a tollgate.dev/v1 Release document"}},
		{"whitespace file", " \n\t\n  \r\n", []string{"release.yaml: spec is empty: want a tollgate.dev/v1 Release document"}},
		{"comments only", "# nothing yet\n", []string{"release.yaml: spec is empty: want a tollgate.dev/v1 Release document"}},
		{"null document", "---\n~\n", []string{"release.yaml: spec is empty: want a tollgate.dev/v1 Release document"}},
		{"bad YAML", "apiVersion: tollgate.dev/v1\nkind: Release\nservices: [ledger\n", []string{"release.yaml:3: invalid YAML: did not find expected ',' or ']'"}},
		{"unclosed flow mapping", "apiVersion: tollgate.dev/v1\nkind: Release\nmetadata: {id: x\nservices: []\n", []string{"release.yaml:3: invalid YAML: did not find expected ',' or '}'"}},
		{"parser error after line 1", "- a\nb: c\n", []string{"release.yaml:2: invalid YAML: did not find expected '-' indicator"}},
		{"unknown anchor", "a: *nope\n", []string{"release.yaml: invalid YAML: unknown anchor 'nope' referenced"}},
		{"tab indentation", "apiVersion: tollgate.dev/v1\nmetadata:\n\tid: x\n", []string{"release.yaml:3: invalid YAML: found character that cannot start any token"}},
		{"list at the top", "- a\n- b\n", []string{"release.yaml:1: want a mapping with apiVersion, kind, metadata, services, environments, waves, approval and handoff, got a list"}},
		{"scalar at the top", "hello\n", []string{`release.yaml:1: want a mapping with apiVersion, kind, metadata, services, environments, waves, approval and handoff, got the string "hello"`}},
		{"multiple documents", valid + "---\n" + valid, []string{"release.yaml:67: a second YAML document starts here: a spec file holds exactly one release"}},
		{"wrong apiVersion", edit(t, valid, "apiVersion: tollgate.dev/v1", "apiVersion: tollgate.dev/v2"), []string{`release.yaml:1: apiVersion: unsupported apiVersion "tollgate.dev/v2": this build reads tollgate.dev/v1`}},
		{"apiVersion as list", edit(t, valid, "apiVersion: tollgate.dev/v1", "apiVersion: [tollgate.dev/v1]"), []string{`release.yaml:1: apiVersion: unsupported apiVersion a list: this build reads tollgate.dev/v1`}},
		{"missing apiVersion and kind", edit(t, valid, "apiVersion: tollgate.dev/v1\nkind: Release\n", ""), []string{
			"release.yaml:1: apiVersion: missing apiVersion: this build reads tollgate.dev/v1",
			`release.yaml:1: kind: missing kind: want "Release"`,
		}},
		{"wrong kind", edit(t, valid, "kind: Release", "kind: Deployment"), []string{`release.yaml:2: kind: unsupported kind "Deployment": want "Release"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := Parse("release.yaml", []byte(tt.doc))
			require.Nil(t, spec)
			problemsOf(t, err)
			require.Equal(t, strings.Join(tt.want, "\n"), err.Error())
		})
	}
}

func TestParseTrailingDocumentMarkerIsHarmless(t *testing.T) {
	_, err := Parse("release.yaml", []byte(validYAML(t)+"---\n"))
	require.NoError(t, err)
}
