// Package evidence parses the reports release gates are judged on: JUnit XML, k6 summaries,
// SARIF, axe-core results and localization catalogs. Parsers are pure: they take bytes and
// return a typed summary or an error that says what is wrong with the report. A malformed or
// empty report is always an error, never a passing summary: a gate must not pass on evidence
// that could not be read.
package evidence

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxReportBytes bounds the size of one report a parser accepts; activities read at most this
// much. Real reports are a few MiB at most; a bigger one is the wrong file.
const MaxReportBytes = 64 << 20

// ErrEmpty is wrapped by every parser's error for an empty report.
var ErrEmpty = errors.New("report is empty")

// checkSize rejects empty and oversized input before decoding.
func checkSize(kind string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: %w", kind, ErrEmpty)
	}
	if len(data) > MaxReportBytes {
		return fmt.Errorf("%s: report is %d bytes, over the %d MiB limit", kind, len(data), MaxReportBytes>>20)
	}
	return nil
}

// maxExamples bounds the example names a summary keeps (failed tests, missing keys), so a
// summary stays small enough for a gate table.
const maxExamples = 10

func addExample(list []string, s string) []string {
	if len(list) < maxExamples {
		return append(list, s)
	}
	return list
}
