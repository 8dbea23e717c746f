package activities

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/tollgate-dev/tollgate/calendar"
	"github.com/tollgate-dev/tollgate/governance"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/risk"
)

// ErrGovernanceConfig: a governance file (calendar, directory, policies, risk model) is
// unreadable or invalid; retrying will not help until someone fixes it.
const ErrGovernanceConfig = "GovernanceConfig"

// GovernanceConfig is where governance activities read their configuration at run time; the
// workflow never reads files. Empty paths mean "not configured": no freezes or windows, the
// default policies and risk model, and a directory nobody is in (so nobody can approve a
// release whose policy names groups: fail closed).
type GovernanceConfig struct {
	CalendarPath  string
	DirectoryPath string
	PoliciesPath  string
	RiskPath      string
	// HistoryLimit bounds how many past releases feed the risk history (default 500).
	HistoryLimit int
}

// AssessRiskInput asks for the risk of a release about to be approved.
type AssessRiskInput struct {
	Spec release.Spec `json:"spec"`
	// PlannedAt is when deployment is expected to start (workflow.Now at the risk phase).
	PlannedAt time.Time `json:"plannedAt"`
	// Size is the SCM change size when known; nil says "unknown" in the explanation.
	Size *risk.ChangeSize `json:"size,omitempty"`
}

// AssessRiskResult is the assessment with what the approval phase needs, so that the workflow
// holds the policy and directory in its state and its update validators stay deterministic.
type AssessRiskResult struct {
	Assessment  risk.Assessment      `json:"assessment"`
	Explanation string               `json:"explanation"`
	Policy      governance.Policy    `json:"policy"`
	Directory   governance.Directory `json:"directory"`
}

// AssessRisk scores the release from its spec, Tollgate's release history and the calendar's
// peak hours, and returns the approval policy of its class.
func (a *Activities) AssessRisk(ctx context.Context, in AssessRiskInput) (AssessRiskResult, error) {
	cfg := a.Governance
	model := risk.DefaultConfig()
	if cfg.RiskPath != "" {
		data, err := os.ReadFile(cfg.RiskPath)
		if err != nil {
			return AssessRiskResult{}, configError("risk model", cfg.RiskPath, err)
		}
		if model, err = risk.LoadConfig(data); err != nil {
			return AssessRiskResult{}, configError("risk model", cfg.RiskPath, err)
		}
	}
	history, err := a.history(ctx, in.Spec, in.PlannedAt)
	if err != nil {
		return AssessRiskResult{}, err
	}
	sched, err := a.schedule(in.PlannedAt)
	if err != nil {
		return AssessRiskResult{}, err
	}
	input := RiskInput(in.Spec, in.Size, history, in.PlannedAt)
	input.InPeakHours = peak(sched, in.Spec, in.PlannedAt)
	assessment := risk.Assess(model, input)
	policies, dir, err := a.approvalConfig()
	if err != nil {
		return AssessRiskResult{}, err
	}
	a.logger().InfoContext(ctx, "risk assessed", "release", in.Spec.Metadata.ID, "score", assessment.Score, "class", assessment.Class)
	return AssessRiskResult{Assessment: assessment, Explanation: assessment.Explain(), Policy: policies.For(assessment.Class), Directory: *dir}, nil
}

// RiskInput builds the risk input from a spec; `tollgate risk` uses it without a store.
func RiskInput(spec release.Spec, size *risk.ChangeSize, history []risk.History, now time.Time) risk.Input {
	in := risk.Input{Size: size, History: history, Now: now, Emergency: spec.Emergency}
	for _, svc := range spec.Services {
		in.Graph = append(in.Graph, risk.Node{Name: svc.Name, Owner: svc.Owner, DependsOn: svc.DependsOn})
		in.Changed = append(in.Changed, svc.Name)
		in.Migration = in.Migration || svc.Migration
	}
	return in
}

// peak is true when any environment of the release is in its peak hours at now; nil when no
// environment has peak hours configured.
func peak(s *calendar.Schedule, spec release.Spec, now time.Time) *bool {
	var any, configured bool
	for _, env := range spec.Environments {
		in, c := s.InPeak(now, calendar.Env{Name: env.Name, Region: env.Region})
		any, configured = any || in, configured || c
	}
	if !configured {
		return nil
	}
	return &any
}

// history summarises past releases of the spec's services from the store, and counts their
// incidents in Jira when it is configured (serviceIncidents).
func (a *Activities) history(ctx context.Context, spec release.Spec, now time.Time) ([]risk.History, error) {
	out, err := a.storeHistory(ctx, spec, now)
	if err != nil || a.Jira.Tracker == nil {
		return out, err
	}
	if out == nil { // no store: a service without releases, but with its incidents
		for _, svc := range spec.Services {
			out = append(out, risk.History{Service: svc.Name})
		}
	}
	// One search per service, a few at a time: a release of many services against a slow Jira
	// stays well inside the activity's timeout.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(incidentSearchParallel)
	for i := range out {
		g.Go(func() error { return a.serviceIncidents(gctx, &out[i], now) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// incidentSearchParallel bounds the concurrent incident searches of one risk assessment.
const incidentSearchParallel = 4

// storeHistory summarises past releases of the spec's services from the store.
func (a *Activities) storeHistory(ctx context.Context, spec release.Spec, now time.Time) ([]risk.History, error) {
	if a.Store == nil {
		return nil, nil
	}
	limit := a.Governance.HistoryLimit
	if limit <= 0 {
		limit = 500
	}
	records, err := a.Store.ListReleases(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("risk history: %w", err)
	}
	var out []risk.History
	for _, svc := range spec.Services {
		h := risk.History{Service: svc.Name}
		for _, r := range records {
			if r.ID == spec.Metadata.ID || r.Outcome == "" || !r.ClosedAt.Before(now) {
				continue
			}
			if _, ok := r.Spec.ServiceByName(svc.Name); !ok {
				continue
			}
			switch r.Outcome {
			case "completed":
				h.Releases++
				if r.ClosedAt.After(h.LastSuccess) {
					h.LastSuccess = r.ClosedAt
				}
			case "rolled-back", "rollback-failed":
				h.Releases++
				h.Failures++
				h.Rollbacks++
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// approvalConfig loads the policies and the directory.
func (a *Activities) approvalConfig() (governance.Policies, *governance.Directory, error) {
	cfg := a.Governance
	policies := governance.DefaultPolicies()
	if cfg.PoliciesPath != "" {
		data, err := os.ReadFile(cfg.PoliciesPath)
		if err != nil {
			return policies, nil, configError("approval policies", cfg.PoliciesPath, err)
		}
		if policies, err = governance.ParsePolicies(data); err != nil {
			return policies, nil, configError("approval policies", cfg.PoliciesPath, err)
		}
	}
	dir := &governance.Directory{}
	if cfg.DirectoryPath != "" {
		data, err := os.ReadFile(cfg.DirectoryPath)
		if err != nil {
			return policies, nil, configError("directory", cfg.DirectoryPath, err)
		}
		if dir, err = governance.ParseDirectory(data); err != nil {
			return policies, nil, configError("directory", cfg.DirectoryPath, err)
		}
	}
	return policies, dir, nil
}

// schedule reads and compiles the calendar around at; no calendar file is an empty calendar.
func (a *Activities) schedule(at time.Time) (*calendar.Schedule, error) {
	cal := &calendar.Calendar{}
	if path := a.Governance.CalendarPath; path != "" {
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, configError("calendar", path, err)
		default:
			if cal, err = calendar.Parse(data); err != nil {
				return nil, configError("calendar", path, err)
			}
		}
	}
	s, err := calendar.Compile(cal, at.Add(-24*time.Hour), at.AddDate(0, 0, 35))
	if err != nil {
		return nil, configError("calendar", a.Governance.CalendarPath, err)
	}
	return s, nil
}

func configError(what, path string, err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s %s: %v", what, path, err), ErrGovernanceConfig, err)
}
