package main

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// TestWorkbenchWebhookSetupPointsTheSandboxAtTheListenerWithAToken: the
// Triggers tab's webhook setup, on the function `iwb webhook setup` calls,
// points the sandbox's system webhook at the listener with a token the
// listener then requires, and a webhook the sandbox fires gets through.
func TestWorkbenchWebhookSetupPointsTheSandboxAtTheListenerWithAToken(t *testing.T) {
	l := startLiveStore(t, webhook.ServerOptions{})
	url, key := startLoopSandbox(t)
	c, err := client.New(client.Options{BaseURL: url, Key: key, Retry: client.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	st, srv := l.store, l.srv
	if _, err := st.AddTrigger(context.Background(), webhook.Trigger{Name: "texts", Kind: webhook.TriggerObject, EventNames: []string{"smsSend"}}); err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Deps{Store: st, Client: c, Listener: srv, ListenerURL: srv.URL(), Demo: true, NoColor: true,
		SetupWebhook: webhookSetupFor(c, st, srv)})
	hs := tuitest.NewHarness(t, m)
	hs.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	hs.Run(m.Init())
	hs.Press("3", "w")
	hs.MustShow("Set up Iterable's system webhook", "#1", "disabled", "NoAuth")
	hs.Press("a", "enter")
	hs.MustShow("Review: POST /api/webhooks", `"endpoint": "`+srv.URL()+`",`, `"authType": "Basic",`, "never shown",
		"tick them there")
	hs.Press("enter")
	hs.MustShow("✓ webhook 1 sends to "+srv.URL(), "listener auth: token ••••")

	hooks, err := c.Webhooks(context.Background())
	if err != nil || len(hooks) != 1 || !hooks[0].Enabled || hooks[0].Endpoint != srv.URL() || hooks[0].AuthType != "Basic" {
		t.Fatalf("the sandbox's webhook is %+v (%v): want enabled, Basic, to %s", hooks, err, srv.URL())
	}
	token, _ := st.ListenerToken(context.Background())
	if srv.Auth() != webhook.TokenAuth(token) || token == "" {
		t.Fatalf("the listener requires %v; want the saved token", srv.Auth())
	}
	// An action that fires a webhook: Send SMS → smsSend reaches the
	// listener with the token and matches the trigger.
	if _, err := c.SendSMS(context.Background(), client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	tuitest.WaitFor(t, 5*time.Second, "smsSend matched", func() bool {
		evs, err := st.List(context.Background(), webhook.Query{Trigger: "texts"})
		return err == nil && len(evs) == 1 && evs[0].EventName == "smsSend"
	})
	if n := srv.Stats().Unauthorized; n != 0 {
		t.Errorf("%d deliveries were refused for auth", n)
	}
}
