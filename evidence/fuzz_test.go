package evidence

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The fuzz targets check the parsers' contract: they never panic, and whatever they accept is
// a consistent summary. "Accepted" must never mean "passed" for garbage: a summary that says
// all tests passed has run at least one test and seen no failure.

func FuzzParseJUnit(f *testing.F) {
	for _, name := range []string{"junit-surefire.xml", "junit-pytest-failures.xml", "junit-truncated.xml"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseJUnit(data)
		if err != nil {
			return
		}
		require.Positive(t, s.Tests)
		require.Equal(t, s.Tests, s.Passed+s.Failures+s.Errors+s.Skipped)
		if s.AllPassed {
			require.Zero(t, s.Failures+s.Errors)
			require.Positive(t, s.Passed)
		}
	})
}

func FuzzParseK6(f *testing.F) {
	for _, name := range []string{"k6-summary-export.json", "k6-handle-summary.json", "k6-empty.json", "k6-no-http.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseK6(data)
		if err != nil {
			return
		}
		require.Positive(t, s.Requests)
		require.GreaterOrEqual(t, s.ErrorRate, 0.0)
		require.LessOrEqual(t, s.ErrorRate, 1.0)
	})
}

func FuzzParseSARIF(f *testing.F) {
	for _, name := range []string{"sarif-codeql.sarif", "sarif-semgrep-clean.sarif", "sarif-no-runs.sarif"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSARIF(data)
		if err != nil {
			return
		}
		require.Positive(t, s.Runs)
		require.Equal(t, s.Total, s.Errors+s.Warnings+s.Notes)
		var byRule int64
		for _, n := range s.ByRule {
			byRule += n
		}
		require.Equal(t, s.Total, byRule)
	})
}

func FuzzParseAxe(f *testing.F) {
	for _, name := range []string{"axe-page.json", "axe-cli-clean.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseAxe(data)
		if err != nil {
			return
		}
		require.Positive(t, s.Pages)
		require.Equal(t, s.Violations, s.Critical+s.Serious+s.Moderate+s.Minor)
	})
}

func FuzzLocalization(f *testing.F) {
	f.Add(readTestdata(f, "locales/en.json"), readTestdata(f, "locales/fr.arb"))
	f.Fuzz(func(t *testing.T, base, other []byte) {
		b, err := ParseCatalog(base)
		if err != nil {
			return
		}
		o, err := ParseCatalog(other)
		if err != nil {
			return
		}
		s, err := CompareCatalogs("en", map[string]map[string]string{"en": b, "xx": o})
		if err != nil {
			return
		}
		require.LessOrEqual(t, s.MissingTotal, s.BaseKeys)
		require.Equal(t, s.Complete, s.MissingTotal == 0)
	})
}
