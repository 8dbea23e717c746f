package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate-dev/tollgate/config"
	tgslack "github.com/tollgate-dev/tollgate/integrations/slack"
	"github.com/tollgate-dev/tollgate/web"
	"github.com/tollgate-dev/tollgate/workflows"
)

// heldController holds every control until released, as a slow Temporal would.
type heldController struct {
	entered chan struct{}
	release chan struct{}
}

func (h *heldController) Control(context.Context, string, string, workflows.Request) (workflows.Response, error) {
	h.entered <- struct{}{}
	<-h.release
	return workflows.Response{}, nil
}

func (h *heldController) Status(context.Context, string) (workflows.Status, error) {
	return workflows.Status{}, nil
}

func TestIntegrationsDrainCoversTheSlackAndGitHubEndpoints(t *testing.T) {
	fake := tgslack.NewFake("xoxb-test", "C1")
	t.Cleanup(fake.Close)
	fake.AddUser("UBOB", "bob@example.com")
	cfg := config.Worker{Integrations: config.Integrations{
		SlackBotToken: "xoxb-test", SlackSigningSecret: "signing", SlackChannel: "C1", SlackAPIURL: fake.APIURL(),
		GitHubWebhookSecret: "webhook",
	}}
	sc := tgslack.New(tgslack.Options{Token: "xoxb-test", APIURL: fake.APIURL(), ResponseURLPrefix: fake.ResponseURLPrefix()})
	ctl := &heldController{entered: make(chan struct{}, 1), release: make(chan struct{})}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler, drain, err := withIntegrations(http.NotFoundHandler(), cfg, ctl, nil, sc, quiet)
	require.NoError(t, err)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)

	caller := &tgslack.Caller{Fake: fake, Endpoint: srv.URL, Secret: "signing"}
	resp, err := caller.Send(context.Background(), caller.Click("UBOB", tgslack.ActionApprove, "shop-1"), 0)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	<-ctl.entered

	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err = drain(expired)
	require.Error(t, err, "the acknowledged click is still held")
	assert.Contains(t, err.Error(), "1 slack control(s) acknowledged but not finished")
	close(ctl.release)

	body := `{"action":"completed"}`
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/github/webhook", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Hub-Signature-256", web.SignGitHub([]byte("webhook"), []byte(body)))
	req.Header.Set("X-GitHub-Delivery", "d-1")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the GitHub endpoint was drained too")
	require.NoError(t, drain(context.Background()), "nothing left once the click went through")

	_, none, err := withIntegrations(http.NotFoundHandler(), config.Worker{}, ctl, nil, nil, quiet)
	require.NoError(t, err)
	assert.NoError(t, none(expired), "without integrations there is nothing to drain")
}
