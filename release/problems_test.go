package release

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProblemError(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"everything", Problem{File: "release.yaml", Line: 12, Path: "services[2].dependsOn[0]", Message: `unknown service "ledgr" (did you mean "ledger"?)`},
			`release.yaml:12: services[2].dependsOn[0]: unknown service "ledgr" (did you mean "ledger"?)`},
		{"no line", Problem{File: "release.yaml", Path: "metadata.id", Message: "required"}, "release.yaml: metadata.id: required"},
		{"no file", Problem{Line: 3, Path: "metadata.id", Message: "required"}, "line 3: metadata.id: required"},
		{"no path", Problem{File: "release.yaml", Line: 1, Message: "invalid YAML"}, "release.yaml:1: invalid YAML"},
		{"message only", Problem{Path: "waves", Message: "at least one wave is required"}, "waves: at least one wave is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.p.Error())
		})
	}
}

func TestProblemsSortByLineThenPath(t *testing.T) {
	ps := Problems{
		{Line: 9, Path: "b", Message: "4"},
		{Line: 2, Path: "services[10].name", Message: "3"},
		{Line: 2, Path: "services[2].name", Message: "2"},
		{Line: 0, Path: "z", Message: "1"},
	}
	require.Equal(t, "z: 1\nline 2: services[2].name: 2\nline 2: services[10].name: 3\nline 9: b: 4", ps.Error())
	require.Equal(t, "b", ps[0].Path, "Error must not reorder the receiver")
	require.NoError(t, Problems(nil).err(), "no problems must be a true nil error")
}

func TestComparePaths(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"services[2]", "services[10]", -1},
		{"services[10].name", "services[9].name", 1},
		{"a", "a", 0},
		{"a", "a.b", -1},
		{"approval", "waves", -1},
	}
	for _, tt := range tests {
		got := comparePaths(tt.a, tt.b)
		require.Equal(t, tt.want, max(-1, min(1, got)), "%s vs %s", tt.a, tt.b)
	}
}

func TestPaths(t *testing.T) {
	require.Equal(t, "services[2].runbook", parentPath("services[2].runbook.deploy"))
	require.Equal(t, "services[2]", parentPath("services[2].runbook"))
	require.Equal(t, "services", parentPath("services[2]"))
	require.Equal(t, "", parentPath("services"))
	require.Equal(t, "vars.PORT", fieldPath("vars", "PORT"))
	require.Equal(t, `vars["a.b"]`, fieldPath("vars", "a.b"))
	require.Equal(t, "metadata", fieldPath("", "metadata"))
}
