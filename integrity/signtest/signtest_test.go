package signtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/integrity"
	"github.com/tollgate-dev/tollgate/release"
)

func TestSignedSpecVerifiesAndTamperingFails(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	require.NoError(t, err)
	spec := &release.Spec{Metadata: release.Metadata{ID: "r1"}, Services: []release.Service{{Name: "a", Version: "1.0.0"}, {Name: "b", Version: "2.0.0"}}}
	require.NoError(t, s.SignSpec(spec))
	in := integrity.Input{Services: spec.Services, Policy: spec.Integrity, Now: time.Now()}
	rep := integrity.Verify(context.Background(), artifacts.New(artifacts.Options{}), in)
	require.True(t, rep.Passed, "%v", rep.Failures())

	spec.Services[1].Artifact.Digest = spec.Services[0].Artifact.Digest
	in.Services = spec.Services
	rep = integrity.Verify(context.Background(), artifacts.New(artifacts.Options{}), in)
	assert.False(t, rep.Passed)
}
