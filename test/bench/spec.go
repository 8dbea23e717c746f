package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/release"
)

// benchSpec builds a release of n services in layers of ten (each service depends on two of
// the layer before), over the given waves of environments, with no-op runbook steps.
func benchSpec(id string, n int, waves [][]string, step string) release.Spec {
	s := release.Spec{
		APIVersion: release.APIVersion, Kind: release.Kind,
		Metadata:    release.Metadata{ID: id, Title: "bench", Owner: "alice"},
		Approval:    release.Approval{Approvers: []string{"bob"}, Required: 1},
		Handoff:     release.Handoff{Contact: "support"},
		ReviewDelay: release.Duration(time.Second),
		Deployment:  release.Deployment{MaxParallel: 4},
	}
	for i := range n {
		svc := release.Service{
			Name: fmt.Sprintf("svc-%03d", i), Version: "1.0.0",
			Artifact: release.Artifact{Ref: "file:///dev/null", Digest: "sha256:" + strings.Repeat("cd", 32)},
			Runbook:  release.Runbook{Deploy: step, Verify: step, Rollback: step},
		}
		if layer := i / 10; layer > 0 {
			prev := (layer - 1) * 10
			svc.DependsOn = []string{fmt.Sprintf("svc-%03d", prev+i%10), fmt.Sprintf("svc-%03d", prev+(i+3)%10)}
		}
		s.Services = append(s.Services, svc)
	}
	for wi, envs := range waves {
		for _, e := range envs {
			s.Environments = append(s.Environments, release.Environment{Name: e, Region: "local", TimeZone: "UTC"})
		}
		s.Waves = append(s.Waves, release.Wave{Name: fmt.Sprintf("wave-%d", wi), Environments: envs})
	}
	s.Normalize()
	check(signer.SignSpec(&s))
	return s
}

// bareShape is the same release as the bare workflow sees it.
func bareShape(s release.Spec) bareInput {
	in := bareInput{DependsOn: map[string][]string{}, Steps: []string{"deploy", "verify"}, MaxParallel: s.Deployment.MaxParallel}
	for _, w := range s.Waves {
		in.Waves = append(in.Waves, w.Environments)
	}
	for _, svc := range s.Services {
		in.Services = append(in.Services, svc.Name)
		in.DependsOn[svc.Name] = svc.DependsOn
	}
	return in
}
