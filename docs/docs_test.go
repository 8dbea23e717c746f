package docs

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/release"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedSpec is a three-service chain with a canary, a multi-step smoke workflow, a watch and
// escalation targets.
func fixedSpec() release.Spec {
	svc := func(name, owner string, deps ...string) release.Service {
		return release.Service{Name: name, Version: "2.0.0", Owner: owner, DependsOn: deps,
			Artifact: release.Artifact{Ref: "registry.example/" + name + ":2.0.0"},
			Runbook:  release.Runbook{Deploy: "deploy.sh " + name, Verify: "verify.sh " + name, Rollback: "rollback.sh " + name},
			Smoke:    []release.SmokeCheck{{Name: "health", URL: "http://" + name + "/healthz"}}}
	}
	s := release.Spec{
		Metadata:   release.Metadata{ID: "shop-1", Title: "Shop spring", Owner: "alice", Description: "Checkout rework."},
		Services:   []release.Service{svc("checkout", "team-pay", "cart"), svc("cart", "team-shop", "catalog"), svc("catalog", "team-shop")},
		Waves:      []release.Wave{{Name: "pre-prod", Environments: []string{"staging"}}, {Name: "production", Environments: []string{"prod-eu", "prod-us"}}},
		Approval:   release.Approval{EscalateTo: "cab"},
		Handoff:    release.Handoff{Contact: "support", EscalateTo: "support-leads"},
		PostDeploy: &release.PostDeploy{Watch: &release.Watch{OnBreach: release.WatchRollback}},
	}
	s.Services[0].Strategy = &release.Strategy{Canary: &release.Canary{}}
	s.Services[0].Smoke = append(s.Services[0].Smoke, release.SmokeCheck{Name: "buy", URL: "http://checkout", Steps: []release.SmokeStep{{Name: "login"}, {Name: "order"}}})
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./docs/ -update to create the golden files")
	require.Equal(t, string(want), got, "golden file %s differs; rerun with -update if intended", path)
}

func TestRunbookGolden(t *testing.T) {
	golden(t, "runbook.md", Runbook(fixedSpec()))
}

func TestArchitectureGolden(t *testing.T) {
	d := Architecture(fixedSpec(), map[string]string{"catalog": "2.0.0"})
	golden(t, "architecture.dot", d.DOT)
	golden(t, "architecture.mmd", d.Mermaid)
}

func TestContactsInEscalationOrder(t *testing.T) {
	var roles []string
	for _, c := range Contacts(fixedSpec()) {
		roles = append(roles, c.Role+"="+c.Name)
	}
	require.Equal(t, []string{"release owner=alice", "owner of checkout=team-pay", "owner of cart=team-shop",
		"support=support", "escalation (handoff)=support-leads", "escalation (approval)=cab"}, roles)
}

const apiV1 = `
openapi: 3.0.3
paths:
  /orders:
    get:
      parameters: [{name: limit, in: query}]
      responses:
        "200":
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Order"}}
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [sku]}
      responses: {"201": {}}
  /legacy:
    get:
      responses: {"200": {}}
components:
  schemas:
    Order:
      type: object
      properties:
        id: {type: string}
        total: {type: number}
        note: {type: string}
`

func TestDiffOpenAPI(t *testing.T) {
	v2 := `{"openapi":"3.0.3","paths":{
	"/orders":{"get":{"parameters":[{"name":"limit","in":"query","required":true},{"name":"page","in":"query"}],
	  "responses":{"200":{"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/Order"}}}}}}},
	  "post":{"requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["sku","qty"]}}}},"responses":{"202":{}}}},
	"/health":{"get":{"responses":{"200":{}}}}},
	"components":{"schemas":{"Order":{"type":"object","properties":{"id":{"type":"integer"},"total":{"type":"number"}}}}}}`
	d, err := DiffOpenAPI([]byte(apiV1), []byte(v2))
	require.NoError(t, err)
	var breaking, other []string
	for _, c := range d.Changes {
		if c.Breaking {
			breaking = append(breaking, c.Where+": "+c.Message)
		} else {
			other = append(other, c.Where+": "+c.Message)
		}
	}
	require.Equal(t, []string{
		"GET /legacy: operation removed",
		`GET /orders: query parameter "limit" is now required`,
		"GET /orders response 200[].id: type changed from string to integer",
		`GET /orders response 200[]: property "note" removed`,
		"POST /orders: request body is now required",
		`POST /orders request application/json: field "qty" is now required`,
		"POST /orders: response 201 removed",
	}, breaking)
	require.Equal(t, []string{`GET /orders: new optional query parameter "page"`, "GET /health: operation added"}, other)
	require.Len(t, d.Breaking(), 7)

	same, err := DiffOpenAPI([]byte(apiV1), []byte(apiV1))
	require.NoError(t, err)
	require.Empty(t, same.Changes)
	_, err = DiffOpenAPI([]byte("{"), []byte(apiV1))
	require.ErrorContains(t, err, "previous OpenAPI document")
}

func BenchmarkRunbookAndDiagram(b *testing.B) {
	s := fixedSpec()
	for b.Loop() {
		_ = Runbook(s)
		_ = Architecture(s, nil)
	}
}

func BenchmarkDiffOpenAPI(b *testing.B) {
	for b.Loop() {
		if _, err := DiffOpenAPI([]byte(apiV1), []byte(apiV1)); err != nil {
			b.Fatal(err)
		}
	}
}
