package slack

import (
	"encoding/json"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"
)

// ApprovalView is what an approval message shows. It is rendered anew on every change, so
// chat.update always carries the whole truth.
type ApprovalView struct {
	ReleaseID   string   `json:"releaseId"`
	Title       string   `json:"title"`
	Owner       string   `json:"owner"`
	Initiator   string   `json:"initiator"`
	RiskClass   string   `json:"riskClass,omitempty"`
	RiskExplain string   `json:"riskExplain,omitempty"`
	Gates       []string `json:"gates,omitempty"`
	Approvers   []string `json:"approvers"`
	Required    int      `json:"required"`
	Approved    []string `json:"approved"`
	Missing     []string `json:"missing,omitempty"`
	// Closed is set once the gate closed: "approved", "rejected by bob: …", "expired".
	Closed string `json:"closed,omitempty"`
	// DetailsURL links the Details button to the web API; empty makes Details answer in Slack.
	DetailsURL string `json:"detailsUrl,omitempty"`
}

// WaveView is what a wave message shows.
type WaveView struct {
	ReleaseID    string   `json:"releaseId"`
	Wave         string   `json:"wave"`
	Environments []string `json:"environments"`
	State        string   `json:"state"`
	Reason       string   `json:"reason,omitempty"`
	// Final hides the buttons: the wave is over.
	Final bool `json:"final,omitempty"`
}

func text(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, false)
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

// ApprovalKey is the message key of a release's approval gate.
func ApprovalKey(releaseID string) string { return releaseID + "/approval" }

// WaveKey is the message key of one wave of a release.
func WaveKey(releaseID string, index int) string { return fmt.Sprintf("%s/wave-%d", releaseID, index) }

// ApprovalMessage renders an approval gate.
func ApprovalMessage(v ApprovalView) (Message, error) {
	progress := fmt.Sprintf("%d of %d approved", len(v.Approved), v.Required)
	if len(v.Approved) > 0 {
		progress += " (" + strings.Join(v.Approved, ", ") + ")"
	}
	summary := fmt.Sprintf("*Release %s* — %s\nowner %s, started by %s", v.ReleaseID, v.Title, v.Owner, v.Initiator)
	blocks := []slackapi.Block{slackapi.NewSectionBlock(text(summary), nil, nil)}
	if v.RiskClass != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(text("*Risk:* "+v.RiskClass+"\n"+v.RiskExplain), nil, nil))
	}
	if len(v.Gates) > 0 {
		blocks = append(blocks, slackapi.NewSectionBlock(text("*Gates:*\n• "+strings.Join(v.Gates, "\n• ")), nil, nil))
	}
	who := "*Approvers:* " + strings.Join(v.Approvers, ", ") + "\n*" + progress + "*"
	if len(v.Missing) > 0 {
		who += "\nstill needed: " + strings.Join(v.Missing, ", ")
	}
	blocks = append(blocks, slackapi.NewSectionBlock(text(who), nil, nil))
	if v.Closed != "" {
		blocks = append(blocks, slackapi.NewContextBlock("closed", text("Approval closed: "+v.Closed)))
	} else {
		details := slackapi.NewButtonBlockElement(ActionDetails, v.ReleaseID, plain("Details"))
		if v.DetailsURL != "" {
			details = details.WithURL(v.DetailsURL)
		}
		blocks = append(blocks, slackapi.NewActionBlock("approval",
			slackapi.NewButtonBlockElement(ActionApprove, v.ReleaseID, plain("Approve")).WithStyle(slackapi.StylePrimary),
			slackapi.NewButtonBlockElement(ActionReject, v.ReleaseID, plain("Reject")).WithStyle(slackapi.StyleDanger),
			details))
	}
	fallback := fmt.Sprintf("Release %s needs approval: %s", v.ReleaseID, progress)
	if v.Closed != "" {
		fallback = fmt.Sprintf("Release %s approval closed: %s", v.ReleaseID, v.Closed)
	}
	return render(ApprovalKey(v.ReleaseID), fallback, blocks)
}

// WaveMessage renders a wave. Roll back asks for confirmation before the reason modal opens.
func WaveMessage(index int, v WaveView) (Message, error) {
	line := fmt.Sprintf("*Release %s*, wave *%s* (%s): %s", v.ReleaseID, v.Wave, strings.Join(v.Environments, ", "), v.State)
	if v.Reason != "" {
		line += "\n" + v.Reason
	}
	blocks := []slackapi.Block{slackapi.NewSectionBlock(text(line), nil, nil)}
	if !v.Final {
		confirm := slackapi.NewConfirmationBlockObject(plain("Roll back?"),
			plain("Every service this release touched is rolled back. You will be asked for a reason."),
			plain("Roll back"), plain("Cancel"))
		blocks = append(blocks, slackapi.NewActionBlock("wave",
			slackapi.NewButtonBlockElement(ActionPause, v.ReleaseID, plain("Pause")),
			slackapi.NewButtonBlockElement(ActionResume, v.ReleaseID, plain("Resume")),
			slackapi.NewButtonBlockElement(ActionRollback, v.ReleaseID, plain("Roll back")).WithStyle(slackapi.StyleDanger).WithConfirm(confirm)))
	}
	return render(WaveKey(v.ReleaseID, index), fmt.Sprintf("Release %s wave %s: %s", v.ReleaseID, v.Wave, v.State), blocks)
}

func render(key, fallback string, blocks []slackapi.Block) (Message, error) {
	data, err := json.Marshal(blocks)
	if err != nil {
		return Message{}, fmt.Errorf("message %q: %w", key, err)
	}
	return Message{Key: key, Text: fallback, Blocks: data}, nil
}
