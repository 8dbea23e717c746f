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
	// StateError is an environment the release never deployed to: it ended before that wave.
	StateError State = "error"
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
	// Production is sent as production_environment, always: GitHub's own default (true only
	// for an environment named "production") would guess from the name.
	Production bool
}

// MaxCompareFiles is the most changed files GitHub's compare lists for a whole comparison;
// a comparison listing this many may have more.
const MaxCompareFiles = 300

// Comparison is what the compare API says about a change: its size and who made it when.
type Comparison struct {
	// HeadSHA is the commit head named when the compare was read: the compare's most recent
	// commit, or its merge base when head adds no commit to base. Later pages are read against
	// it, so a branch that moves meanwhile cannot mix two heads into one answer.
	HeadSHA string
	// Files, Additions and Deletions add up the files GitHub listed. FilesTruncated says it
	// listed MaxCompareFiles of them, the most it lists: the three are then lower bounds.
	Files          int
	Additions      int
	Deletions      int
	FilesTruncated bool
	Commits        []Commit
	// TotalCommits is how many commits GitHub counts between base and head; more than
	// len(Commits) means some could not be listed.
	TotalCommits int
}

// Commit is one commit of a comparison, with every identity GitHub reports for it: the git
// author and committer emails, and the GitHub accounts GitHub matched them to (empty when it
// matched none; the API then answers "author": null or "committer": null).
type Commit struct {
	SHA            string
	AuthorLogin    string
	AuthorEmail    string
	CommitterLogin string
	CommitterEmail string
	// AuthoredAt is when the change was first written (git author date, kept across rebases
	// and cherry-picks); CommittedAt when this commit object was made (git committer date,
	// reset by a rebase, cherry-pick, amend or GitHub's squash and rebase merges).
	AuthoredAt  time.Time
	CommittedAt time.Time
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
	// CreateDeploymentStatus records a new state for a deployment. A success sets auto_inactive,
	// so GitHub marks the environment's earlier successful deployments inactive; other states
	// leave them alone.
	CreateDeploymentStatus(ctx context.Context, id int64, state State, description string) error
	// ListDeploymentStatuses returns a deployment's most recent statuses, newest first (one
	// page of at most 100), so a retry can see the status a lost answer hid.
	ListDeploymentStatuses(ctx context.Context, id int64) ([]StatusRecord, error)
	// ResolveRef returns the full commit SHA that ref (a branch, a tag, or a full or
	// abbreviated commit SHA) names now. Read a branch's checks, compare and deploy through
	// this SHA, not the name: the branch may move between two calls.
	ResolveRef(ctx context.Context, ref string) (string, error)
	// CompareCommits reports the change between base and head, head pinned to one commit.
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
