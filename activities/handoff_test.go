package activities

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/docs"
	"github.com/tollgate-dev/tollgate/release"
	"github.com/tollgate-dev/tollgate/review"
	"github.com/tollgate-dev/tollgate/store"
)

func TestDiagramRendererBothPaths(t *testing.T) {
	d := docs.Diagram{DOT: "digraph {}", Mermaid: "graph LR\n"}
	noDot := DiagramRenderer{LookPath: func(string) (string, error) { return "", errors.New("not found") }}
	format, data, err := noDot.Render(context.Background(), d)
	require.NoError(t, err)
	require.Equal(t, DiagramMermaid, format)
	require.Equal(t, d.Mermaid, string(data))

	var gotDOT string
	withDot := DiagramRenderer{
		LookPath: func(string) (string, error) { return "/usr/bin/dot", nil },
		Run: func(_ context.Context, path string, dot []byte) ([]byte, error) {
			gotDOT = path + " " + string(dot)
			return []byte("<svg/>"), nil
		},
	}
	format, data, err = withDot.Render(context.Background(), d)
	require.NoError(t, err)
	require.Equal(t, DiagramSVG, format)
	require.Equal(t, "<svg/>", string(data))
	require.Equal(t, "/usr/bin/dot digraph {}", gotDOT)

	broken := withDot
	broken.Run = func(context.Context, string, []byte) ([]byte, error) { return nil, errors.New("exit status 1") }
	_, _, err = broken.Render(context.Background(), d)
	require.ErrorContains(t, err, "render architecture diagram with /usr/bin/dot")
}

func TestFileReviewAndSendHandoff(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenSQLite(filepath.Join(dir, "t.db"))
	require.NoError(t, err)
	defer st.Close()
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	_, err = st.AddKnowledge(ctx, store.KnowledgeEntry{Kind: store.KnowledgeIssue, Service: "cart", Title: "slow cart", Workaround: "retry", CreatedBy: "bob", CreatedAt: at})
	require.NoError(t, err)
	log := &EventLog{Path: filepath.Join(dir, "events.log")}
	a := &Activities{Store: st, Notifier: log, Diagrams: DiagramRenderer{LookPath: func(string) (string, error) { return "", errors.New("none") }}}

	fr, err := a.FileReview(ctx, FileReviewInput{Review: review.Input{ReleaseID: "r1", Title: "Shop", ReviewedAt: at}})
	require.NoError(t, err)
	again, err := a.FileReview(ctx, FileReviewInput{Review: review.Input{ReleaseID: "r1", Title: "Shop", ReviewedAt: at}})
	require.NoError(t, err)
	require.Equal(t, fr, again, "a retried filing finds the first")

	spec := release.Spec{Metadata: release.Metadata{ID: "r1", Title: "Shop", Owner: "alice"},
		Services: []release.Service{{Name: "cart", Version: "2.0.0"}}, Handoff: release.Handoff{Contact: "support", Channel: "#support"}}
	res, err := a.SendHandoff(ctx, SendHandoffInput{Kind: NotifyHandoff, Spec: spec, ReviewLink: fr.Link, At: at})
	require.NoError(t, err)
	require.Equal(t, SendHandoffResult{Channel: "#support", PackageID: res.PackageID, DiagramFormat: DiagramMermaid, KnownIssues: 1}, res)
	_, err = a.SendHandoff(ctx, SendHandoffInput{Kind: NotifyReminder, Spec: spec, Message: "still not acknowledged", At: at})
	require.NoError(t, err)

	f, err := os.Open(log.Path)
	require.NoError(t, err)
	defer f.Close()
	var sent []Notification
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var n Notification
		require.NoError(t, json.Unmarshal(sc.Bytes(), &n))
		sent = append(sent, n)
	}
	require.Len(t, sent, 2)
	require.Equal(t, NotifyHandoff, sent[0].Kind)
	for _, want := range []string{"Review report: " + fr.Link, "slow cart (service cart): workaround: retry", "```mermaid", "# Runbook: Shop (r1)", "support: support"} {
		require.Contains(t, sent[0].Body, want)
	}
	require.Equal(t, "still not acknowledged", sent[1].Subject)
	entries, err := st.ListKnowledge(ctx, store.KnowledgeFilter{Kind: store.KnowledgeHandoff, ReleaseID: "r1"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
