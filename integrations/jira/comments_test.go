package jira

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/integrations/faults"
)

func TestCommentOncePerMarker(t *testing.T) {
	c, f, teardown := setup(t, Config{})
	defer teardown()
	ctx := context.Background()
	key, err := c.CreateChange(ctx, testChange())
	require.NoError(t, err)

	require.NoError(t, c.Comment(ctx, key, "r1/comment-10", "wave staging completed"))
	require.NoError(t, c.Comment(ctx, key, "r1/comment-1", "approved by bob, carol"))
	require.NoError(t, c.Comment(ctx, key, "r1/comment-1", "approved by bob, carol"))
	require.NoError(t, c.Comment(ctx, key, "", "no marker"))
	require.NoError(t, c.Comment(ctx, key, "", "no marker"))
	assert.Equal(t, []string{
		"wave staging completed\n\ntollgate-ref: r1/comment-10",
		"approved by bob, carol\n\ntollgate-ref: r1/comment-1",
		"no marker", "no marker",
	}, f.Issues()[0].Comments, "comment-10 does not hide comment-1; an empty marker adds unchecked")
}

func TestCommentAfterLostAnswerIsNotRepeated(t *testing.T) {
	c, f, teardown := setup(t, Config{Cloud: true})
	defer teardown()
	ctx := context.Background()
	key, err := c.CreateChange(ctx, testChange())
	require.NoError(t, err)
	// The list answers, the add takes effect and its answer is lost.
	f.Faults.Push(faults.Fault{}, faults.Fault{Status: http.StatusBadGateway, AfterCommit: true})
	err = c.Comment(ctx, key, "r1/comment-3", "release completed")
	require.Error(t, err)
	cls, _ := Classify(err)
	require.Equal(t, Transient, cls, "the caller retries")
	require.NoError(t, c.Comment(ctx, key, "r1/comment-3", "release completed"))
	assert.Len(t, f.Issues()[0].Comments, 1, "the retry found the comment")
	calls := f.Calls()
	assert.Equal(t, "GET /rest/api/2/issue/CHG-1/comment", calls[len(calls)-1], "the retry only looked")
}

func TestCommentMarkerFoundOnALaterPage(t *testing.T) {
	c, f, teardown := setup(t, Config{})
	defer teardown()
	ctx := context.Background()
	key, err := c.CreateChange(ctx, testChange())
	require.NoError(t, err)
	for i := range 150 {
		require.NoError(t, c.Comment(ctx, key, fmt.Sprintf("r1/comment-%d", i), "step"))
	}
	before := len(f.Calls())
	require.NoError(t, c.Comment(ctx, key, "r1/comment-0", "step"))
	assert.Len(t, f.Issues()[0].Comments, 150, "the oldest marker, on the second page, is found")
	assert.Equal(t, 2, len(f.Calls())-before, "two pages read, nothing added")
	assert.False(t, slices.Contains(f.Calls()[before:], "POST /rest/api/2/issue/CHG-1/comment"))

	err = c.Comment(ctx, "CHG-404", "r1/comment-x", "lost")
	cls, _ := Classify(err)
	assert.Equal(t, Permanent, cls, "an unknown issue is refused at the look-up")
}
