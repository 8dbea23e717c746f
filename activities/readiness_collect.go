package activities

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/evidence"
	"github.com/tollgate-dev/tollgate/integrations/github"
	"github.com/tollgate-dev/tollgate/policy"
	"github.com/tollgate-dev/tollgate/release"
)

// GatherInput says what to collect: the sources the spec declares for a phase, with paths
// relative to BaseDir.
type GatherInput struct {
	Spec    release.Spec
	BaseDir string
	// Phase selects the sources: readiness, preDeploy, or "" for both.
	Phase policy.Phase
	// At is the evaluation time (workflow time): backup age, code freeze, probe window.
	At time.Time
	// ConfigSnapshot is the configuration digests recorded at release start (path → sha256).
	// When nil, the snapshot is taken now and verified against itself (the local CLI run).
	ConfigSnapshot map[string]string
	HTTP           *http.Client
	// GitHub reads the checks of the spec's source.head; nil (not configured, or the local
	// CLI run) fails the source checks criterion with a message saying so.
	GitHub github.Deployer
	// SourceHeadSHA is a commit source.head was already pinned to; when set the checks are
	// read for it, else for the commit GitHub resolves the head to. Either way the SHA read is
	// Evidence.Source.SHA in the output.
	SourceHeadSHA string
}

// Gather collects the evidence a spec declares. It never fails as a whole: each source's
// problem (missing file, malformed report, failing restore) is recorded in its status, and
// the criteria reading it fail with that message. Only ctx cancellation is returned.
func Gather(ctx context.Context, in GatherInput) (*policy.Collected, error) {
	g := &gatherer{in: in, out: &policy.Collected{Sources: map[string]policy.SourceStatus{}}}
	s := in.Spec
	if in.Phase != policy.PhasePreDeploy {
		g.junit(policy.SourceCI, s.Evidence.JUnit, &g.out.Evidence.CI)
		g.sarif(policy.SourceSecurity, s.Evidence.SARIF, &g.out.Evidence.Security)
		g.codeFreeze(ctx)
		g.docs()
		g.environment(ctx)
		g.attestations()
		g.parity()
		g.rollback(ctx)
		g.sourceChecks(ctx)
	}
	if in.Phase != policy.PhaseReadiness {
		d := s.PreDeploy
		g.junit(policy.SourceE2E, d.JUnit, &g.out.Evidence.E2E)
		g.perf(ctx)
		g.sarif(policy.SourcePentest, d.SARIF, &g.out.Evidence.Pentest)
		g.accessibility()
		g.localization()
		if d.DRDrill.Backup != "" {
			ev, link := drill(ctx, in.BaseDir, d.DRDrill)
			g.out.Evidence.DR = ev
			g.out.Set(policy.SourceDR, policy.SourceStatus{Collected: true, Link: link})
		}
		if d.Migrations.Dir != "" {
			ev, err := validateMigrations(ctx, in.BaseDir, in.Spec.Metadata.ID, d.Migrations, os.Getenv(d.Migrations.DSNEnv))
			if err != nil {
				g.out.Fail(policy.SourceMigration, d.Migrations.Dir, err)
			} else {
				g.out.Evidence.Migration = ev
				g.out.Set(policy.SourceMigration, policy.SourceStatus{Collected: true, Link: d.Migrations.Dir})
			}
		}
	}
	return g.out, ctx.Err()
}

type gatherer struct {
	in  GatherInput
	out *policy.Collected
}

func (g *gatherer) path(p string) string {
	if filepath.IsAbs(p) || g.in.BaseDir == "" {
		return p
	}
	return filepath.Join(g.in.BaseDir, p)
}

// readReport reads a report file, bounded by evidence.MaxReportBytes.
func (g *gatherer) readReport(p string) ([]byte, error) {
	f, err := os.Open(g.path(p))
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", p, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, evidence.MaxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", p, err)
	}
	return data, nil
}

func (g *gatherer) junit(source string, files []string, dst *evidence.JUnitSummary) {
	if len(files) == 0 {
		return
	}
	link := strings.Join(files, ", ")
	var sum evidence.JUnitSummary
	for i, f := range files {
		data, err := g.readReport(f)
		if err == nil {
			var s evidence.JUnitSummary
			if s, err = evidence.ParseJUnit(data); err == nil {
				if i == 0 {
					sum = s
				} else {
					sum = sum.Merge(s)
				}
				continue
			}
			err = fmt.Errorf("%s: %w", f, err)
		}
		g.out.Fail(source, link, err)
		return
	}
	*dst = sum
	g.out.Set(source, policy.SourceStatus{Collected: true, Link: link})
}

func (g *gatherer) sarif(source string, files []string, dst *policy.SecurityEvidence) {
	if len(files) == 0 {
		return
	}
	link := strings.Join(files, ", ")
	sum := evidence.SARIFSummary{ByRule: map[string]int64{}}
	for _, f := range files {
		data, err := g.readReport(f)
		if err == nil {
			var s evidence.SARIFSummary
			if s, err = evidence.ParseSARIF(data); err == nil {
				sum = sum.Merge(s)
				continue
			}
			err = fmt.Errorf("%s: %w", f, err)
		}
		g.out.Fail(source, link, err)
		return
	}
	dst.SARIF = sum
	g.out.Set(source, policy.SourceStatus{Collected: true, Link: link})
}

func (g *gatherer) accessibility() {
	files := g.in.Spec.PreDeploy.Accessibility
	if len(files) == 0 {
		return
	}
	link := strings.Join(files, ", ")
	var sum evidence.AccessibilitySummary
	for _, f := range files {
		data, err := g.readReport(f)
		if err == nil {
			var s evidence.AccessibilitySummary
			if s, err = evidence.ParseAxe(data); err == nil {
				sum.Pages += s.Pages
				sum.Violations += s.Violations
				sum.Nodes += s.Nodes
				sum.Critical += s.Critical
				sum.Serious += s.Serious
				sum.Moderate += s.Moderate
				sum.Minor += s.Minor
				sum.Rules = append(sum.Rules, s.Rules...)
				continue
			}
			err = fmt.Errorf("%s: %w", f, err)
		}
		g.out.Fail(policy.SourceAccessibility, link, err)
		return
	}
	g.out.Evidence.Accessibility = sum
	g.out.Set(policy.SourceAccessibility, policy.SourceStatus{Collected: true, Link: link})
}

func (g *gatherer) localization() {
	l := g.in.Spec.PreDeploy.Localization
	if len(l.Catalogs) == 0 {
		return
	}
	cats := make(map[string]map[string]string, len(l.Catalogs))
	var links []string
	for loc, f := range l.Catalogs {
		links = append(links, f)
		data, err := g.readReport(f)
		if err == nil {
			cats[loc], err = evidence.ParseCatalog(data)
		}
		if err != nil {
			g.out.Fail(policy.SourceLocalization, f, fmt.Errorf("locale %s (%s): %w", loc, f, err))
			return
		}
	}
	sum, err := evidence.CompareCatalogs(l.Base, cats)
	if err != nil {
		g.out.Fail(policy.SourceLocalization, strings.Join(links, ", "), err)
		return
	}
	g.out.Evidence.Localization = sum
	g.out.Set(policy.SourceLocalization, policy.SourceStatus{Collected: true, Link: l.Catalogs[l.Base]})
}

func (g *gatherer) perf(ctx context.Context) {
	d := g.in.Spec.PreDeploy
	switch {
	case d.K6Summary != "":
		data, err := g.readReport(d.K6Summary)
		var s evidence.PerfSummary
		if err == nil {
			s, err = evidence.ParseK6(data)
		}
		if err != nil {
			g.out.Fail(policy.SourcePerf, d.K6Summary, err)
			return
		}
		g.out.Evidence.Perf = s
		g.out.Set(policy.SourcePerf, policy.SourceStatus{Collected: true, Link: d.K6Summary, Missing: s.Missing})
	case d.Load != (release.LoadSpec{}):
		s, err := RunLoad(ctx, d.Load)
		if err != nil {
			g.out.Fail(policy.SourcePerf, d.Load.Target, err)
			return
		}
		g.out.Evidence.Perf = s
		g.out.Set(policy.SourcePerf, policy.SourceStatus{Collected: true, Link: d.Load.Target})
	}
}
