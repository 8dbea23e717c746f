package release

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// bigSpec builds a valid spec of n services: each depends on the previous one (a chain) and every
// tenth also on the first (fan-out), with one smoke check each, across 3 environments.
func bigSpec(n int) *Spec {
	s := &Spec{
		APIVersion: APIVersion, Kind: Kind,
		Metadata: Metadata{ID: "bench-1", Title: "Bench", Owner: "alice"},
		Approval: Approval{Approvers: []string{"bob", "carol"}, Required: 2},
		Handoff:  Handoff{Contact: "support"},
		Waves:    []Wave{{Name: "pre", Environments: []string{"staging"}}, {Name: "prod", Environments: []string{"prod-eu", "prod-us"}}},
	}
	for i, name := range []string{"staging", "prod-eu", "prod-us"} {
		s.Environments = append(s.Environments, Environment{Name: name, Region: "r", TimeZone: "Europe/Berlin",
			Vars: map[string]string{"PORT_BASE": fmt.Sprint(18 + i)}})
	}
	for i := range n {
		svc := Service{
			Name: fmt.Sprintf("svc-%03d", i), Version: "1.0.0",
			Artifact: Artifact{Ref: fmt.Sprintf("file:///srv/svc-%03d.tar.gz", i), Digest: ledgerDigest},
			Runbook:  Runbook{Deploy: "./deploy.sh", Rollback: "./rollback.sh"},
			Smoke:    []SmokeCheck{{Name: "health", URL: "http://127.0.0.1:${PORT_BASE}${PORT_SUFFIX}/healthz"}},
			Vars:     map[string]string{"PORT_SUFFIX": fmt.Sprintf("%03d", i)},
		}
		if i > 0 {
			svc.DependsOn = append(svc.DependsOn, fmt.Sprintf("svc-%03d", i-1))
		}
		if i > 1 && i%10 == 0 {
			svc.DependsOn = append(svc.DependsOn, "svc-000")
		}
		s.Services = append(s.Services, svc)
	}
	return s
}

func BenchmarkValidate500Services(b *testing.B) {
	data, err := yaml.Marshal(bigSpec(500))
	require.NoError(b, err)
	_, err = Parse("bench.yaml", data)
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
