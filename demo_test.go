package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// TestDemoWiresSandboxListenerAndTraffic starts the demo without a terminal:
// generated system and journey webhooks reach its event log at once, an
// action on the sandbox shows its webhook (Send SMS → smsSend), and Close
// removes the temporary log.
func TestDemoWiresSandboxListenerAndTraffic(t *testing.T) {
	d, err := startDemo(context.Background(), slog.New(slog.DiscardHandler), demoOptions{interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	deps := d.deps
	if !deps.Demo || deps.Connection != "demo" || deps.Client == nil || deps.Store == nil || deps.Listener == nil ||
		deps.ListenerURL != deps.Listener.URL() {
		t.Fatalf("the demo's deps are incomplete: %+v", deps)
	}
	ctx := context.Background()
	count := func(q webhook.Query) int64 {
		n, err := deps.Store.Count(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// An hour's interval leaves only the warm-up burst: it alone must bring
	// both kinds.
	tuitest.WaitFor(t, 5*time.Second, "system and workflow events from the warm-up", func() bool {
		return count(webhook.Query{Kind: webhook.KindSystem}) > 0 && count(webhook.Query{Kind: webhook.KindWorkflow}) > 0
	})

	// The traffic may send smsSend on the same campaign to anyone, before or
	// after ours: count ada's, and wait for one more.
	smsToAda := func() int {
		evs, err := deps.Store.List(ctx, webhook.Query{EventName: "smsSend", Text: `"campaignId":73003`})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Email == "ada@example.com" {
				n++
			}
		}
		return n
	}
	before := smsToAda()
	if _, err := deps.Client.SendSMS(ctx, client.TargetSMSRequest{CampaignID: 73003, RecipientEmail: "ada@example.com"}); err != nil {
		t.Fatalf("Send SMS on the demo's client: %v", err)
	}
	tuitest.WaitFor(t, 5*time.Second, "the smsSend webhook of the SMS just sent", func() bool { return smsToAda() > before })

	conns, err := deps.Connections.List(ctx)
	if err != nil || len(conns) != 1 || conns[0].Name != "demo" {
		t.Errorf("the demo's connections = %+v, %v; want demo alone", conns, err)
	}
	if err := deps.Connections.Test(ctx, "demo"); err != nil {
		t.Errorf("testing the demo connection: %v", err)
	}
	if deps.Replay != nil {
		t.Error("a demo without --forward-to offers replay")
	}

	dir := d.dir
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the demo's temporary log %s is still there after Close (%v)", dir, err)
	}
}

// TestDemoForwardsAndReplays gives the demo a forward URL: every event is
// forwarded there, and the workbench's replay sends one again.
func TestDemoForwardsAndReplays(t *testing.T) {
	got := make(chan string, 100)
	target := startRecorder(t, got)
	d, err := startDemo(context.Background(), slog.New(slog.DiscardHandler), demoOptions{interval: time.Hour, forwardTo: target})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no event was forwarded within 5s")
	}
	evs, err := d.deps.Events.Before(context.Background(), events.Filter{}, 0, 1)
	if err != nil || len(evs) != 1 {
		t.Fatalf("reading the newest event: %v, %v", evs, err)
	}
	res, err := d.deps.Replay(context.Background(), evs[0])
	if err != nil || res.Status != 200 {
		t.Errorf("replay = %+v, %v; want 200", res, err)
	}
}

func TestDemoRefusesABadForwardURL(t *testing.T) {
	_, err := startDemo(context.Background(), slog.New(slog.DiscardHandler), demoOptions{forwardTo: "ftp://x"})
	if err == nil || exitCode(err) != exitUsage {
		t.Errorf("a bad forward URL gave %v (exit %d), want a usage error", err, exitCode(err))
	}
}

// startRecorder is a forward target that passes each body it gets to got.
func startRecorder(t *testing.T, got chan<- string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- string(b):
		default:
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook"
}

// TestDemoRecipeRunsOnClicks: the demo ships an armed recipe, so its jobs
// flow from the simulated clicks, and the clicker's profile carries the
// campaign id as a number.
func TestDemoRecipeRunsOnClicks(t *testing.T) {
	d, err := startDemo(context.Background(), slog.New(slog.DiscardHandler), demoOptions{interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rs, err := recipe.Open(d.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	ctx := context.Background()
	var job recipe.Job
	tuitest.WaitFor(t, 30*time.Second, "a succeeded job of the demo recipe", func() bool {
		jobs, err := rs.Jobs(ctx, recipe.JobQuery{Recipe: demoRecipe, Status: recipe.StatusSucceeded, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 1 {
			job = jobs[0]
		}
		return len(jobs) == 1
	})
	ev, err := d.store.Get(ctx, job.EventID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := d.deps.Client.GetUserByEmail(ctx, ev.Email)
	if err != nil {
		t.Fatal(err)
	}
	// A later click of the same person may have set another campaign: the
	// value is a campaign id, kept a number.
	if got, ok := u.DataFields["lastClickedCampaign"].(float64); !ok || got < 1 {
		t.Fatalf("%s: lastClickedCampaign %#v, want the clicked campaign's id as a number", ev.Email, u.DataFields["lastClickedCampaign"])
	}
}

// TestDemoTrafficFollowsTokenAuth turns token auth on in a running demo: the
// simulated senders carry the token and keep flowing, while a sender without
// it is refused and counted as an auth refusal.
func TestDemoTrafficFollowsTokenAuth(t *testing.T) {
	d, err := startDemo(context.Background(), slog.New(slog.DiscardHandler), demoOptions{interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, ctx := d.deps.Listener, context.Background()
	auth, err := webhook.ParseAuth("header:X-Iwb-Token:"+strings.Repeat("k", 32), "")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetAuth(auth)
	after := time.Now()
	tuitest.WaitFor(t, 30*time.Second, "ten events stored with token auth on", func() bool {
		evs, err := d.deps.Store.List(ctx, webhook.Query{Desc: true, Limit: 10})
		return err == nil && len(evs) == 10 && evs[9].ReceivedAt.After(after)
	})
	if r := srv.Refusals(); r.Auth.Count != 0 {
		t.Fatalf("the demo's own traffic was refused: %+v", r.Auth)
	}
	resp, err := http.Post(srv.URL()+"iterable/system", "application/json", strings.NewReader(`{"email":"curl@example.com","eventName":"emailOpen"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := srv.Refusals(); resp.StatusCode != 401 || r.Auth.Count != 1 {
		t.Errorf("a post without the token: %d, auth refusals %+v", resp.StatusCode, r.Auth)
	}
}
