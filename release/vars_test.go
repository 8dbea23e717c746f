package release

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStepVars(t *testing.T) {
	svc := Service{Name: "ledger", Version: "2.3.0", Vars: map[string]string{"PORT": "8001", "TIER": "core"}}
	env := Environment{Name: "staging", Region: "eu-west", Vars: map[string]string{"PORT": "9000", "DC": "fra1"}}
	require.Equal(t, map[string]string{
		"RELEASE_ID": "payments-2026.11.3", "SERVICE": "ledger", "VERSION": "2.3.0",
		"ENVIRONMENT": "staging", "REGION": "eu-west",
		"PORT": "8001", // the service wins over the environment
		"TIER": "core", "DC": "fra1",
	}, StepVars("payments-2026.11.3", svc, env))

	// Builtins stay authoritative even if a (invalid) spec tries to shadow them.
	svc.Vars["SERVICE"] = "other"
	require.Equal(t, "ledger", StepVars("r", svc, env)["SERVICE"])
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"PORT_BASE": "182", "PORT_SUFFIX": "01", "HOST": "127.0.0.1"}
	tests := []struct {
		name    string
		text    string
		want    string
		unknown []string
	}{
		{"braces", "http://${HOST}:${PORT_BASE}${PORT_SUFFIX}/healthz", "http://127.0.0.1:18201/healthz", nil},
		{"bare", "http://$HOST/x", "http://127.0.0.1/x", nil},
		{"no variables", "http://example.test/", "http://example.test/", nil},
		{"lone dollar kept", "price: 5$", "price: 5$", nil},
		{"one unknown", "http://${HOST}:${PORT}/", "http://127.0.0.1:/", []string{"PORT"}},
		{"every unknown once, in order", "$B ${A} $B ${HOST}", "   127.0.0.1", []string{"B", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.text, vars)
			require.Equal(t, tt.want, got)
			if tt.unknown == nil {
				require.NoError(t, err)
				return
			}
			var uv *UnknownVarsError
			require.ErrorAs(t, err, &uv)
			require.Equal(t, tt.unknown, uv.Names)
		})
	}
	_, err := Expand("${A}${B}", nil)
	require.EqualError(t, err, `unknown variables "A", "B"`)
	_, err = Expand("${A}", nil)
	require.EqualError(t, err, `unknown variable "A"`)
}

func TestIsBuiltinVar(t *testing.T) {
	for _, name := range []string{"RELEASE_ID", "SERVICE", "VERSION", "ENVIRONMENT", "REGION", "STEP", "IDEMPOTENCY_KEY"} {
		require.True(t, IsBuiltinVar(name), name)
	}
	require.False(t, IsBuiltinVar("PORT"))
}
