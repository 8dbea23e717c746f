package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/integrations/github"
)

// itsmRecorder mocks the GitHub and Jira activities and records what the release asked for.
type itsmRecorder struct {
	mu          sync.Mutex
	creates     int
	deployments map[string][]github.State // by environment
	ids         map[string]int64
	withID      int // deployment calls that carried the known ID
	production  map[string]bool
	phases      []string
	comments    []string
	markers     []string
	updates     []activities.JiraUpdateChangeInput
	// order is every Jira call as "transition:<phase>" or "comment:<body>", in order.
	order []string
	// commentErr, when set, answers a comment; checkStatus answers the status read before each
	// wave of an ITSM-driven release (default: still authorized).
	commentErr  func(activities.JiraCommentInput) error
	checkStatus func(activities.JiraCheckStatusInput) activities.JiraAwaitStatusResult
	checks      int
}

func (s *itsmRecorder) install(h *harness) {
	s.deployments, s.ids, s.production = map[string][]github.State{}, map[string]int64{}, map[string]bool{}
	a := &activities.Activities{}
	h.env.OnActivity(a.JiraChangeRequest, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JiraChangeRequestInput) (activities.JiraChangeRequestResult, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.creates++
		return activities.JiraChangeRequestResult{Key: "CHG-" + in.Change.ReleaseID}, nil
	})
	h.env.OnActivity(a.JiraTransition, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JiraTransitionInput) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if in.Key == "" {
			return fmt.Errorf("transition without key")
		}
		s.phases = append(s.phases, in.Phase)
		s.order = append(s.order, "transition:"+in.Phase)
		return nil
	})
	h.env.OnActivity(a.JiraUpdateChange, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JiraUpdateChangeInput) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.updates = append(s.updates, in)
		return nil
	})
	h.env.OnActivity(a.JiraComment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JiraCommentInput) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.commentErr != nil {
			if err := s.commentErr(in); err != nil {
				return err
			}
		}
		s.comments = append(s.comments, in.Body)
		s.markers = append(s.markers, in.Marker)
		s.order = append(s.order, "comment:"+in.Body)
		return nil
	})
	h.env.OnActivity(a.JiraCheckStatus, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.JiraCheckStatusInput) (activities.JiraAwaitStatusResult, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.checks++
		if s.checkStatus != nil {
			return s.checkStatus(in), nil
		}
		return activities.JiraAwaitStatusResult{Status: "Implementing"}, nil
	})
	h.env.OnActivity(a.GitHubDeployment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.GitHubDeploymentInput) (activities.GitHubDeploymentResult, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if in.ID != 0 {
			s.withID++
		} else if s.ids[in.Environment] == 0 {
			s.ids[in.Environment] = int64(len(s.ids) + 1)
		}
		s.deployments[in.Environment] = append(s.deployments[in.Environment], in.State)
		s.production[in.Environment] = in.Production
		return activities.GitHubDeploymentResult{ID: s.ids[in.Environment]}, nil
	})
}

func TestITSMRecordsFollowTheRelease(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true, Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)

	assert.Equal(t, 1, rec.creates, "one change request, at intake")
	require.Len(t, rec.updates, 1, "the assessed risk is written into it once")
	assert.Equal(t, "CHG-shop-1", rec.updates[0].Key)
	assert.Equal(t, "low", rec.updates[0].Change.RiskClass)
	assert.Equal(t, "low: test", rec.updates[0].Change.RiskExplanation)
	assert.Equal(t, []string{JiraPhaseApproval, JiraPhaseDeploying, JiraPhaseClosed + "/completed"}, rec.phases)
	want := []github.State{github.StateQueued, github.StateInProgress, github.StateSuccess}
	for _, env := range []string{"staging", "prod-eu", "prod-us"} {
		assert.Equal(t, want, rec.deployments[env], env)
	}
	assert.Equal(t, 6, rec.withID, "after the first call per environment the deployment ID is reused")
	assert.Equal(t, map[string]bool{"staging": false, "prod-eu": true, "prod-us": true}, rec.production,
		"GitHub is told which environments serve users")
	require.NotEmpty(t, rec.comments)
	assert.Contains(t, rec.comments, "Approval approved by bob, carol")
	assert.Contains(t, rec.comments, "Wave production completed")
	assert.Equal(t, "Release completed", rec.comments[len(rec.comments)-1])
	for i, m := range rec.markers {
		assert.Equal(t, fmt.Sprintf("shop-1/comment-%d", i+1), m, "each comment's marker is its place in the release")
	}
}

func TestITSMRecordsRollback(t *testing.T) {
	h := newHarness(t)
	h.integrations = activities.Integrations{GitHub: true, Jira: true}
	rec := &itsmRecorder{}
	rec.install(h)
	h.failStep["deploy prod-eu/cart"] = true
	h.approveBoth()
	require.Equal(t, OutcomeRolledBack, h.run(testSpec()).Outcome)

	assert.Equal(t, []string{JiraPhaseApproval, JiraPhaseDeploying, JiraPhaseRolledBack, JiraPhaseClosed + "/rolled-back"}, rec.phases)
	assert.Equal(t, []github.State{github.StateQueued, github.StateInProgress, github.StateSuccess, github.StateInactive}, rec.deployments["staging"])
	prod := rec.deployments["prod-eu"]
	require.GreaterOrEqual(t, len(prod), 3)
	assert.Equal(t, github.StateFailure, prod[2], "the failed wave fails its deployments")
	assert.Equal(t, github.StateInactive, prod[len(prod)-1], "then the rollback makes them inactive")
}

func TestITSMOnlyWhatIntakeRecorded(t *testing.T) {
	tests := []struct {
		name         string
		integrations activities.Integrations
		wantJira     bool
		wantGitHub   bool
	}{
		{"none", activities.Integrations{}, false, false},
		{"slack only", activities.Integrations{Slack: true}, false, false},
		{"github only", activities.Integrations{GitHub: true}, false, true},
		{"jira only", activities.Integrations{Jira: true}, true, false},
		{"local change records", activities.Integrations{LocalChanges: true}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.integrations = tt.integrations
			rec := &itsmRecorder{}
			rec.install(h)
			(&slackRecorder{}).install(h)
			h.approveBoth()
			require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)
			assert.Equal(t, tt.wantJira, rec.creates == 1 && len(rec.phases) > 0)
			assert.Equal(t, tt.wantGitHub, len(rec.deployments) == 3)
			if !tt.wantJira {
				assert.Zero(t, rec.creates+len(rec.phases)+len(rec.comments), "no Jira command")
			}
			if !tt.wantGitHub {
				assert.Empty(t, rec.deployments, "no GitHub command")
			}
		})
	}
}
