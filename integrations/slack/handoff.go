package slack

import (
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// ActionAcknowledgeHandoff is the button support clicks to take a release over.
const ActionAcknowledgeHandoff = "tollgate_ack_handoff"

// handoffBlockID names the action block of a handoff message; the acknowledged message drops it.
const handoffBlockID = "handoff"

// maxSection stays under Slack's 3,000-character limit of a section's text.
const maxSection = 2900

// HandoffView is what the support handoff message shows.
type HandoffView struct {
	ReleaseID string `json:"releaseId"`
	Title     string `json:"title"`
	// Contact is the support group the release is handed to.
	Contact    string   `json:"contact"`
	ReviewLink string   `json:"reviewLink,omitempty"`
	Contacts   []string `json:"contacts,omitempty"`
	// KnownIssues are one line each; Runbook is where the full package lives.
	KnownIssues []string `json:"knownIssues,omitempty"`
	Runbook     string   `json:"runbook,omitempty"`
	// Escalation says who is chased and when if nobody acknowledges.
	Escalation string `json:"escalation,omitempty"`
}

// HandoffKey is the message key of a release's support handoff.
func HandoffKey(releaseID string) string { return releaseID + "/handoff" }

// HandoffNoteKey is the message key of a reminder or escalation sent at the workflow time at.
func HandoffNoteKey(releaseID, kind string, at time.Time) string {
	return fmt.Sprintf("%s/%s-%d", releaseID, kind, at.Unix())
}

// HandoffMessage renders the support handoff with its Acknowledge button.
func HandoffMessage(v HandoffView) (Message, error) {
	head := fmt.Sprintf("*Release %s* — %s\nhanded over to *%s*; review report: %s", v.ReleaseID, v.Title, v.Contact, orNone(v.ReviewLink, "not filed"))
	blocks := []slackapi.Block{slackapi.NewSectionBlock(text(head), nil, nil)}
	if len(v.Contacts) > 0 {
		blocks = append(blocks, slackapi.NewSectionBlock(text(clip("*Contacts:*\n• "+strings.Join(v.Contacts, "\n• "))), nil, nil))
	}
	issues := "*Known issues:* none open"
	if len(v.KnownIssues) > 0 {
		issues = "*Known issues:*\n• " + strings.Join(v.KnownIssues, "\n• ")
	}
	blocks = append(blocks, slackapi.NewSectionBlock(text(clip(issues)), nil, nil))
	if v.Runbook != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(text(clip("*Runbook:* "+v.Runbook)), nil, nil))
	}
	if v.Escalation != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(text(clip("*Escalation:* "+v.Escalation)), nil, nil))
	}
	blocks = append(blocks, slackapi.NewActionBlock(handoffBlockID,
		slackapi.NewButtonBlockElement(ActionAcknowledgeHandoff, v.ReleaseID, plain("Acknowledge")).WithStyle(slackapi.StylePrimary)))
	return render(HandoffKey(v.ReleaseID), fmt.Sprintf("Release %s handed over to %s: please acknowledge", v.ReleaseID, v.Contact), blocks)
}

// HandoffAcknowledged renders the handoff message once acknowledged: the original blocks (as an
// interaction carries them) without the button, and who acknowledged when. Without the original
// blocks it renders a one-line summary.
func HandoffAcknowledged(releaseID string, original []slackapi.Block, by string, at time.Time) (Message, error) {
	var blocks []slackapi.Block
	for _, b := range original {
		if a, ok := b.(*slackapi.ActionBlock); ok && a.BlockID == handoffBlockID {
			continue
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		blocks = append(blocks, slackapi.NewSectionBlock(text("*Release "+releaseID+"* handed over to support"), nil, nil))
	}
	line := fmt.Sprintf("acknowledged by %s at %s", by, at.UTC().Format(time.RFC3339))
	blocks = append(blocks, slackapi.NewContextBlock("acknowledged", text("Handoff "+line)))
	return render(HandoffKey(releaseID), fmt.Sprintf("Release %s handoff %s", releaseID, line), blocks)
}

// HandoffNoteMessage renders a reminder or escalation of an unacknowledged handoff.
func HandoffNoteMessage(key, releaseID, note string) (Message, error) {
	blocks := []slackapi.Block{slackapi.NewSectionBlock(text(clip(":hourglass: *Release "+releaseID+"*: "+note)), nil, nil)}
	return render(key, note, blocks)
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func clip(s string) string {
	if len(s) <= maxSection {
		return s
	}
	return strings.ToValidUTF8(s[:maxSection], "") + "…"
}
