package github

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCheckCompletion(t *testing.T) {
	for _, tc := range []struct {
		name, event, body string
		want              CheckCompletion
		ok                bool
		err               string
	}{
		{"run completed", "check_run", `{"action":"completed","check_run":{"head_sha":"abc","name":"build","status":"completed","conclusion":"success"}}`,
			CheckCompletion{SHA: "abc", Name: "build", Conclusion: "success"}, true, ""},
		{"run still running", "check_run", `{"action":"created","check_run":{"head_sha":"abc","name":"build","status":"in_progress"}}`, CheckCompletion{}, false, ""},
		{"suite completed", "check_suite", `{"action":"completed","check_suite":{"head_sha":"abc","conclusion":"failure","app":{"name":"CI"}}}`,
			CheckCompletion{SHA: "abc", Name: "check suite CI", Conclusion: "failure"}, true, ""},
		{"status", "status", `{"sha":"abc","context":"ci/lint","state":"error"}`, CheckCompletion{SHA: "abc", Name: "ci/lint", Conclusion: "error"}, true, ""},
		{"status pending", "status", `{"sha":"abc","context":"ci/lint","state":"pending"}`, CheckCompletion{}, false, ""},
		{"other event", "push", `{"ref":"refs/heads/main"}`, CheckCompletion{}, false, ""},
		{"malformed", "check_run", `{"action":`, CheckCompletion{}, false, "github check_run delivery"},
		{"no commit", "status", `{"context":"ci/lint","state":"success"}`, CheckCompletion{}, false, "names no commit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := ParseCheckCompletion(tc.event, []byte(tc.body))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCheckCompletionNamesTheSpecsHead(t *testing.T) {
	c := CheckCompletion{SHA: "9F2C4E1D00D5aa0000000000000000000000beef", Branches: []string{"main"}}
	for head, want := range map[string]bool{
		"9f2c4e1d00d5aa0000000000000000000000beef": true,
		"9f2c4e1":  true, // git's default abbreviation, any case
		"9f2c4e":   false,
		"main":     true,
		"develop":  false,
		"":         false,
		"9f2c4e1x": false,
	} {
		assert.Equal(t, want, c.Names(head), head)
	}
}
