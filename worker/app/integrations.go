package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/governance"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/web"
)

// wireSlack gives the activities a Slack client when Slack is configured; releases started
// afterwards record that at intake and keep their messages current. Support handoffs go to the
// support channel through the Slack notifier, which still hands them to the notifier wired
// before (the event log). Handoffs need no intake record: the notifier runs inside SendHandoff.
func wireSlack(acts *activities.Activities, cfg config.Integrations) *tgslack.Client {
	if !cfg.Slack() {
		return nil
	}
	c := tgslack.New(tgslack.Options{Token: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL})
	acts.Slack = activities.SlackConfig{Messenger: c, Channel: cfg.SlackChannel, DetailsBaseURL: strings.TrimSuffix(cfg.PublicURL, "/")}
	support := cfg.SlackSupportChannel
	if support == "" {
		support = cfg.SlackChannel
	}
	acts.Notifier = &activities.SlackNotifier{Messenger: c, Channel: support, Next: acts.Notifier}
	return c
}

// withIntegrations serves the Slack and GitHub endpoints beside the JSON API when configured.
func withIntegrations(api http.Handler, cfg config.Worker, ctl web.Controller, slackClient *tgslack.Client, logger *slog.Logger) (http.Handler, error) {
	ic := cfg.Integrations
	if slackClient == nil && ic.GitHubWebhookSecret == "" {
		return api, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/", api)
	if slackClient != nil {
		var dir *governance.Directory
		if cfg.DirectoryPath != "" {
			data, err := os.ReadFile(cfg.DirectoryPath)
			if err != nil {
				return nil, fmt.Errorf("directory (TOLLGATE_DIRECTORY=%s): %w", cfg.DirectoryPath, err)
			}
			if dir, err = governance.ParseDirectory(data); err != nil {
				return nil, err
			}
		}
		web.NewSlack(web.SlackOptions{
			SigningSecret: ic.SlackSigningSecret, Slack: slackClient, Directory: dir, Control: ctl, Logger: logger,
		}).Mount(mux)
	}
	if ic.GitHubWebhookSecret != "" {
		web.NewGitHub(web.GitHubOptions{Secret: ic.GitHubWebhookSecret, Logger: logger}).Mount(mux)
	}
	logger.Info("integrations", "configured", ic.String())
	return mux, nil
}
