package evidence

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func TestParseJUnit(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    JUnitSummary
		wantErr string
	}{
		{name: "surefire all passed", file: "junit-surefire.xml",
			want: JUnitSummary{Suites: 1, Tests: 4, Skipped: 1, Passed: 3, AllPassed: true}},
		{name: "pytest with failure and error", file: "junit-pytest-failures.xml",
			want: JUnitSummary{Suites: 1, Tests: 5, Failures: 1, Errors: 1, Passed: 3, FailedTests: []string{
				"tests.e2e.test_checkout.test_saved_card_checkout", "tests.e2e.test_inventory.test_reserve_stock"}}},
		{name: "truncated", file: "junit-truncated.xml", wantErr: "JUnit XML: malformed XML at line 6: document ends early (truncated file?)"},
		{name: "empty", data: "  \n", wantErr: "JUnit XML: report is empty"},
		{name: "no cases", data: `<testsuites><testsuite name="x" tests="3"/></testsuites>`, wantErr: "no test cases"},
		{name: "only skipped", data: `<testsuite><testcase name="a"><skipped/></testcase></testsuite>`,
			want: JUnitSummary{Suites: 1, Tests: 1, Skipped: 1}},
		{name: "wrong root", data: `<html><body/></html>`, wantErr: "root element is <html>"},
		{name: "two roots", data: `<testsuite><testcase name="a"/></testsuite><testsuite/>`, wantErr: "a second root element"},
		{name: "not xml", data: `{"tests": 3}`, wantErr: "malformed XML"},
		{name: "nested suites", data: `<testsuites><testsuite name="a"><testsuite name="b"><testcase name="x"/></testsuite></testsuite></testsuites>`,
			want: JUnitSummary{Suites: 2, Tests: 1, Passed: 1, AllPassed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				data = readTestdata(t, tt.file)
			}
			got, err := ParseJUnit(data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJUnitMerge(t *testing.T) {
	a, err := ParseJUnit(readTestdata(t, "junit-surefire.xml"))
	require.NoError(t, err)
	b, err := ParseJUnit(readTestdata(t, "junit-pytest-failures.xml"))
	require.NoError(t, err)
	m := a.Merge(b)
	assert.Equal(t, int64(9), m.Tests)
	assert.False(t, m.AllPassed)
	assert.True(t, a.Merge(a).AllPassed)
}

func TestParseK6(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    PerfSummary
		wantErr string
	}{
		{name: "summary-export", file: "k6-summary-export.json", want: PerfSummary{
			Requests: 59824, ThroughputRPS: 996.871, ErrorRate: 0.0002005884, P50MS: 39.882, P95MS: 121.44, P99MS: 212.9, MaxMS: 1243.7, Source: "k6"}},
		{name: "handleSummary without p99", file: "k6-handle-summary.json", want: PerfSummary{
			Requests: 3000, ThroughputRPS: 99.96, ErrorRate: 0.004, P50MS: 98.7, P95MS: 260.3, MaxMS: 981.2, Source: "k6", Missing: []string{"p99_ms"}}},
		{name: "empty object", file: "k6-empty.json", wantErr: "k6 summary: no metrics: empty summary"},
		{name: "empty file", data: "", wantErr: "k6 summary: report is empty"},
		{name: "no http metrics", file: "k6-no-http.json", wantErr: "no http_req_duration metric"},
		{name: "zero requests", data: `{"metrics":{"http_req_duration":{"med":1},"http_reqs":{"count":0,"rate":0}}}`, wantErr: "http_reqs.count is missing or zero"},
		{name: "truncated", data: `{"metrics":{"http_req_duration":{"med":1`, wantErr: "malformed JSON"},
		{name: "bad error rate", data: `{"metrics":{"http_req_duration":{"med":1,"p(95)":2,"p(99)":3,"max":4},"http_reqs":{"count":5,"rate":1},"http_req_failed":{"value":7}}}`,
			want: PerfSummary{Requests: 5, ThroughputRPS: 1, P50MS: 1, P95MS: 2, P99MS: 3, MaxMS: 4, Source: "k6", Missing: []string{"error_rate"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				data = readTestdata(t, tt.file)
			}
			got, err := ParseK6(data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseSARIF(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    SARIFSummary
		wantErr string
	}{
		{name: "codeql", file: "sarif-codeql.sarif", want: SARIFSummary{Runs: 1, Errors: 1, Warnings: 3, Total: 4, Tools: []string{"CodeQL"},
			ByRule: map[string]int64{"go/sql-injection": 1, "go/log-injection": 1, "go/unhandled-writable-file-close": 2}}},
		{name: "semgrep clean", file: "sarif-semgrep-clean.sarif", want: SARIFSummary{Runs: 1, Tools: []string{"Semgrep OSS"}, ByRule: map[string]int64{}}},
		{name: "no runs", file: "sarif-no-runs.sarif", wantErr: "SARIF: no runs"},
		{name: "empty runs", data: `{"version":"2.1.0","runs":[]}`, wantErr: "SARIF: no runs"},
		{name: "run without results", data: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}}}]}`, wantErr: "runs[0] (gosec): no results array"},
		{name: "wrong version", data: `{"version":"1.0.0","runs":[]}`, wantErr: `version "1.0.0"`},
		{name: "truncated", data: `{"version":"2.1.0","runs":[{"tool":`, wantErr: "malformed JSON"},
		{name: "pass results and notes", data: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"zap"}},"results":[
			{"ruleId":"a","kind":"pass"},{"ruleId":"b","level":"note"},{"ruleId":"c","level":"none"},{"level":"error"}]}]}`,
			want: SARIFSummary{Runs: 1, Notes: 1, Errors: 1, Total: 2, Tools: []string{"zap"}, ByRule: map[string]int64{"b": 1, "(no rule)": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				data = readTestdata(t, tt.file)
			}
			got, err := ParseSARIF(data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSARIFMergeDoesNotShareMaps(t *testing.T) {
	a, err := ParseSARIF(readTestdata(t, "sarif-codeql.sarif"))
	require.NoError(t, err)
	m := a.Merge(a)
	assert.Equal(t, int64(2), m.ByRule["go/sql-injection"])
	assert.Equal(t, int64(1), a.ByRule["go/sql-injection"], "merge must not change its receiver's map")
	assert.Equal(t, int64(8), m.Total)
}

func TestParseAxe(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		data    string
		want    AccessibilitySummary
		wantErr string
	}{
		{name: "one page", file: "axe-page.json", want: AccessibilitySummary{Pages: 1, Violations: 2, Nodes: 3, Critical: 1, Serious: 1,
			Rules: []string{"color-contrast", "label"}}},
		{name: "cli clean", file: "axe-cli-clean.json", want: AccessibilitySummary{Pages: 2}},
		{name: "no violations key", data: `{"url":"x","passes":[]}`, wantErr: "not an axe-core result"},
		{name: "empty array", data: `[]`, wantErr: "no pages tested"},
		{name: "truncated", data: `{"violations":[{"id":`, wantErr: "malformed JSON"},
		{name: "empty", data: ``, wantErr: "report is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				data = readTestdata(t, tt.file)
			}
			got, err := ParseAxe(data)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLocalization(t *testing.T) {
	cats := map[string]map[string]string{}
	for loc, file := range map[string]string{"en": "locales/en.json", "de": "locales/de.json", "fr": "locales/fr.arb"} {
		c, err := ParseCatalog(readTestdata(t, file))
		require.NoError(t, err, file)
		cats[loc] = c
	}
	assert.Len(t, cats["en"], 5)
	got, err := CompareCatalogs("en", cats)
	require.NoError(t, err)
	assert.Equal(t, LocalizationSummary{BaseLocale: "en", BaseKeys: 5, Locales: 2, MissingTotal: 2,
		Missing:  map[string]int64{"fr": 2},
		Examples: []string{"fr:checkout.errors.declined", "fr:checkout.errors.expired"}}, got)

	_, err = CompareCatalogs("es", cats)
	require.ErrorContains(t, err, `no catalog for the base locale "es"`)
	_, err = CompareCatalogs("en", map[string]map[string]string{"en": cats["en"]})
	require.ErrorContains(t, err, "nothing to compare")
	_, err = CompareCatalogs("en", map[string]map[string]string{"en": {}, "de": {"a": "b"}})
	require.ErrorContains(t, err, "has no keys")

	for name, data := range map[string]string{"truncated": `{"a": "b`, "array": `["a"]`, "number value": `{"a": 1}`, "empty": ``} {
		_, err := ParseCatalog([]byte(data))
		assert.Error(t, err, name)
	}
}
