package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Options configure the real client. Token is handed to the library and never logged or put in
// an error.
type Options struct {
	Token string
	// Repo is owner/name (TOLLGATE_GITHUB_REPO).
	Repo string
	// BaseURL is the REST API base; empty means https://api.github.com/. Tests point it at Fake.
	BaseURL string
	// HTTP is the client used; nil means one with a 10 s timeout.
	HTTP *http.Client
}

// Client is the real Deployer.
type Client struct {
	api         *gh.Client
	owner, repo string
}

// New builds a Client. go-github retries nothing by itself; Temporal is the only retry layer.
func New(o Options) (*Client, error) {
	owner, repo, ok := strings.Cut(o.Repo, "/")
	if !ok || owner == "" || repo == "" {
		return nil, fmt.Errorf("github repo %q: want owner/name", o.Repo)
	}
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	api := gh.NewClient(hc).WithAuthToken(o.Token)
	if o.BaseURL != "" {
		u, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("github base URL %q: %w", o.BaseURL, err)
		}
		api.BaseURL = u
	}
	return &Client{api: api, owner: owner, repo: repo}, nil
}

// CreateDeployment implements Deployer.
func (c *Client) CreateDeployment(ctx context.Context, d DeploymentRequest) (int64, error) {
	req := &gh.DeploymentRequest{
		Ref:              gh.String(d.Ref),
		Environment:      gh.String(d.Environment),
		Description:      gh.String(d.Description),
		AutoMerge:        gh.Bool(false),
		RequiredContexts: &[]string{}, // explicit: Tollgate's own gates decide readiness
		Payload:          map[string]string{"tollgate_release": d.ReleaseID, PayloadMarker: d.Marker},
		// Explicit, not GitHub's defaults: production is the caller's to say, and an
		// environment Tollgate deploys to outlives the deployment.
		ProductionEnvironment: gh.Bool(d.Production),
		TransientEnvironment:  gh.Bool(false),
	}
	dep, _, err := c.api.Repositories.CreateDeployment(ctx, c.owner, c.repo, req)
	if err != nil {
		return 0, fmt.Errorf("github create deployment %q in %s: %w", d.Marker, d.Environment, err)
	}
	return dep.GetID(), nil
}

// FindDeployment implements Deployer: it searches the environment's recent deployments for the
// marker in the payload.
func (c *Client) FindDeployment(ctx context.Context, environment, marker string) (int64, error) {
	deps, _, err := c.api.Repositories.ListDeployments(ctx, c.owner, c.repo, &gh.DeploymentsListOptions{
		Environment: environment, ListOptions: gh.ListOptions{PerPage: 100},
	})
	if err != nil {
		return 0, fmt.Errorf("github list deployments in %s (looking for %q): %w", environment, marker, err)
	}
	for _, d := range deps {
		var p map[string]any
		if json.Unmarshal(d.Payload, &p) == nil && p[PayloadMarker] == marker {
			return d.GetID(), nil
		}
	}
	return 0, nil
}

// MaxStatusDescription is the longest deployment status description GitHub accepts (longer
// ones are refused with 422).
const MaxStatusDescription = 140

// StatusDescription is description as CreateDeploymentStatus sends it: cut to
// MaxStatusDescription characters, the cut marked with an ellipsis. Compare a stored status's
// description with this, not with the original.
func StatusDescription(description string) string {
	r := []rune(description)
	if len(r) <= MaxStatusDescription {
		return description
	}
	return string(r[:MaxStatusDescription-1]) + "…"
}

// CreateDeploymentStatus implements Deployer.
func (c *Client) CreateDeploymentStatus(ctx context.Context, id int64, state State, description string) error {
	_, _, err := c.api.Repositories.CreateDeploymentStatus(ctx, c.owner, c.repo, id, &gh.DeploymentStatusRequest{
		State: gh.String(string(state)), Description: gh.String(StatusDescription(description)),
		// Explicit (GitHub's default is true): a success retires the environment's previous
		// deployment; no other state should.
		AutoInactive: gh.Bool(state == StateSuccess),
	})
	if err != nil {
		return fmt.Errorf("github deployment %d status %s: %w", id, state, err)
	}
	return nil
}

// ListDeploymentStatuses implements Deployer.
func (c *Client) ListDeploymentStatuses(ctx context.Context, id int64) ([]StatusRecord, error) {
	sts, _, err := c.api.Repositories.ListDeploymentStatuses(ctx, c.owner, c.repo, id, &gh.ListOptions{PerPage: 100})
	if err != nil {
		return nil, fmt.Errorf("github deployment %d statuses: %w", id, err)
	}
	out := make([]StatusRecord, 0, len(sts))
	for _, s := range sts {
		out = append(out, StatusRecord{ID: s.GetID(), State: State(s.GetState()), Description: s.GetDescription(), CreatedAt: s.GetCreatedAt().Time})
	}
	return out, nil
}

// maxCheckPages bounds the check runs and statuses read for one ref (100 per page).
const maxCheckPages = 10

// ListCheckRunsForRef implements Deployer, following GitHub's pages: a failing check on a later
// page must not go unseen.
func (c *Client) ListCheckRunsForRef(ctx context.Context, ref string) ([]Check, error) {
	var out []Check
	opts := &gh.ListCheckRunsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for page := 0; page < maxCheckPages; page++ {
		res, resp, err := c.api.Checks.ListCheckRunsForRef(ctx, c.owner, c.repo, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("github check runs of %s: %w", ref, err)
		}
		for _, r := range res.CheckRuns {
			concl := r.GetConclusion()
			if r.GetStatus() != "completed" {
				concl = r.GetStatus()
			}
			out = append(out, Check{Name: r.GetName(), Conclusion: concl,
				Passed: concl == "success" || concl == "neutral" || concl == "skipped"})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
	return nil, fmt.Errorf("github check runs of %s: more than %d pages; too many to judge", ref, maxCheckPages)
}

// GetCombinedStatus implements Deployer, following GitHub's pages like ListCheckRunsForRef.
func (c *Client) GetCombinedStatus(ctx context.Context, ref string) ([]Check, error) {
	var out []Check
	opts := &gh.ListOptions{PerPage: 100}
	for page := 0; page < maxCheckPages; page++ {
		res, resp, err := c.api.Repositories.GetCombinedStatus(ctx, c.owner, c.repo, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("github combined status of %s: %w", ref, err)
		}
		for _, s := range res.Statuses {
			out = append(out, Check{Name: s.GetContext(), Conclusion: s.GetState(), Passed: s.GetState() == "success"})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
	return nil, fmt.Errorf("github combined status of %s: more than %d pages; too many to judge", ref, maxCheckPages)
}
