package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/tollgate-dev/tollgate/activities"
	"github.com/tollgate-dev/tollgate/config"
	"github.com/tollgate-dev/tollgate/control"
	"github.com/tollgate-dev/tollgate/governance"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/web"
)

// wireSlack gives the activities a Slack client when Slack is configured; releases started
// afterwards record that at intake and keep their messages current. Support handoffs go to the
// support channel through the Slack notifier, which still hands them to the notifier wired
// before (the event log). Handoffs need no intake record: the notifier runs inside SendHandoff.
// responsePrefix overrides where answers to clickers may go (the demo's fake Slack); empty
// keeps Slack's own hooks.slack.com.
func wireSlack(acts *activities.Activities, cfg config.Integrations, responsePrefix string) *tgslack.Client {
	if !cfg.Slack() {
		return nil
	}
	c := tgslack.New(tgslack.Options{Token: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL, ResponseURLPrefix: responsePrefix})
	acts.Slack = activities.SlackConfig{Messenger: c, Channel: cfg.SlackChannel, DetailsBaseURL: strings.TrimSuffix(cfg.PublicURL, "/")}
	support := cfg.SlackSupportChannel
	if support == "" {
		support = cfg.SlackChannel
	}
	acts.Notifier = &activities.SlackNotifier{Messenger: c, Channel: support, Next: acts.Notifier}
	return c
}

// drainFunc waits, until ctx ends, for the work the Slack and GitHub endpoints acknowledged but
// have not finished; it reports what was abandoned.
type drainFunc func(ctx context.Context) error

// withIntegrations serves the Slack and GitHub endpoints beside the JSON API when configured. The
// drain it returns is called after the HTTP server's Shutdown and before the Temporal client
// closes, so a click answered 200 is applied before the process exits.
func withIntegrations(api http.Handler, cfg config.Worker, ctl web.Controller, releases func(context.Context) ([]web.SourceRelease, error),
	slackClient *tgslack.Client, logger *slog.Logger) (http.Handler, drainFunc, error) {
	ic := cfg.Integrations
	var drains []drainFunc
	drain := func(ctx context.Context) error {
		var errs []error
		for _, d := range drains {
			errs = append(errs, d(ctx))
		}
		return errors.Join(errs...)
	}
	if slackClient == nil && ic.GitHubWebhookSecret == "" {
		return api, drain, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/", api)
	if slackClient != nil {
		var dir *governance.Directory
		if cfg.DirectoryPath != "" {
			data, err := os.ReadFile(cfg.DirectoryPath)
			if err != nil {
				return nil, nil, fmt.Errorf("directory (TOLLGATE_DIRECTORY=%s): %w", cfg.DirectoryPath, err)
			}
			if dir, err = governance.ParseDirectory(data); err != nil {
				return nil, nil, err
			}
		}
		s := web.NewSlack(web.SlackOptions{
			SigningSecret: ic.SlackSigningSecret, Slack: slackClient, Directory: dir, Control: ctl, Logger: logger,
		})
		s.Mount(mux)
		drains = append(drains, s.Shutdown)
	}
	if ic.GitHubWebhookSecret != "" {
		onEvent := web.RecheckOnChecks(web.RecheckOptions{Releases: releases, Control: ctl, Logger: logger})
		g := web.NewGitHub(web.GitHubOptions{Secret: ic.GitHubWebhookSecret, OnEvent: onEvent, Logger: logger})
		g.Mount(mux)
		drains = append(drains, g.Shutdown)
	}
	logger.Info("integrations", "configured", ic.String())
	return mux, drain, nil
}

// ReleasesWithSource lists the running releases whose spec names a source head, for the GitHub
// webhook's rechecks: visibility says which run, the store has their specs. It does not filter
// by phase: visibility's phase lags the workflow, and a check finishing just as a gate blocks
// must still reach it; the recheck's validator decides whether a gate can use it.
func ReleasesWithSource(ctl *control.Client, st store.Store) func(context.Context) ([]web.SourceRelease, error) {
	return func(ctx context.Context) ([]web.SourceRelease, error) {
		running, err := ctl.ListRunning(ctx)
		if err != nil {
			return nil, err
		}
		var out []web.SourceRelease
		for _, s := range running {
			rec, err := st.GetRelease(ctx, s.ReleaseID)
			if errors.Is(err, store.ErrNotFound) {
				continue // intake has not recorded it yet: no gate of its has run
			}
			if err != nil {
				return nil, fmt.Errorf("release %q: %w", s.ReleaseID, err)
			}
			if src := rec.Spec.Source; src != nil && src.Head != "" {
				out = append(out, web.SourceRelease{ID: s.ReleaseID, Head: src.Head})
			}
		}
		return out, nil
	}
}
