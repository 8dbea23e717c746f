package activities

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// integrityFixture puts a key-signed artifact in a fake fetcher and returns the activity input.
func integrityFixture(t *testing.T, f *artifacts.Fake, version string) VerifyArtifactsInput {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	content := []byte("ledger " + version)
	sum := sha256.Sum256(content)
	f.Put("https://artifacts.example/ledger.tar.gz", content)
	f.Put("https://artifacts.example/ledger.sig", ed25519.Sign(priv, sum[:]))
	f.Put("https://artifacts.example/ci.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return VerifyArtifactsInput{
		ReleaseID: "ledger-" + version,
		Services: []release.Service{{Name: "ledger", Version: version, Artifact: release.Artifact{
			Ref: "https://artifacts.example/ledger.tar.gz", Digest: fmt.Sprintf("sha256:%x", sum),
			Signature: &release.Signature{Sig: "https://artifacts.example/ledger.sig", Key: "ci"},
		}}},
		Integrity: &release.Integrity{PublicKeys: []release.PublicKeyRef{{ID: "ci", Ref: "https://artifacts.example/ci.pub"}}},
		Targets:   []string{"prod-eu"},
	}
}

func newIntegrityEnv(t *testing.T, f artifacts.Fetcher) (*testsuite.TestActivityEnvironment, *Activities) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &Activities{Store: st, Artifacts: f}
	env.RegisterActivity(a)
	return env, a
}

func TestVerifyArtifactsPasses(t *testing.T) {
	f := artifacts.NewFake()
	in := integrityFixture(t, f, "3.1.0")
	env, a := newIntegrityEnv(t, f)
	val, err := env.ExecuteActivity(a.VerifyArtifacts, in)
	require.NoError(t, err)
	var res VerifyArtifactsResult
	require.NoError(t, val.Get(&res))
	require.True(t, res.Passed)
	require.Len(t, res.Artifacts, 1)
	checks := map[string]integrity.Result{}
	for _, c := range res.Artifacts[0].Checks {
		checks[c.Check] = c
	}
	require.True(t, checks[integrity.CheckDigest].Passed)
	require.Contains(t, checks[integrity.CheckSignature].Details.KeyID, "ci")
}

func TestVerifyArtifactsRefusesDowngradeFromStore(t *testing.T) {
	f := artifacts.NewFake()
	in := integrityFixture(t, f, "3.1.0")
	env, a := newIntegrityEnv(t, f)
	require.NoError(t, a.Store.RecordDeployed(context.Background(), store.Deployed{Environment: "prod-eu", Service: "ledger", Version: "3.2.0", ReleaseID: "older", DeployedAt: time.Now()}))
	_, err := env.ExecuteActivity(a.VerifyArtifacts, in)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, ErrIntegrityFailed, appErr.Type())
	require.True(t, appErr.NonRetryable())
	var res VerifyArtifactsResult
	require.NoError(t, appErr.Details(&res))
	require.False(t, res.Passed)
	require.Equal(t, integrity.ReasonDowngrade, res.Release[0].Reason)
}

func TestVerifyArtifactsFetchFailureIsRetried(t *testing.T) {
	f := artifacts.NewFake()
	in := integrityFixture(t, f, "3.1.0")
	f.Fail("https://artifacts.example/ledger.tar.gz", errors.New("connection reset"))
	env, a := newIntegrityEnv(t, f)
	_, err := env.ExecuteActivity(a.VerifyArtifacts, in)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, ErrIntegrityFailed, appErr.Type())
	require.False(t, appErr.NonRetryable(), "a source that is down may come back")
}

func TestVerifyArtifactsTamperedIsPermanent(t *testing.T) {
	f := artifacts.NewFake()
	in := integrityFixture(t, f, "3.1.0")
	f.Put("https://artifacts.example/ledger.tar.gz", []byte("ledger 3.1.0 + backdoor"))
	env, a := newIntegrityEnv(t, f)
	_, err := env.ExecuteActivity(a.VerifyArtifacts, in)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.True(t, appErr.NonRetryable())
	require.ErrorContains(t, err, string(integrity.ReasonDigestMismatch))
}

func TestRecordDeployed(t *testing.T) {
	env, a := newIntegrityEnv(t, artifacts.NewFake())
	_, err := env.ExecuteActivity(a.RecordDeployed, RecordDeployedInput{ReleaseID: "r", Environment: "staging", Versions: map[string]string{"ledger": "3.1.0", "api": "1.0.0"}})
	require.NoError(t, err)
	got, err := a.Store.DeployedVersions(context.Background())
	require.NoError(t, err)
	require.Equal(t, map[string]string{"ledger": "3.1.0", "api": "1.0.0"}, got["staging"])
}
