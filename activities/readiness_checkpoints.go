package activities

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/policy"
)

func (g *gatherer) codeFreeze(ctx context.Context) {
	cf := g.in.Spec.Readiness.Checkpoints.CodeFreeze
	if cf.Owner == "" {
		return
	}
	link := fmt.Sprintf("git %s@%s", cf.Repo, cf.Branch)
	freeze, err := time.Parse(time.RFC3339, cf.FreezeAt)
	if err != nil {
		g.out.Fail(policy.SourceCodeFreeze, link, fmt.Errorf("freezeAt %q: %w", cf.FreezeAt, err))
		return
	}
	commits, err := gitCommitsSince(ctx, g.path(cf.Repo), cf.Branch, freeze)
	if err != nil {
		g.out.Fail(policy.SourceCodeFreeze, link, err)
		return
	}
	g.out.Evidence.Checkpoints.CodeFreeze = policy.CodeFreeze(commits, freeze)
	g.out.Set(policy.SourceCodeFreeze, policy.SourceStatus{Collected: true, Link: link})
}

// gitCommitsSince lists the commits of branch whose committer date is after since.
func gitCommitsSince(ctx context.Context, repo, branch string, since time.Time) ([]policy.Commit, error) {
	// "--" ends revisions: a branch named like a path cannot be mistaken for one.
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "log", "--since="+since.Add(-time.Second).UTC().Format(time.RFC3339),
		"--format=%H%x09%cI%x09%s", "--max-count=1000", "refs/heads/"+branch, "--")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git log of %s in %s: %v: %s", branch, repo, err, strings.TrimSpace(stderr.String()))
	}
	var commits []policy.Commit
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) < 2 {
			continue
		}
		at, err := time.Parse(time.RFC3339, parts[1])
		if err != nil {
			return nil, fmt.Errorf("git log of %s: commit %s: date %q: %w", branch, parts[0], parts[1], err)
		}
		c := policy.Commit{Hash: parts[0], Time: at}
		if len(parts) == 3 {
			c.Subject = parts[2]
		}
		commits = append(commits, c)
	}
	return commits, nil
}

func (g *gatherer) docs() {
	d := g.in.Spec.Readiness.Checkpoints.Docs
	if d.Owner == "" {
		return
	}
	docs := make([]policy.Document, len(d.Files))
	for i, f := range d.Files {
		docs[i].Name = f
		if st, err := os.Stat(g.path(f)); err == nil && st.Mode().IsRegular() {
			docs[i].Exists, docs[i].Size = true, st.Size()
		}
	}
	g.out.Evidence.Checkpoints.Docs = policy.DocsComplete(docs)
	g.out.Set(policy.SourceDocs, policy.SourceStatus{Collected: true, Link: strings.Join(d.Files, ", ")})
}

// defaultMaxGap is the longest probe gap that still counts as observed.
const defaultMaxGap = 2 * time.Minute

func (g *gatherer) environment(ctx context.Context) {
	e := g.in.Spec.Readiness.Checkpoints.Environment
	if e.Owner == "" {
		return
	}
	samples, err := readProbeHistory(g.path(e.History))
	if err != nil {
		g.out.Fail(policy.SourceEnvironment, e.History, err)
		return
	}
	if e.URL != "" {
		samples = append(samples, policy.ProbeSample{At: g.in.At, Healthy: probeOnce(ctx, g.in.HTTP, e.URL)})
	}
	gap := e.MaxGap.D()
	if gap <= 0 {
		gap = defaultMaxGap
	}
	g.out.Evidence.Checkpoints.Environment = policy.EnvironmentStable(samples, g.in.At, e.Window.D(), gap)
	g.out.Set(policy.SourceEnvironment, policy.SourceStatus{Collected: true, Link: e.History})
}

func readProbeHistory(path string) ([]policy.ProbeSample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("probe history: %w", err)
	}
	defer f.Close()
	var out []policy.ProbeSample
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var s struct {
			At      *time.Time `json:"at"`
			Healthy *bool      `json:"healthy"`
		}
		if err := json.Unmarshal(line, &s); err != nil || s.At == nil || s.Healthy == nil {
			return nil, fmt.Errorf("probe history %s:%d: want {\"at\": RFC 3339, \"healthy\": bool}", path, n)
		}
		out = append(out, policy.ProbeSample{At: *s.At, Healthy: *s.Healthy})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("probe history %s: %w", path, err)
	}
	return out, nil
}

func probeOnce(ctx context.Context, client *http.Client, url string) bool {
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

func (g *gatherer) attestations() {
	list := g.in.Spec.Readiness.Compliance.Attestations
	if len(list) == 0 && len(g.in.Spec.Readiness.DataCategories) == 0 {
		return
	}
	g.out.Evidence.Attestations = map[string]policy.Attestation{}
	var links []string
	for _, a := range list {
		links = append(links, a.File)
		sum, size, err := fileSHA256(g.path(a.File))
		att := policy.Attestation{By: a.By, Link: a.File}
		if err == nil && size > 0 {
			att.Attested, att.SHA256 = true, sum
		}
		g.out.Evidence.Attestations[a.Control] = att
	}
	g.out.Set(policy.SourceAttestations, policy.SourceStatus{Collected: true, Link: strings.Join(links, ", ")})
}

func (g *gatherer) parity() {
	p := g.in.Spec.Readiness.Parity
	if p.Owner == "" {
		return
	}
	link := p.Staging + ", " + p.Canary
	var ids [2]policy.SuiteIdentity
	for i, f := range []string{p.Staging, p.Canary} {
		data, err := g.readReport(f)
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err = dec.Decode(&ids[i]); err != nil {
				err = fmt.Errorf("suite identity %s: want {\"name\", \"version\", \"configHash\"}: %v", f, err)
			}
		}
		if err != nil {
			g.out.Fail(policy.SourceParity, link, err)
			return
		}
	}
	g.out.Evidence.Parity = policy.Parity(ids[0], ids[1])
	g.out.Set(policy.SourceParity, policy.SourceStatus{Collected: true, Link: link})
}
