package release

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDigest(t *testing.T) {
	valid := validYAML(t)
	parse := func(doc string) *Spec {
		t.Helper()
		s, err := Parse("release.yaml", []byte(doc))
		require.NoError(t, err)
		return s
	}
	base := parse(valid).Digest()
	require.Len(t, base, 64)
	require.Equal(t, base, parse(valid).Digest(), "stable across parses")

	// Layout, comments and spelled-out defaults do not change the digest.
	same := edit(t, valid,
		"kind: Release\n", "kind: Release # the only kind\n",
		"deploy: ./deploy.sh, rollback: ./rollback.sh}", "rollback: ./rollback.sh, deploy: ./deploy.sh, timeout: 10m}")
	require.Equal(t, base, parse(same).Digest())

	// Content does.
	require.NotEqual(t, base, parse(edit(t, valid, "version: 2.3.0", "version: 2.3.1")).Digest())

	// An unnormalized spec has the digest of its normalized form, and is left untouched.
	raw := &Spec{APIVersion: APIVersion, Kind: Kind}
	normalized := *raw
	normalized.Normalize()
	require.Equal(t, normalized.Digest(), raw.Digest())
	require.Zero(t, raw.ReviewDelay)
}

func TestNormalize(t *testing.T) {
	s := &Spec{Services: []Service{{Smoke: []SmokeCheck{{}, {ExpectStatus: 204, MaxLatency: Duration(1)}}}}}
	s.Normalize()
	require.Equal(t, Duration(DefaultReviewDelay), s.ReviewDelay)
	require.Equal(t, Duration(DefaultApprovalTimeout), s.Approval.Timeout)
	require.Equal(t, DefaultMaxParallel, s.Deployment.MaxParallel)
	require.Equal(t, Duration(DefaultRunbookTimeout), s.Services[0].Runbook.Timeout)
	require.Equal(t, SmokeCheck{ExpectStatus: 200, MaxLatency: Duration(DefaultSmokeTimeout)}, s.Services[0].Smoke[0])
	require.Equal(t, SmokeCheck{ExpectStatus: 204, MaxLatency: Duration(1)}, s.Services[0].Smoke[1], "set values are kept")
}
