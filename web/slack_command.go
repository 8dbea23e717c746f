package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tollgate-dev/tollgate/workflows"
)

// slashUsage is the answer to a malformed /tollgate command.
const slashUsage = "usage: /tollgate status|pause|resume|rollback RELEASE [reason]"

// command serves `/tollgate status|pause|resume|rollback RELEASE [reason]`: the acknowledgement
// answers at once, the result follows through the response_url.
func (s *Slack) command(w http.ResponseWriter, form url.Values) func(context.Context) error {
	fields := strings.Fields(form.Get("text"))
	if len(fields) < 2 {
		writeJSON(w, http.StatusOK, map[string]string{"response_type": "ephemeral", "text": slashUsage})
		return nil
	}
	verb, releaseID := fields[0], fields[1]
	reason := strings.Join(fields[2:], " ")
	update := map[string]string{"pause": workflows.UpdatePause, "resume": workflows.UpdateResume, "rollback": workflows.UpdateRollback}[verb]
	if verb != "status" && update == "" {
		writeJSON(w, http.StatusOK, map[string]string{"response_type": "ephemeral", "text": slashUsage})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"response_type": "ephemeral", "text": "Tollgate: " + verb + " " + releaseID + "…"})
	user, responseURL := form.Get("user_id"), form.Get("response_url")
	return func(ctx context.Context) error {
		if verb == "status" {
			st, err := s.o.Control.Status(ctx, releaseID)
			s.respond(ctx, responseURL, statusText(releaseID, st, err))
			return nil
		}
		_, err := s.apply(ctx, user, responseURL, releaseID, update, reason)
		return err
	}
}

func statusText(releaseID string, st workflows.Status, err error) string {
	if err != nil {
		return "Release " + releaseID + ": " + err.Error()
	}
	text := fmt.Sprintf("Release %s (%s): phase %s", st.ReleaseID, st.Title, st.Phase)
	if st.Outcome != "" {
		text += ", outcome " + string(st.Outcome)
	}
	if st.Paused {
		text += ", paused"
	}
	text += fmt.Sprintf("; approvals %d of %d", len(st.Approval.Approved), st.Approval.Required)
	for _, wv := range st.Waves {
		text += "; wave " + wv.Name + " " + string(wv.State)
	}
	return text
}
