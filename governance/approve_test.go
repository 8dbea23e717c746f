package governance

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/tollgate-dev/tollgate/risk"
)

const people = `
people:
  - id: alice
    email: alice@example.com
    groups: [approvers, cab]
    roles: [team-lead, exec]
  - id: bob
    email: Bob@Example.com
    slack: U01BOB
    github: bob-gh
    aliases: [robert]
    groups: [approvers]
  - id: carol
    github: carol-c
    groups: [approvers, cab]
  - id: dave
    groups: [cab]
    roles: [team-lead]
  - id: erin
    groups: [approvers]
  - id: frank
    groups: [developers]
`

func dir(t testing.TB) *Directory {
	d, err := ParseDirectory([]byte(people))
	require.NoError(t, err)
	return d
}

func facts() Facts {
	return Facts{ReleaseID: "payments-2026.11.3", Owner: "erin", Initiator: "U01BOB", Authors: []string{"carol-c", "mallory@example.com"}}
}

func TestEligible(t *testing.T) {
	d := dir(t)
	p := DefaultPolicies().Medium
	tests := []struct {
		actor    string
		approved []string
		want     string
	}{
		{"alice", nil, ""},
		{"dave", []string{"alice"}, ""},
		{"bob-gh", nil, `bob started release "payments-2026.11.3" (Slack user U01BOB) and cannot approve it`},
		{"robert", nil, `bob started release "payments-2026.11.3" (Slack user U01BOB) and cannot approve it`},
		{"carol", nil, `carol authored a change in release "payments-2026.11.3" (GitHub login carol-c) and cannot approve it`},
		{"erin", nil, `erin owns release "payments-2026.11.3" and cannot approve it`},
		{"frank", nil, `frank is not in a group that may approve release "payments-2026.11.3" (groups: approvers, cab)`},
		{"mallory", nil, `mallory is not in the directory and cannot approve release "payments-2026.11.3"`},
		{"ALICE@example.com", []string{"alice"}, `alice already approved release "payments-2026.11.3"; each person counts once`},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			f := facts()
			f.Approved = tt.approved
			err := Eligible(p, d, f, tt.actor)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestSatisfied(t *testing.T) {
	d := dir(t)
	full := &Mitigation{Mitigation: "feature flag", RollbackPlan: "rollback runbook", CommunicationPlan: "#payments"}
	tests := []struct {
		name       string
		class      risk.Class
		mitigation *Mitigation
		approvals  []string
		ok         bool
		missing    []string
	}{
		{"low: one approver", risk.Low, nil, []string{"alice"}, true, nil},
		{"low: none", risk.Low, nil, nil, false, []string{"1 more distinct approver(s): 0 of 1"}},
		{"medium: same person twice under aliases counts once", risk.Medium, nil, []string{"alice", "alice@example.com"}, false,
			[]string{"1 more distinct approver(s): 1 of 2"}},
		{"medium: needs a team lead", risk.Medium, nil, []string{"carol-c", "alice"}, false, // carol is an author
			[]string{"1 more distinct approver(s): 1 of 2"}},
		{"medium: two with a lead", risk.Medium, nil, []string{"dave", "alice"}, true, nil},
		{"high: CAB and mitigation", risk.High, full, []string{"alice", "dave"}, true, nil},
		{"high: missing plan parts", risk.High, &Mitigation{Mitigation: "flag"}, []string{"alice", "dave"}, false,
			[]string{"mitigation plan: rollbackPlan is empty", "mitigation plan: communicationPlan is empty"}},
		{"high: owner's approval does not count", risk.High, full, []string{"alice", "erin"}, false,
			[]string{"1 more distinct approver(s): 1 of 2", "1 more approver(s) from group cab: 1 of 2"}},
		{"emergency: one approver", risk.Emergency, nil, []string{"dave"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts()
			f.Mitigation = tt.mitigation
			ok, missing := Satisfied(DefaultPolicies().For(tt.class), d, f, tt.approvals)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.missing, missing)
		})
	}
	assert.True(t, DefaultPolicies().Emergency.Flagged)
}

func TestDirectoryRefusesSharedIdentifiers(t *testing.T) {
	_, err := ParseDirectory([]byte("people:\n  - id: bob\n    github: bob\n  - id: robert\n    email: BOB\n"))
	require.EqualError(t, err, `directory: email "BOB" names both bob and robert`)
}

// TestSatisfiedIffQuorumOfEligible: with random people, aliases, owners, initiators, authors and
// approvals written under random aliases, the policy is satisfied iff the distinct people who
// approved, less the owner, initiator and authors, reach the quorum; and Eligible refuses
// exactly those people. Ground truth is the generator's person index, never the directory.
func TestSatisfiedIffQuorumOfEligible(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 8).Draw(t, "people")
		d := &Directory{}
		aliases := make([][]string, n)
		for i := range n {
			p := Person{ID: fmt.Sprintf("p%d", i), Email: fmt.Sprintf("P%d@corp.example", i), Slack: fmt.Sprintf("U%03d", i),
				GitHub: fmt.Sprintf("gh-%d", i), Groups: []string{GroupApprovers}}
			d.People = append(d.People, p)
			aliases[i] = []string{p.ID, p.Email, p.Slack, p.GitHub, fmt.Sprintf("p%d@CORP.example", i)}
		}
		require.NoError(t, d.Validate())
		name := func(label string) (int, string) {
			i := rapid.IntRange(0, n-1).Draw(t, label)
			return i, aliases[i][rapid.IntRange(0, len(aliases[i])-1).Draw(t, label+"Alias")]
		}
		barred := map[int]bool{}
		f := Facts{ReleaseID: "r"}
		var i int
		i, f.Owner = name("owner")
		barred[i] = true
		i, f.Initiator = name("initiator")
		barred[i] = true
		for range rapid.IntRange(0, 3).Draw(t, "authors") {
			var a string
			i, a = name("author")
			barred[i] = true
			f.Authors = append(f.Authors, a)
		}
		quorum := rapid.IntRange(1, n).Draw(t, "quorum")
		p := Policy{From: []string{GroupApprovers}, Quorum: quorum}
		distinct := map[int]bool{}
		var approvals []string
		for range rapid.IntRange(0, 2*n).Draw(t, "approvals") {
			i, a := name("approver")
			approvals = append(approvals, a)
			if err := Eligible(p, d, Facts{ReleaseID: "r", Owner: f.Owner, Initiator: f.Initiator, Authors: f.Authors}, a); (err != nil) != barred[i] {
				t.Fatalf("Eligible(%s) = %v, but barred = %v", a, err, barred[i])
			}
			if !barred[i] {
				distinct[i] = true
			}
		}
		ok, missing := Satisfied(p, d, f, approvals)
		if want := len(distinct) >= quorum; ok != want {
			t.Fatalf("Satisfied = %v (missing %v), want %v: %d distinct eligible, quorum %d", ok, missing, want, len(distinct), quorum)
		}
	})
}
