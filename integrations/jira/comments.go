package jira

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	jiraapi "github.com/andygrunwald/go-jira"
)

// commentPage and commentPages bound the look for a marker to the newest 500 comments: the
// comment a lost answer hid was added moments ago, so it is on the first page.
const (
	commentPage  = 100
	commentPages = 5
)

// Comment implements Tracker: check, then act. The marker's CommentRef line ends the body so a
// retry finds the comment the remote already added.
func (c *Client) Comment(ctx context.Context, key, marker, body string) error {
	if marker != "" {
		ref := CommentRef(marker)
		found, err := c.hasComment(ctx, key, ref)
		if err != nil {
			return err
		}
		if found {
			return nil
		}
		body += "\n\n" + ref
	}
	_, resp, err := c.api.Issue.AddCommentWithContext(ctx, key, &jiraapi.Comment{Body: body})
	if err != nil {
		return wrap("comment on "+key, resp, err)
	}
	return nil
}

// hasComment looks through the issue's comments, newest first, for one carrying ref as a line.
// go-jira v1.17.0 has no comment list, and the issue's embedded comment field is capped, so
// this pages GET rest/api/2/issue/{key}/comment itself.
func (c *Client) hasComment(ctx context.Context, key, ref string) (bool, error) {
	op := "comments of " + key
	start := 0
	for range commentPages {
		q := url.Values{"startAt": {strconv.Itoa(start)}, "maxResults": {strconv.Itoa(commentPage)}, "orderBy": {"-created"}}
		req, err := c.api.NewRequestWithContext(ctx, http.MethodGet, "rest/api/2/issue/"+url.PathEscape(key)+"/comment?"+q.Encode(), nil)
		if err != nil {
			return false, &Error{Op: op, Err: err}
		}
		var page struct {
			Total    int `json:"total"`
			Comments []struct {
				Body string `json:"body"`
			} `json:"comments"`
		}
		resp, err := c.api.Do(req, &page)
		if err != nil {
			return false, wrap(op, resp, err)
		}
		for _, cm := range page.Comments {
			if hasLine(cm.Body, ref) {
				return true, nil
			}
		}
		start += len(page.Comments)
		if len(page.Comments) == 0 || start >= page.Total {
			break
		}
	}
	return false, nil
}

// hasLine reports whether line is one of body's lines, surrounding blanks ignored.
func hasLine(body, line string) bool {
	for l := range strings.Lines(body) {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
