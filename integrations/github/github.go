// Package github is Tollgate's GitHub integration: a deployment per environment with statuses
// following the release, and readiness evidence (check runs, commit statuses, the compare API).
// The real client wraps github.com/google/go-github/v60; Fake serves the same REST subset over
// HTTP so tests exercise the real client code.
package github

import (
	"context"
	"time"
)

// State is a deployment status state Tollgate sets.
type State string

// Deployment states, in the order a release moves through them.
const (
	StateQueued     State = "queued"
	StateInProgress State = "in_progress"
	StateSuccess    State = "success"
	StateFailure    State = "failure"
	StateInactive   State = "inactive"
)

// PayloadMarker is the payload field carrying a deployment's marker; FindDeployment searches it.
const PayloadMarker = "tollgate_marker"

// DeploymentRequest is one deployment to create. Marker is deterministic (release ID +
// environment) and travels in the payload, so a retried create finds the deployment instead of
// creating a second one.
type DeploymentRequest struct {
	Ref         string
	Environment string
	ReleaseID   string
	Marker      string
	Description string
}

// Comparison is what the compare API says about a change: its size and who made it when.
type Comparison struct {
	Files     int
	Additions int
	Deletions int
	Commits   []Commit
	// TotalCommits is how many commits GitHub counts between base and head; more than
	// len(Commits) means some could not be listed.
	TotalCommits int
}

// Commit is one commit of a comparison.
type Commit struct {
	SHA    string
	Author string // the GitHub login, or the git author's email when GitHub knows no login
	Time   time.Time
}

// Check is a check run or a commit status for a ref.
type Check struct {
	Name string
	// Conclusion is the check run's conclusion or the commit status's state.
	Conclusion string
	// Passed is true for success, neutral and skipped check runs and success statuses.
	Passed bool
}

// StatusRecord is one status GitHub holds for a deployment.
type StatusRecord struct {
	ID          int64
	State       State
	Description string
	CreatedAt   time.Time
}

// Deployer is what Tollgate needs from GitHub.
type Deployer interface {
	// CreateDeployment creates a deployment (auto_merge off, no required contexts) and returns its ID.
	CreateDeployment(ctx context.Context, d DeploymentRequest) (int64, error)
	// FindDeployment returns the ID of the environment's deployment carrying marker, or 0.
	FindDeployment(ctx context.Context, environment, marker string) (int64, error)
	// CreateDeploymentStatus records a new state for a deployment.
	CreateDeploymentStatus(ctx context.Context, id int64, state State, description string) error
	// ListDeploymentStatuses returns a deployment's most recent statuses, newest first (one
	// page of at most 100), so a retry can see the status a lost answer hid.
	ListDeploymentStatuses(ctx context.Context, id int64) ([]StatusRecord, error)
	// CompareCommits reports the change between base and head.
	CompareCommits(ctx context.Context, base, head string) (Comparison, error)
	// ListCheckRunsForRef returns the check runs of ref.
	ListCheckRunsForRef(ctx context.Context, ref string) ([]Check, error)
	// GetCombinedStatus returns the commit statuses of ref.
	GetCombinedStatus(ctx context.Context, ref string) ([]Check, error)
}

// AllPassed reports whether every check passed and there was at least one; it names the first
// that did not.
func AllPassed(checks []Check) (bool, string) {
	if len(checks) == 0 {
		return false, "no checks or statuses reported"
	}
	for _, c := range checks {
		if !c.Passed {
			return false, c.Name + ": " + c.Conclusion
		}
	}
	return true, ""
}
