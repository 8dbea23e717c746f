package jira

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

const (
	testUser  = "tollgate@example.com"
	testToken = "jira-secret-token"
)

func setup(t *testing.T, cfg Config) (*Client, *Fake, func()) {
	t.Helper()
	f := NewFake(testUser, testToken, "Open", FakeChangeWorkflow...)
	f.SetCloud(cfg.Cloud)
	if cfg.Project == "" {
		cfg.Project = "CHG"
	}
	if cfg.Transitions == nil {
		cfg.Transitions = FakeSteps()
	}
	c, err := New(Options{BaseURL: f.URL(), User: testUser, Token: testToken, Config: cfg})
	require.NoError(t, err)
	return c, f, f.Close
}

func testChange() ChangeRequest {
	return ChangeRequest{ReleaseID: "r1", Summary: "Release r1: checkout", Description: "ships checkout v2",
		RiskClass: "high", RiskExplanation: "touches payments", Implementation: "waves staging, prod",
		Backout: "roll back with tollgate", Test: "smoke checkout", Services: []string{"checkout", "payments"}}
}

func TestCreateFindChange(t *testing.T) {
	c, f, teardown := setup(t, Config{Fields: map[string]string{FieldBackout: "customfield_10050"}})
	defer teardown()
	ctx := context.Background()
	// An incident carrying the release's marker, filed before the change request: FindChange
	// must not take it for the change.
	f.AddIssue(FakeIssue{Key: "INC-1", Project: "CHG", Type: "Incident", Labels: []string{"tollgate-r1"}})
	key, err := c.CreateChange(ctx, testChange())
	require.NoError(t, err)
	assert.Equal(t, "CHG-2", key)
	found, err := c.FindChange(ctx, "r1")
	require.NoError(t, err)
	assert.Equal(t, key, found)
	none, err := c.FindChange(ctx, "r2")
	require.NoError(t, err)
	assert.Empty(t, none)

	is := f.Issues()[1]
	assert.Equal(t, "Change", is.Type, "the default issue type")
	assert.Equal(t, []string{"tollgate-r1", "tollgate-service-checkout", "tollgate-service-payments"}, is.Labels)
	assert.Equal(t, "roll back with tollgate", is.Custom["customfield_10050"], "a mapped field goes to its Jira field")
	assert.Contains(t, is.Description, "high: touches payments")
	assert.Contains(t, is.Description, "smoke checkout")
	assert.NotContains(t, is.Description, "roll back with tollgate", "a mapped field is not repeated in the description")
}

// The change request is created before risk is known; once assessed, its content is written
// again, to the mapped risk field or the description's risk section.
func TestUpdateChangeWritesTheAssessedRisk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields map[string]string
		risk   func(FakeIssue) string
	}{
		{"mapped", map[string]string{FieldRisk: "customfield_10060"}, func(is FakeIssue) string { return fmt.Sprint(is.Custom["customfield_10060"]) }},
		{"in the description", nil, func(is FakeIssue) string { return is.Description }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f, teardown := setup(t, Config{Fields: tc.fields})
			defer teardown()
			ctx := context.Background()
			cr := testChange()
			cr.RiskClass, cr.RiskExplanation = "pending", "assessed before approval"
			key, err := c.CreateChange(ctx, cr)
			require.NoError(t, err)
			assert.Contains(t, tc.risk(f.Issues()[0]), "pending")

			cr.RiskClass, cr.RiskExplanation = "high", "blast radius 7 services"
			for range 2 { // a retry after a lost answer writes the same content
				require.NoError(t, c.UpdateChange(ctx, key, cr))
			}
			is := f.Issues()[0]
			assert.Contains(t, tc.risk(is), "high: blast radius 7 services")
			assert.NotContains(t, tc.risk(is), "pending")
			assert.Equal(t, []string{"tollgate-r1", "tollgate-service-checkout", "tollgate-service-payments"}, is.Labels, "labels kept")
			assert.Equal(t, 2, is.Updates)
		})
	}
	c, _, teardown := setup(t, Config{})
	defer teardown()
	err := c.UpdateChange(context.Background(), "CHG-404", testChange())
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "%v", err)
}

func TestTransitionsFollowPhasesOnce(t *testing.T) {
	c, f, teardown := setup(t, Config{})
	defer teardown()
	ctx := context.Background()
	key, err := c.CreateChange(ctx, testChange())
	require.NoError(t, err)
	for _, phase := range []string{"approval", "deploying", "deploying", "closed"} {
		ok, err := c.Transition(ctx, key, phase)
		require.NoError(t, err, phase)
		assert.True(t, ok, phase)
	}
	ok, err := c.Transition(ctx, key, "review")
	require.NoError(t, err)
	assert.False(t, ok, "a phase without a step moves nothing")
	assert.Equal(t, []string{"Open", "Awaiting Approval", "Implementing", "Closed"}, f.Issues()[0].History,
		"a repeated phase is a no-op, not a second transition")

	_, err = c.Transition(ctx, key, "rolled-back")
	require.NoError(t, err)
	f.AddIssue(FakeIssue{Key: "CHG-99", Project: "CHG", Status: "Open"})
	cfg := FakeSteps()
	cfg["approval"] = Step{Transition: "Nonexistent", Status: "Nowhere"}
	c2, err := New(Options{BaseURL: f.URL(), User: testUser, Token: testToken, Config: Config{Project: "CHG", Transitions: cfg}})
	require.NoError(t, err)
	_, err = c2.Transition(ctx, "CHG-99", "approval")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "a transition the workflow does not offer is permanent")
}

func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name  string
		fault faults.Fault
		token string
		want  Class
		after time.Duration
	}{
		{"server error is transient", faults.Fault{Status: http.StatusServiceUnavailable}, testToken, Transient, 0},
		{"429 carries Retry-After", faults.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second}, testToken, RateLimited, 5 * time.Second},
		{"bad credentials are permanent", faults.Fault{}, "wrong-token", Permanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFake(testUser, testToken, "Open")
			defer f.Close()
			c, err := New(Options{BaseURL: f.URL(), User: testUser, Token: tt.token, Config: Config{Project: "CHG"}})
			require.NoError(t, err)
			if tt.fault.Status != 0 {
				f.Faults.Push(tt.fault)
			}
			_, err = c.CreateChange(context.Background(), testChange())
			require.Error(t, err)
			cls, after := Classify(err)
			assert.Equal(t, tt.want, cls)
			assert.Equal(t, tt.after, after)
			assert.NotContains(t, err.Error(), testToken)
			assert.NotContains(t, err.Error(), "wrong-token")
		})
	}
}

func TestCrashAfterCreateIsFoundByMarker(t *testing.T) {
	c, f, teardown := setup(t, Config{})
	defer teardown()
	f.Faults.Push(faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	_, err := c.CreateChange(context.Background(), testChange())
	require.Error(t, err)
	key, err := c.FindChange(context.Background(), "r1")
	require.NoError(t, err)
	assert.Equal(t, "CHG-1", key, "the issue the remote created is found, not created again")
	assert.Len(t, f.Issues(), 1)
}

// The workflow closes with the outcome's own phase; an outcome without its own step takes
// closed's, one with its own takes it.
func TestTransitionFallsBackToThePhaseBeforeTheSlash(t *testing.T) {
	steps := FakeSteps()
	steps["closed/rolled-back"] = Step{Transition: "Roll back", Status: "Rolled Back"}
	tests := []struct {
		phase  string
		moved  bool
		status string
	}{
		{"closed/completed", true, "Closed"},
		{"closed/rejected", true, "Closed"},
		{"closed/rolled-back", true, "Rolled Back"},
		{"closed", true, "Closed"},
		{"review/filed", false, "Open"},
		{"closed-completed", false, "Open"},
	}
	for _, tt := range tests {
		t.Run(tt.phase, func(t *testing.T) {
			c, f, teardown := setup(t, Config{Transitions: steps})
			defer teardown()
			key, err := c.CreateChange(context.Background(), testChange())
			require.NoError(t, err)
			moved, err := c.Transition(context.Background(), key, tt.phase)
			require.NoError(t, err)
			assert.Equal(t, tt.moved, moved)
			assert.Equal(t, tt.status, f.Issues()[0].Status)
		})
	}
}
