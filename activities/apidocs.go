package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/docs"
	"github.com/tollgate-dev/tollgate/integrations/artifacts"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/store"
)

// maxAPIDoc bounds an OpenAPI document.
const maxAPIDoc = 8 << 20

// AttachAPIDocsInput names the services whose OpenAPI documents the release ships.
type AttachAPIDocsInput struct {
	ReleaseID string            `json:"releaseId"`
	Services  []release.Service `json:"services"`
	At        time.Time         `json:"at"`
}

// APIDocReport is one service's document and its diff against the previous version's.
type APIDocReport struct {
	Service  string        `json:"service"`
	Version  string        `json:"version"`
	Previous string        `json:"previous,omitempty"`
	Changes  int           `json:"changes"`
	Breaking []docs.Change `json:"breaking,omitempty"`
}

// AttachAPIDocsResult is every attached document.
type AttachAPIDocsResult struct {
	Reports []APIDocReport `json:"reports"`
}

// AttachAPIDocs fetches each service's OpenAPI document, attaches it to the service version in
// the knowledge base and diffs it against the latest document of another version, flagging
// breaking changes. A document that cannot be read or parsed is a permanent error naming it.
func (a *Activities) AttachAPIDocs(ctx context.Context, in AttachAPIDocsInput) (AttachAPIDocsResult, error) {
	kb, ok := a.Store.(store.Knowledge)
	if !ok || a.Artifacts == nil {
		return AttachAPIDocsResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("API docs of release %q: no knowledge base or artifact fetcher configured", in.ReleaseID), ErrStoreFailure, nil)
	}
	res := AttachAPIDocsResult{Reports: []APIDocReport{}}
	for _, svc := range in.Services {
		if svc.OpenAPI == "" {
			continue
		}
		doc, err := a.fetchDoc(ctx, svc)
		if err != nil {
			return res, err
		}
		prev, err := kb.ListKnowledge(ctx, store.KnowledgeFilter{Kind: store.KnowledgeAPI, Service: svc.Name})
		if err != nil {
			return res, fmt.Errorf("API docs of %s: %w", svc.Name, err)
		}
		rep := APIDocReport{Service: svc.Name, Version: svc.Version}
		for i := len(prev) - 1; i >= 0; i-- {
			if prev[i].Title == svc.Version {
				continue
			}
			d, err := docs.DiffOpenAPI([]byte(prev[i].Body), doc)
			if err != nil {
				return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("API docs of %s %s: %v", svc.Name, svc.Version, err), ErrInvalidSpec, err)
			}
			rep.Previous, rep.Changes, rep.Breaking = prev[i].Title, len(d.Changes), d.Breaking()
			break
		}
		if _, err := docs.DiffOpenAPI(doc, doc); err != nil { // parse check for the first version
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("API docs of %s %s (%s): %v", svc.Name, svc.Version, svc.OpenAPI, err), ErrInvalidSpec, err)
		}
		if _, err := kb.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeAPI, ReleaseID: in.ReleaseID, Service: svc.Name,
			Title: svc.Version, Body: string(doc), CreatedBy: auditSystemActorName, CreatedAt: in.At}); err != nil {
			return res, fmt.Errorf("API docs of %s: %w", svc.Name, err)
		}
		res.Reports = append(res.Reports, rep)
	}
	return res, nil
}

func (a *Activities) fetchDoc(ctx context.Context, svc release.Service) ([]byte, error) {
	rc, err := a.Artifacts.Open(ctx, svc.OpenAPI)
	if errors.Is(err, artifacts.ErrNotFound) || errors.Is(err, artifacts.ErrUnsupported) {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("API docs of %s: %s: %v", svc.Name, svc.OpenAPI, err), ErrInvalidSpec, err)
	}
	if err != nil {
		return nil, fmt.Errorf("API docs of %s: %s: %w", svc.Name, svc.OpenAPI, err)
	}
	defer rc.Close()
	doc, err := io.ReadAll(io.LimitReader(rc, maxAPIDoc+1))
	if err != nil {
		return nil, fmt.Errorf("API docs of %s: %s: %w", svc.Name, svc.OpenAPI, err)
	}
	if len(doc) > maxAPIDoc {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("API docs of %s: %s is larger than %d bytes", svc.Name, svc.OpenAPI, maxAPIDoc), ErrInvalidSpec, nil)
	}
	return doc, nil
}
