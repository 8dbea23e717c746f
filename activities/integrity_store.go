package activities

import (
	"slices"
	"time"

	"github.com/tollgate-dev/tollgate/store"
)

func storeDeployed(in RecordDeployedInput, svc string, at time.Time) store.Deployed {
	return store.Deployed{Environment: in.Environment, Service: svc, Version: in.Versions[svc], ReleaseID: in.ReleaseID, DeployedAt: at}
}

func sortedServiceNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
