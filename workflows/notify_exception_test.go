package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/risk"
)

// exceptionMessages are the exception messages Slack got, in order.
func (s *slackRecorder) exceptionMessages() []activities.SlackMessageInput {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []activities.SlackMessageInput
	for _, c := range s.calls {
		if c.Exception != nil {
			out = append(out, c)
		}
	}
	return out
}

func TestAFreezeHoldIsAnExceptionGateInSlack(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	h.integrations = activities.Integrations{Slack: true}
	rec := &slackRecorder{}
	rec.install(h)
	h.assess = func(activities.AssessRiskInput) (activities.AssessRiskResult, error) {
		return activities.AssessRiskResult{Assessment: risk.Assessment{Class: risk.Low},
			Policy: governance.Policy{From: []string{"approvers"}, Quorum: 2}, Directory: directory()}, nil
	}
	h.approveBoth()
	freezeProd(h, t0, t0.Add(72*time.Hour))
	h.at(2*time.Hour, UpdateGrantException, Request{Actor: "vic", Reason: "security fix for CVE-2026-1", Freeze: "black-friday", Expires: t0.Add(24 * time.Hour)})
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)

	msgs := rec.exceptionMessages()
	require.Len(t, msgs, 2, "opened once while held, closed once when the exception released it")
	open, closed := msgs[0], msgs[1]
	assert.Equal(t, 1, open.ExceptionIndex, "the production wave is the one held")
	assert.Equal(t, "black-friday", open.Exception.Freeze)
	assert.Equal(t, "production", open.Exception.Wave)
	assert.Contains(t, open.Exception.Held, "black-friday")
	assert.Equal(t, t0.Add(72*time.Hour), open.Exception.Until.UTC())
	assert.Empty(t, open.Exception.Closed)
	assert.NotEmpty(t, closed.TS, "the same message is updated")
	assert.True(t, strings.HasPrefix(closed.Exception.Closed, "exception granted by vic until "), closed.Exception.Closed)
}

func TestAWindowOnlyHoldHasNoExceptionGate(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(t0)
	h.integrations = activities.Integrations{Slack: true}
	rec := &slackRecorder{}
	rec.install(h)
	opens := t0.Add(10 * time.Hour)
	h.freeze = func(in activities.CheckFreezeInput) (activities.CheckFreezeResult, error) {
		if in.Environment == "prod-eu" && in.At.Before(opens) {
			return activities.CheckFreezeResult{NextAllowed: opens, Message: "waiting for window prod-eu"}, nil
		}
		return activities.CheckFreezeResult{Allowed: true, NextAllowed: in.At}, nil
	}
	h.approveBoth()
	require.Equal(t, OutcomeCompleted, h.run(testSpec()).Outcome)
	assert.Empty(t, rec.exceptionMessages(), "a closed window is not something an exception opens")
}
