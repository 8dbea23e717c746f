package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tollgate-dev/tollgate/workflows"
)

func TestStatusShowsTheChangeRequestWait(t *testing.T) {
	since := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name string
		cc   workflows.ChangeControlStatus
		want string
	}{
		{"waiting", workflows.ChangeControlStatus{Key: "CHG-7", WaitFor: "Implement", RejectOn: []string{"Rejected"}, Since: since, Deadline: since.Add(72 * time.Hour)},
			"Change    CHG-7 must reach \"Implement\" in Jira by 2026-11-28 10:00:00; stops on Rejected\n"},
		{"not created", workflows.ChangeControlStatus{WaitFor: "Implement", Deadline: since},
			"Change    change request (not created yet) must reach \"Implement\" in Jira by 2026-11-25 10:00:00\n"},
		{"decided", workflows.ChangeControlStatus{Key: "CHG-7", WaitFor: "Implement", Status: "Implement", Decided: since.Add(time.Hour)},
			"Change    CHG-7 reached \"Implement\" at 2026-11-25 11:00:00\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			cc := tc.cc
			printGovernance(&out, workflows.Status{ChangeControl: &cc})
			assert.Equal(t, tc.want, out.String())
		})
	}
}

func TestStatusShowsTheSourceChange(t *testing.T) {
	var out bytes.Buffer
	printGovernance(&out, workflows.Status{Source: &workflows.SourceStatus{Base: "v1.4.0", Head: "9f2c4e1", Commits: 3, Files: 4, Lines: 120, Authors: []string{"bob-gh", "carol@example.com"}}})
	assert.Equal(t, "Source    v1.4.0...9f2c4e1: 3 commit(s), 4 file(s), 120 line(s); authors bob-gh, carol@example.com\n", out.String())
}

func TestStatusNamesTheRecordsAndWhatWasNotWritten(t *testing.T) {
	var out bytes.Buffer
	printRecords(&out, &workflows.RecordsStatus{
		ChangeKey:   "CHG-7",
		Deployments: map[string]int64{"prod-eu": 12, "staging": 11},
		Failures:    []workflows.RecordFailure{{System: "jira", Record: "comment r1/comment-3", Error: "400 body too long"}},
	})
	assert.Equal(t, "Records   change request CHG-7; GitHub deployments prod-eu #12, staging #11\n"+
		"          NOT WRITTEN jira comment r1/comment-3: 400 body too long\n", out.String())
}
