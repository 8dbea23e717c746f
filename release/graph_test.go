package release

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func services(deps ...[]string) []Service {
	out := make([]Service, len(deps))
	for i, d := range deps {
		out[i] = Service{Name: d[0], DependsOn: d[1:]}
	}
	return out
}

// dag: web → api → {ledger, auth}; audit alone; worker → ledger. Declared out of order on purpose.
var dag = services(
	[]string{"web", "api"},
	[]string{"audit"},
	[]string{"api", "ledger", "auth"},
	[]string{"worker", "ledger"},
	[]string{"ledger"},
	[]string{"auth"},
)

func TestTopologicalOrder(t *testing.T) {
	tests := []struct {
		name     string
		services []Service
		want     []string
	}{
		{"small DAG", dag, []string{"audit", "ledger", "worker", "auth", "api", "web"}},
		{"chain", services([]string{"c", "b"}, []string{"b", "a"}, []string{"a"}), []string{"a", "b", "c"}},
		{"independent keep declaration order", services([]string{"z"}, []string{"y"}, []string{"x"}), []string{"z", "y", "x"}},
		{"subset ignores missing dependencies", services([]string{"web", "api"}, []string{"worker", "ledger"}), []string{"web", "worker"}},
		{"duplicate dependency counted once", services([]string{"b", "a", "a"}, []string{"a"}), []string{"a", "b"}},
		{"empty", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TopologicalOrder(tt.services)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReverseOrder(t *testing.T) {
	got, err := ReverseOrder(dag)
	require.NoError(t, err)
	require.Equal(t, []string{"web", "audit", "api", "worker", "ledger", "auth"}, got)

	// Every service comes before everything it depends on.
	pos := make(map[string]int)
	for i, n := range got {
		pos[n] = i
	}
	for _, s := range dag {
		for _, d := range s.DependsOn {
			require.Less(t, pos[s.Name], pos[d], "%s before %s", s.Name, d)
		}
	}
}

func TestOrderCycle(t *testing.T) {
	tests := []struct {
		name     string
		services []Service
		want     string
	}{
		{"two", services([]string{"api", "ledger"}, []string{"ledger", "api"}), "dependency cycle: api → ledger → api"},
		{"three, behind a DAG", services([]string{"web", "a"}, []string{"a", "b"}, []string{"b", "c"}, []string{"c", "a"}), "dependency cycle: a → b → c → a"},
		{"self", services([]string{"a", "a"}), "dependency cycle: a → a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range []func([]Service) ([]string, error){TopologicalOrder, ReverseOrder} {
				_, err := order(tt.services)
				var ce *CycleError
				require.ErrorAs(t, err, &ce)
				require.EqualError(t, err, tt.want)
			}
		})
	}
}

func TestOrderDuplicateName(t *testing.T) {
	_, err := TopologicalOrder(services([]string{"a"}, []string{"a"}))
	require.EqualError(t, err, `duplicate service name "a"`)
}

func TestDependents(t *testing.T) {
	require.Equal(t, map[string][]string{
		"api":    {"web"},
		"ledger": {"api", "worker"},
		"auth":   {"api"},
	}, Dependents(dag))
}

func TestByName(t *testing.T) {
	spec := &Spec{Services: dag, Environments: []Environment{{Name: "staging", Region: "eu-west"}}}
	svc, ok := spec.ServiceByName("api")
	require.True(t, ok)
	require.Equal(t, []string{"ledger", "auth"}, svc.DependsOn)
	_, ok = spec.ServiceByName("nope")
	require.False(t, ok)
	env, ok := spec.EnvironmentByName("staging")
	require.True(t, ok)
	require.Equal(t, "eu-west", env.Region)
	_, ok = spec.EnvironmentByName("prod")
	require.False(t, ok)
}
