package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui"
	"github.com/iwb-dev/iwb/webhook"
)

// demoOptions tune `iwb demo`.
type demoOptions struct {
	interval  time.Duration // between simulated webhooks; 0: no simulated traffic
	forwardTo string        // the listener forwards every event there, and r replays there
}

// demoWarmUp bounds the burst sent at start, so the Events tab shows system
// and journey webhooks at once instead of after the first few intervals.
// The burst stops at the first of each kind (a handful of events, as one
// in six is a journey webhook); the bound only guards the unlucky tail:
// with 24, one start in eighty had no journey webhook, with 100 about one
// in a hundred million.
const demoWarmUp = 100

// demoWarmUpAfter lets the workbench draw its first frame before the burst:
// on a two-core machine the burst's stores otherwise delay it by ~50 ms.
const demoWarmUpAfter = 200 * time.Millisecond

// demo is the sandbox, the listener and the traffic generator wired
// together, with the event log in a temporary folder: the user's own history
// never fills with simulated traffic.
type demo struct {
	deps tui.Deps

	dir     string
	store   *webhook.Store
	history *history.Store
	server  *webhook.Server
	sandbox *sandbox.Sandbox
	api     *http.Server
	stop    context.CancelFunc
	traffic sync.WaitGroup

	stopRecipes func() error
}

// startDemo starts everything on free loopback ports. Close stops it all.
func startDemo(ctx context.Context, log *slog.Logger, opts demoOptions) (_ *demo, err error) {
	d := &demo{}
	defer func() {
		if err != nil {
			_ = d.Close()
		}
	}()
	if d.dir, err = os.MkdirTemp("", "iwb-demo-"); err != nil {
		return nil, fmt.Errorf("making the demo's temporary folder: %w", err)
	}
	if d.store, err = webhook.Open(filepath.Join(d.dir, "events.db"), webhook.StoreOptions{Logger: log}); err != nil {
		return nil, err
	}
	if d.history, err = history.Open(filepath.Join(d.dir, "events.db")); err != nil {
		return nil, err
	}
	d.server, err = webhook.NewServer(d.store, webhook.ServerOptions{Addr: "127.0.0.1:0", ForwardTo: opts.forwardTo, Logger: log})
	if err != nil {
		return nil, withExit(exitUsage, err)
	}
	if err = d.server.Start(ctx); err != nil {
		return nil, err
	}
	listener := d.server.URL()
	d.sandbox = sandbox.New(sandbox.Options{WebhookURL: listener + "iterable/system", Logger: log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	d.api = &http.Server{Handler: d.sandbox.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)} // the terminal is the TUI's
	go func() {
		if err := d.api.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("the demo's sandbox stopped", "err", err)
		}
	}()
	sandboxURL := "http://" + ln.Addr().String()
	userAgent := "iwb/" + version
	api, err := client.New(client.Options{BaseURL: sandboxURL, Key: d.sandbox.Key(), UserAgent: userAgent, Logger: log})
	if err != nil {
		return nil, err
	}

	if err := seedDemoRecipe(ctx, d.store, d.sandbox); err != nil {
		return nil, err
	}
	var rs *recipe.Store
	if rs, d.stopRecipes, err = startRecipes(ctx, d.store, log, processClient(api), logNotice(log), nil); err != nil {
		return nil, err
	}

	trafficCtx, stop := context.WithCancel(context.Background())
	d.stop = stop
	if opts.interval > 0 {
		t := d.sandbox.NewTraffic(sandbox.TrafficOptions{
			URL:        listener + "iterable/system",
			JourneyURL: listener + "iterable/journey",
			Interval:   opts.interval,
			// The simulated senders know the listener's token, as Iterable
			// does once the workbench sets up its webhook with it.
			Authorize: func(h http.Header) { d.server.Auth().SetOn(h) },
		})
		d.traffic.Go(func() {
			warmUp(trafficCtx, t, log)
			t.Run(trafficCtx)
		})
	}
	log.Info("demo started", "listener", listener, "sandbox", sandboxURL, "eventLog", d.dir, "interval", opts.interval)

	d.deps = tui.Deps{
		Events:      newStoreEvents(d.store),
		Connections: newMemoryConnections("demo", sandboxURL, d.sandbox.Key(), userAgent, log),
		Store:       d.store,
		Listener:    d.server,
		Connection:  "demo",
		ListenerURL: listener,
		Client:      api,
		History:     d.history,
		Recipes:     rs,
		Demo:        true,
		Log:         log,
	}
	d.deps.SetupWebhook = webhookSetupFor(api, d.store, d.server)
	if opts.forwardTo != "" {
		d.deps.Replay = replayTo(d.store, opts.forwardTo, nil)
	}
	return d, nil
}

// warmUp posts generated webhooks at once until both a system and a journey
// webhook went out (or demoWarmUp did), so the list is alive from the first
// frame; the steady pace follows.
func warmUp(ctx context.Context, t *sandbox.Traffic, log *slog.Logger) {
	select {
	case <-time.After(demoWarmUpAfter):
	case <-ctx.Done():
		return
	}
	kinds := map[string]bool{}
	for i := 0; i < demoWarmUp && len(kinds) < 2 && ctx.Err() == nil; i++ {
		d := t.Next()
		if err := t.Send(ctx, d); err != nil {
			log.Warn("demo warm-up", "err", err)
			return
		}
		kinds[d.Kind] = true
	}
}

// Close stops the traffic, the sandbox and the listener, closes the event
// log and removes its folder. It is safe on a half-started demo.
func (d *demo) Close() error {
	if d.stop != nil {
		d.stop()
		d.traffic.Wait()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	// The runner calls the sandbox and reads the log: it stops before either,
	// so no step of its is left waiting on a server that is shutting down.
	if d.stopRecipes != nil {
		errs = append(errs, d.stopRecipes())
	}
	if d.sandbox != nil {
		d.sandbox.Close()
	}
	if d.api != nil {
		// The sandbox keeps nothing a request could lose: closed at once,
		// rather than waiting on connections the workbench dialed ahead.
		errs = append(errs, d.api.Close())
	}
	if d.server != nil {
		errs = append(errs, d.server.Shutdown(ctx))
	}
	if d.history != nil {
		errs = append(errs, d.history.Close())
	}
	if d.store != nil {
		errs = append(errs, d.store.Close())
	}
	if d.dir != "" {
		errs = append(errs, os.RemoveAll(d.dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stopping the demo: %w", err)
	}
	return nil
}

// The demo's example: a trigger on every click event, and an armed recipe
// that keeps each clicker's last clicked campaign on their profile, so jobs
// are seen flowing in the first minute.
const (
	demoTrigger = "clicks"
	demoRecipe  = "remember-last-click"
)

var demoClickEvents = []string{"emailClick", "smsClick", "inAppClick", "webPushClick", "embeddedClick", "whatsAppClick"}

// seedDemoRecipe adds the demo's trigger, with a schema inferred from
// generated clicks, and its recipe, armed.
func seedDemoRecipe(ctx context.Context, st *webhook.Store, sb *sandbox.Sandbox) error {
	samples := sb.NewTraffic(sandbox.TrafficOptions{Seed: 1})
	var docs [][]byte
	for i := 0; i < 5000 && len(docs) < 40; i++ {
		if d := samples.Next(); slices.Contains(demoClickEvents, d.EventName) {
			docs = append(docs, d.Body)
		}
	}
	inf, err := schema.Infer(docs...)
	if err != nil {
		return fmt.Errorf("the demo trigger's schema: %w", err)
	}
	if _, err := st.AddTrigger(ctx, webhook.Trigger{Name: demoTrigger, Kind: webhook.TriggerObject,
		EventNames: demoClickEvents, Schema: inf.Schema}); err != nil {
		return err
	}
	rs, err := recipe.Open(st.Path())
	if err != nil {
		return err
	}
	defer rs.Close()
	r := recipe.Recipe{Name: demoRecipe, Trigger: demoTrigger, Steps: []recipe.Step{{Action: "upsert-user",
		Input: json.RawMessage(`{"email": "{{email}}", "dataFields": {"lastClickedCampaign": "{{dataFields.campaignId}}"}}`)}}}
	if err := recipe.Check(r, recipe.Env{Trigger: webhook.Trigger{Name: demoTrigger, Schema: inf.Schema}}).Err(); err != nil {
		return fmt.Errorf("the demo recipe: %w", err)
	}
	if err := rs.Add(ctx, r); err != nil {
		return err
	}
	return rs.Arm(ctx, demoRecipe, 0)
}
