package test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/workflows"
)

const (
	junitFailing = `<testsuite name="e2e" tests="2" failures="1"><testcase classname="checkout" name="pays"/>` +
		`<testcase classname="checkout" name="refunds"><failure message="502"/></testcase></testsuite>`
	junitPassing = `<testsuite name="e2e" tests="2" failures="0"><testcase classname="checkout" name="pays"/>` +
		`<testcase classname="checkout" name="refunds"/></testsuite>`
)

// TestReadinessBlocksUntilRecheckOnRealServer runs the readiness gate with the real activities:
// a failing JUnit report blocks the release with its table, fixing the report and rechecking
// lets it proceed to approval.
func TestReadinessBlocksUntilRecheckOnRealServer(t *testing.T) {
	c := newCluster(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "junit.xml")
	require.NoError(t, os.WriteFile(report, []byte(junitFailing), 0o644))

	// Integrity runs between the two gates and fails closed: the artifact is key-signed.
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	bin := []byte("demo service build 1")
	sum := sha256.Sum256(bin)
	fetch := artifacts.NewFake()
	fetch.Put("file:///artifacts/svc-00", bin)
	fetch.Put("file:///artifacts/svc-00.sig", ed25519.Sign(priv, sum[:]))
	fetch.Put("file:///keys/ci.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	acts := scriptActivities(t, t.TempDir())
	acts.Artifacts = fetch
	acts.EvidenceStore = &activities.MemEvidenceStore{}
	c.startWorker(acts)

	spec := markerSpec("ready-1", 1, 1, "true")
	spec.Services[0].Artifact = release.Artifact{Ref: "file:///artifacts/svc-00", Digest: "sha256:" + hex.EncodeToString(sum[:]),
		Signature: &release.Signature{Sig: "file:///artifacts/svc-00.sig", Key: "ci"}}
	spec.Integrity = &release.Integrity{PublicKeys: []release.PublicKeyRef{{ID: "ci", Ref: "file:///keys/ci.pub"}}}
	spec.Evidence.JUnit = []string{report}
	spec.Readiness.Criteria = []release.CriterionSpec{{ID: "ci-green", Owner: "quinn", Expr: "evidence.ci.all_passed && evidence.ci.failures == 0"}}
	ctx := context.Background()
	_, err = c.ctl.Start(ctx, &spec, "alice")
	require.NoError(t, err)

	st := c.waitFor(spec.Metadata.ID, "readiness-blocked", func(s workflows.Status) bool { return s.Phase == workflows.PhaseReadinessBlocked })
	require.NotNil(t, st.Readiness)
	g := st.Readiness.Gates[len(st.Readiness.Gates)-1]
	assert.Equal(t, workflows.PhaseReadiness, g.Phase)
	require.Len(t, g.Rows, 1)
	row := g.Rows[0]
	assert.Equal(t, "ci-green", row.Criterion)
	assert.Equal(t, "quinn", row.Owner)
	assert.False(t, row.Passed)
	assert.Equal(t, report, row.Evidence)
	assert.Contains(t, row.ObservedText(), "evidence.ci.failures = 1")
	out, _, code := c.cliRun(ctx, "release", "status", spec.Metadata.ID)
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `FAIL\s+ci-green\s+quinn\s+blocking`, out)

	_, err = c.ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateWaive, workflows.Request{Actor: "bob", Reason: "ship it", Criterion: "ci-green"})
	require.ErrorContains(t, err, "only its owner may waive it")

	require.NoError(t, os.WriteFile(report, []byte(junitPassing), 0o644))
	resp, err := c.ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateRecheck, workflows.Request{Actor: "alice", Reason: "flaky refund test fixed"})
	require.NoError(t, err)
	assert.Contains(t, resp.Message, "recheck requested by alice")

	st = c.waitFor(spec.Metadata.ID, "approval", func(s workflows.Status) bool { return s.Phase == workflows.PhaseApproval })
	g = st.Readiness.Gates[0]
	assert.False(t, g.Blocked)
	assert.Equal(t, 2, g.Evaluations)
	assert.True(t, g.Rows[0].Passed, g.Rows[0].Message)

	_, err = c.ctl.Control(ctx, spec.Metadata.ID, workflows.UpdateReject, workflows.Request{Actor: "bob", Reason: "end of test"})
	require.NoError(t, err)
	res, err := c.ctl.Result(ctx, spec.Metadata.ID)
	require.NoError(t, err)
	assert.Equal(t, workflows.OutcomeRejected, res.Outcome)
}
