package activities

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"github.com/tollgate-dev/tollgate/integrations/github"
)

// ErrGitHubRefused is the error type of a GitHub call that will never succeed as made (404,
// 422, bad credentials); retrying would only repeat it.
const ErrGitHubRefused = "GitHubRefused"

// GitHubConfig is the GitHub integration; a nil Deployer means GitHub is not configured and
// deployments are recorded in Tollgate's store only.
type GitHubConfig struct {
	Deployer github.Deployer
}

// GitHubDeploymentInput sets a state on the release's deployment to one environment. ID is the
// deployment once known; without it the deployment is searched by its marker before one is
// created, so a retry after a lost answer uses the deployment GitHub already has.
type GitHubDeploymentInput struct {
	ReleaseID   string       `json:"releaseId"`
	Environment string       `json:"environment"`
	Ref         string       `json:"ref"`
	Description string       `json:"description,omitempty"`
	State       github.State `json:"state"`
	ID          int64        `json:"id,omitempty"`
	// Production marks the environment as one end users reach (production_environment); it
	// is sent explicitly either way, so GitHub never guesses from the name. It only matters
	// when the deployment is created.
	Production bool `json:"production,omitempty"`
}

// GitHubDeploymentResult carries the deployment's ID for later statuses.
type GitHubDeploymentResult struct {
	ID int64 `json:"id"`
}

// GitHubMarker is the payload marker of a release's deployment to an environment.
func GitHubMarker(releaseID, environment string) string {
	return "tollgate/" + releaseID + "/" + environment
}

// GitHubDeployment creates or finds the release's deployment to an environment (exactly one per
// release and environment) and sets its state, unless the deployment's latest status already
// is that state with that description (exactly one status per step across lost answers).
func (a *Activities) GitHubDeployment(ctx context.Context, in GitHubDeploymentInput) (GitHubDeploymentResult, error) {
	gh := a.GitHub.Deployer
	if gh == nil {
		return GitHubDeploymentResult{}, temporal.NewNonRetryableApplicationError("github is not configured on this worker", ErrGitHubRefused, nil)
	}
	marker := GitHubMarker(in.ReleaseID, in.Environment)
	id := in.ID
	var err error
	if id == 0 {
		if id, err = gh.FindDeployment(ctx, in.Environment, marker); err != nil {
			return GitHubDeploymentResult{}, githubError(err)
		}
	}
	created := id == 0
	if created {
		id, err = gh.CreateDeployment(ctx, github.DeploymentRequest{Ref: in.Ref, Environment: in.Environment,
			ReleaseID: in.ReleaseID, Marker: marker, Description: in.Description, Production: in.Production})
		if err != nil {
			return GitHubDeploymentResult{}, githubError(err)
		}
		a.logger().InfoContext(ctx, "github deployment created", "marker", marker, "id", id)
	}
	if in.State == "" {
		return GitHubDeploymentResult{ID: id}, nil
	}
	if !created { // a deployment made just now has no status to repeat
		set, err := statusSet(ctx, gh, id, in.State, in.Description)
		if err != nil {
			return GitHubDeploymentResult{ID: id}, githubError(err)
		}
		if set {
			return GitHubDeploymentResult{ID: id}, nil
		}
	}
	if err := gh.CreateDeploymentStatus(ctx, id, in.State, in.Description); err != nil {
		return GitHubDeploymentResult{ID: id}, githubError(err)
	}
	return GitHubDeploymentResult{ID: id}, nil
}

// statusSet reports whether the deployment's latest status already is state with description:
// the retry of a status whose answer was lost checks before it acts. Only the latest counts, so
// a state the release legitimately returns to later is still recorded.
func statusSet(ctx context.Context, gh github.Deployer, id int64, state github.State, description string) (bool, error) {
	sts, err := gh.ListDeploymentStatuses(ctx, id)
	if err != nil || len(sts) == 0 {
		return false, err
	}
	return sts[0].State == state && sts[0].Description == github.StatusDescription(description), nil
}

// githubError classifies at the boundary like slackError.
func githubError(err error) error { return classified(err, ErrGitHubRefused, github.Classify) }
