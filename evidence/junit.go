package evidence

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JUnitSummary is what a set of JUnit XML reports says about a test run.
type JUnitSummary struct {
	Suites   int64 `json:"suites"`
	Tests    int64 `json:"tests"`
	Failures int64 `json:"failures"`
	Errors   int64 `json:"errors"`
	Skipped  int64 `json:"skipped"`
	Passed   int64 `json:"passed"`
	// AllPassed is true when at least one test ran and none failed or errored.
	AllPassed bool `json:"all_passed"`
	// FailedTests names up to ten failed or errored test cases as "classname.name".
	FailedTests []string `json:"failed_tests"`
}

type junitCase struct {
	Name      string     `xml:"name,attr"`
	ClassName string     `xml:"classname,attr"`
	Failure   []struct{} `xml:"failure"`
	Error     []struct{} `xml:"error"`
	Skipped   []struct{} `xml:"skipped"`
}

type junitSuite struct {
	Name   string       `xml:"name,attr"`
	Cases  []junitCase  `xml:"testcase"`
	Suites []junitSuite `xml:"testsuite"` // nested suites (Ant, pytest's older format)
}

// ParseJUnit reads one JUnit XML report: a <testsuites> root or a single <testsuite>. Counts
// come from the <testcase> elements, not from the suites' attributes, which tools get wrong.
// A truncated document, a document with no test cases, or another XML root is an error.
func ParseJUnit(data []byte) (JUnitSummary, error) {
	const kind = "JUnit XML"
	if err := checkSize(kind, data); err != nil {
		return JUnitSummary{}, err
	}
	var root struct {
		XMLName xml.Name
		junitSuite
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		return JUnitSummary{}, xmlError(kind, dec, err)
	}
	// Decode stops at the end of the root element; anything but whitespace after it means the
	// file is not one document (two concatenated reports, garbage appended).
	if err := expectEnd(dec); err != nil {
		return JUnitSummary{}, xmlError(kind, dec, err)
	}
	var s JUnitSummary
	switch root.XMLName.Local {
	case "testsuites":
		for _, suite := range root.Suites {
			s.add(suite)
		}
	case "testsuite":
		s.add(root.junitSuite)
	default:
		return JUnitSummary{}, fmt.Errorf("%s: root element is <%s>, want <testsuites> or <testsuite>", kind, root.XMLName.Local)
	}
	if s.Tests == 0 {
		return JUnitSummary{}, fmt.Errorf("%s: no test cases: a report of nothing run cannot show tests passed", kind)
	}
	s.Passed = s.Tests - s.Failures - s.Errors - s.Skipped
	s.AllPassed = s.Failures == 0 && s.Errors == 0 && s.Passed > 0
	return s, nil
}

func (s *JUnitSummary) add(suite junitSuite) {
	s.Suites++
	for _, c := range suite.Cases {
		s.Tests++
		switch {
		case len(c.Error) > 0:
			s.Errors++
			s.FailedTests = addExample(s.FailedTests, caseName(c))
		case len(c.Failure) > 0:
			s.Failures++
			s.FailedTests = addExample(s.FailedTests, caseName(c))
		case len(c.Skipped) > 0:
			s.Skipped++
		}
	}
	for _, nested := range suite.Suites {
		s.add(nested)
	}
}

// Merge adds another report's counts, for a gate fed by several report files.
func (s JUnitSummary) Merge(o JUnitSummary) JUnitSummary {
	s.Suites += o.Suites
	s.Tests += o.Tests
	s.Failures += o.Failures
	s.Errors += o.Errors
	s.Skipped += o.Skipped
	s.Passed += o.Passed
	for _, f := range o.FailedTests {
		s.FailedTests = addExample(s.FailedTests, f)
	}
	s.AllPassed = s.Failures == 0 && s.Errors == 0 && s.Passed > 0
	return s
}

func caseName(c junitCase) string {
	if c.ClassName == "" {
		return c.Name
	}
	return c.ClassName + "." + c.Name
}

// expectEnd reads the rest of the document and fails on anything but whitespace, comments and
// processing instructions.
func expectEnd(dec *xml.Decoder) error {
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return errors.New("text after the root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return errors.New("a second root element")
		}
	}
}

func xmlError(kind string, dec *xml.Decoder, err error) error {
	line, _ := dec.InputPos()
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "unexpected EOF") {
		msg = "document ends early (truncated file?)"
	}
	return fmt.Errorf("%s: malformed XML at line %d: %s", kind, line, msg)
}
