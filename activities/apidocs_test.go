package activities

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

func TestAttachAPIDocsDiffsAgainstThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer st.Close()
	f := artifacts.NewFake()
	f.Put("file:///api/cart-1.yaml", []byte("paths:\n  /cart: {get: {responses: {'200': {}}}}\n  /legacy: {get: {}}\n"))
	f.Put("file:///api/cart-2.yaml", []byte("paths:\n  /cart: {get: {responses: {'200': {}}}}\n  /new: {get: {}}\n"))
	f.Put("file:///api/broken.yaml", []byte("paths: [unclosed"))
	a := &Activities{Store: st, Artifacts: f}
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	svc := release.Service{Name: "cart", Version: "1.0.0", OpenAPI: "file:///api/cart-1.yaml"}

	res, err := a.AttachAPIDocs(ctx, AttachAPIDocsInput{ReleaseID: "r1", Services: []release.Service{svc, {Name: "ui"}}, At: at})
	require.NoError(t, err)
	require.Equal(t, []APIDocReport{{Service: "cart", Version: "1.0.0"}}, res.Reports, "the first version has nothing to diff")

	svc.Version, svc.OpenAPI = "2.0.0", "file:///api/cart-2.yaml"
	res, err = a.AttachAPIDocs(ctx, AttachAPIDocsInput{ReleaseID: "r2", Services: []release.Service{svc}, At: at})
	require.NoError(t, err)
	require.Len(t, res.Reports, 1)
	rep := res.Reports[0]
	require.Equal(t, "1.0.0", rep.Previous)
	require.Equal(t, 2, rep.Changes)
	require.Len(t, rep.Breaking, 1)
	require.Equal(t, "GET /legacy", rep.Breaking[0].Where)

	// Re-running the same release (a retry) keeps the attached document.
	_, err = a.AttachAPIDocs(ctx, AttachAPIDocsInput{ReleaseID: "r2", Services: []release.Service{svc}, At: at})
	require.NoError(t, err)
	entries, err := st.ListKnowledge(ctx, store.KnowledgeFilter{Kind: store.KnowledgeAPI, Service: "cart"})
	require.NoError(t, err)
	require.Len(t, entries, 2)

	svc.Version, svc.OpenAPI = "3.0.0", "file:///api/broken.yaml"
	_, err = a.AttachAPIDocs(ctx, AttachAPIDocsInput{ReleaseID: "r3", Services: []release.Service{svc}, At: at})
	require.ErrorContains(t, err, "API docs of cart 3.0.0")
	svc.OpenAPI = "file:///api/missing.yaml"
	_, err = a.AttachAPIDocs(ctx, AttachAPIDocsInput{ReleaseID: "r3", Services: []release.Service{svc}, At: at})
	require.ErrorContains(t, err, "file:///api/missing.yaml")
}
