package github

import (
	"fmt"
	"slices"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// CheckCompletion is a check that finished on a commit, read from a webhook delivery.
type CheckCompletion struct {
	SHA  string
	Name string
	// Conclusion is the check run's or suite's conclusion, or the commit status's state.
	Conclusion string
	// Branches are the branches whose head the commit was when the check ran, as GitHub says.
	Branches []string
}

// minShortSHA is the shortest abbreviation of a commit Tollgate accepts as naming it (git's
// default abbreviation).
const minShortSHA = 7

// Names reports whether head, as a spec writes it (a full or abbreviated commit SHA, or a
// branch name), is the commit the check finished on.
func (c CheckCompletion) Names(head string) bool {
	if head == "" {
		return false
	}
	if len(head) >= minShortSHA && strings.HasPrefix(strings.ToLower(c.SHA), strings.ToLower(head)) {
		return true
	}
	return slices.Contains(c.Branches, head)
}

// ParseCheckCompletion reads check_run, check_suite and status deliveries (event is the
// X-GitHub-Event header). ok is false for other events and for checks still running; a body
// that is not the event it claims to be is an error.
func ParseCheckCompletion(event string, body []byte) (CheckCompletion, bool, error) {
	switch event {
	case "check_run", "check_suite", "status":
	default:
		return CheckCompletion{}, false, nil
	}
	parsed, err := gh.ParseWebHook(event, body)
	if err != nil {
		return CheckCompletion{}, false, fmt.Errorf("github %s delivery: %w", event, err)
	}
	var c CheckCompletion
	switch e := parsed.(type) {
	case *gh.CheckRunEvent:
		if e.GetAction() != "completed" {
			return CheckCompletion{}, false, nil
		}
		run := e.GetCheckRun()
		c = CheckCompletion{SHA: run.GetHeadSHA(), Name: run.GetName(), Conclusion: run.GetConclusion()}
		if b := run.GetCheckSuite().GetHeadBranch(); b != "" {
			c.Branches = []string{b}
		}
	case *gh.CheckSuiteEvent:
		if e.GetAction() != "completed" {
			return CheckCompletion{}, false, nil
		}
		suite := e.GetCheckSuite()
		c = CheckCompletion{SHA: suite.GetHeadSHA(), Name: "check suite " + suite.GetApp().GetName(), Conclusion: suite.GetConclusion()}
		if b := suite.GetHeadBranch(); b != "" {
			c.Branches = []string{b}
		}
	case *gh.StatusEvent:
		if e.GetState() == "pending" {
			return CheckCompletion{}, false, nil
		}
		c = CheckCompletion{SHA: e.GetSHA(), Name: e.GetContext(), Conclusion: e.GetState()}
		for _, b := range e.Branches {
			c.Branches = append(c.Branches, b.GetName())
		}
	}
	if c.SHA == "" {
		return CheckCompletion{}, false, fmt.Errorf("github %s delivery names no commit", event)
	}
	return c, true, nil
}
