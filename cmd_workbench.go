package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/keystore"
	"github.com/iwb-dev/iwb/tui"
	"github.com/iwb-dev/iwb/tui/pages/connections"
	"github.com/iwb-dev/iwb/webhook"
)

// addWorkbenchFlags declares the flags of the workbench, with or without the
// demo.
func addWorkbenchFlags(cmd *cobra.Command) {
	cmd.Flags().Bool("no-mouse", false, "leave the mouse to the terminal (no wheel scrolling), e.g. to select text")
	cmd.Flags().String("forward-to", "", "forward every webhook to this URL; r in the Events tab replays there")
}

// addRootWorkbenchFlags declares the flags of `iwb` itself: the workbench's,
// and the address of its embedded listener.
func addRootWorkbenchFlags(root *cobra.Command) {
	addWorkbenchFlags(root)
	root.Flags().String("addr", webhook.DefaultAddr, "where the embedded listener takes webhooks (HOST:PORT)")
	addRetentionFlags(root)
}

// workbenchFlags reads them.
func workbenchFlags(cmd *cobra.Command) (noMouse bool, forwardTo string, err error) {
	noMouse, _ = cmd.Flags().GetBool("no-mouse")
	forwardTo, _ = cmd.Flags().GetString("forward-to")
	if forwardTo != "" {
		if err := webhook.CheckForwardURL(forwardTo); err != nil {
			return false, "", usageErrorf("--forward-to: %v", err)
		}
	}
	return noMouse, forwardTo, nil
}

// runWorkbench opens the TUI on the default connection, with the embedded
// listener writing to the user's event log.
func runWorkbench(cmd *cobra.Command, _ []string) error {
	noMouse, forwardTo, err := workbenchFlags(cmd)
	if err != nil {
		return err
	}
	addr, _ := cmd.Flags().GetString("addr")
	retention, err := retentionFlags(cmd)
	if err != nil {
		return err
	}
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	wb, err := openWorkbench(ctx, cmd, a, addr, forwardTo, retention)
	if err != nil {
		return err
	}
	wb.deps.NoMouse = noMouse
	wb.passphrase.inTUI.Store(true)
	err = tui.Run(ctx, wb.deps)
	if cerr := wb.close(); cerr != nil {
		a.log.Error("closing the workbench", "err", cerr)
	}
	if errors.Is(err, tui.ErrStartDemo) {
		return runDemoWorkbench(ctx, a, demoOptions{interval: defaultDemoInterval, forwardTo: forwardTo}, noMouse)
	}
	return err
}

// workbench is what `iwb` opens before the first frame, and closes after.
type workbench struct {
	deps       tui.Deps
	passphrase *tuiPassphrase
	close      func() error
}

// openWorkbench reads the default connection's key (asking the file
// keyring's passphrase on the terminal now, before the TUI owns it), opens
// the event log and starts the listener. A listener address already in use
// is said in the status bar; the workbench stays usable without it.
func openWorkbench(ctx context.Context, cmd *cobra.Command, a *app, addr, forwardTo string, retention webhook.Retention) (wb *workbench, err error) {
	pp := &tuiPassphrase{ask: askPassphrase(cmd.InOrStdin(), cmd.ErrOrStderr())}
	ks, err := openKeystoreWith(a, pp.get)
	if err != nil {
		return nil, keystoreError(err, exitNoKey)
	}
	userAgent := "iwb/" + version
	wb = &workbench{passphrase: pp, deps: tui.Deps{
		Connections: newKeystoreConnections(ks, userAgent, insecureHTTP(cmd), a.log),
		Log:         a.log,
	}}
	creds, err := credentialsFrom(cmd, func() (*keystore.Store, error) { return ks, nil }, "")
	switch {
	case errors.Is(err, keystore.ErrNoConnection):
		// The welcome screen offers to add one or to start the demo.
	case err != nil:
		return nil, err
	default:
		if wb.deps.Client, err = creds.newClient(a.log); err != nil {
			return nil, usageErrorf("%s: %v", creds.Connection, err)
		}
		wb.deps.Connection = creds.Connection + " (" + creds.Region + ")"
		if creds.Connection == "ITERABLE_API_KEY" {
			api := wb.deps.Client
			wb.deps.Connection = "env (" + creds.Region + ")"
			wb.deps.Connections = &envConnections{Store: wb.deps.Connections,
				env: connections.Connection{Name: "env", Region: creds.Region, BaseURL: creds.BaseURL, MaskedKey: secret.Mask(creds.Key)},
				test: func(ctx context.Context) error {
					_, err := api.Lists(ctx)
					return err
				}}
		}
	}

	st, err := a.openLog(cmd, webhook.StoreOptions{Retention: retention, Logger: a.log})
	if err != nil {
		return nil, err
	}
	// A token set up from the Triggers tab stays required, as by iwb listen.
	auth, err := st.ListenerAuth(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: addr, Auth: auth, ForwardTo: forwardTo, Logger: a.log})
	if err != nil {
		st.Close()
		return nil, withExit(exitUsage, err)
	}
	wb.deps.Events, wb.deps.Store = newStoreEvents(st), st
	if forwardTo != "" {
		wb.deps.Replay = replayTo(st, forwardTo, nil)
	}
	switch err := srv.Start(ctx); {
	case errors.Is(err, syscall.EADDRINUSE):
		a.log.Warn("the listener's address is taken; the workbench runs without it", "addr", addr)
		wb.deps.ListenerErr = addr + " is in use (iwb listen? --addr picks another)"
		srv = nil
	case err != nil:
		st.Close()
		return nil, usageErrorf("--addr %s: %v", addr, err)
	default:
		wb.deps.Listener, wb.deps.ListenerURL = srv, srv.URL()
	}
	wb.deps.SetupWebhook = webhookSetupFor(wb.deps.Client, st, srv)
	// The actions run are kept beside the events, in their own table.
	hist, err := history.Open(a.paths.Database())
	if err != nil {
		if srv != nil {
			_ = srv.Shutdown(context.Background())
		}
		st.Close()
		return nil, err
	}
	wb.deps.History = hist
	st.AddPruner("action history", hist.Prune)
	rs, stopRecipes, err := startRecipes(ctx, st, a.log, processClient(wb.deps.Client), logNotice(a.log), nil)
	if err != nil {
		if srv != nil {
			_ = srv.Shutdown(context.Background())
		}
		hist.Close()
		st.Close()
		return nil, err
	}
	wb.deps.Recipes = rs
	wb.close = func() error {
		var err error
		if srv != nil {
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = srv.Shutdown(shutdown)
		}
		return errors.Join(err, stopRecipes(), hist.Close(), st.Close())
	}
	return wb, nil
}

// tuiPassphrase asks the file keyring's passphrase on the terminal until the
// TUI starts; from then on the terminal is the TUI's, and a passphrase not
// given by then must come from IWB_KEYRING_PASSPHRASE.
type tuiPassphrase struct {
	ask   func(keystore.PassphraseRequest) (string, error)
	inTUI atomic.Bool
}

func (p *tuiPassphrase) get(req keystore.PassphraseRequest) (string, error) {
	if p.inTUI.Load() {
		if v, ok := os.LookupEnv("IWB_KEYRING_PASSPHRASE"); ok {
			return v, nil
		}
		return "", fmt.Errorf("%w: set IWB_KEYRING_PASSPHRASE, or add the connection with 'iwb connection add' in a terminal", keystore.ErrNoPassphrase)
	}
	return p.ask(req)
}

// defaultDemoInterval is the demo's steady pace: lively, yet readable.
const defaultDemoInterval = 800 * time.Millisecond

func newDemoCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the workbench on a built-in sandbox with simulated webhook traffic; no key needed",
		Long: `demo starts a local sandbox of the Iterable API and the webhook listener on free
local ports, points the sandbox's system webhook at the listener, and opens the
workbench with simulated webhook traffic. Nothing touches the keyring or Iterable.

The demo's events are kept in a temporary database that is removed when it
quits: your own event log never sees them.`,
		Args: cobra.NoArgs,
		RunE: runDemo,
	}
	addWorkbenchFlags(cmd)
	cmd.Flags().Duration("interval", defaultDemoInterval, "time between two simulated webhooks; 0 sends none")
	return cmd
}

func runDemo(cmd *cobra.Command, _ []string) error {
	noMouse, forwardTo, err := workbenchFlags(cmd)
	if err != nil {
		return err
	}
	interval, _ := cmd.Flags().GetDuration("interval")
	if interval < 0 {
		return usageErrorf("--interval %v: want a positive duration such as 800ms, or 0 for no traffic", interval)
	}
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return runDemoWorkbench(ctx, a, demoOptions{interval: interval, forwardTo: forwardTo}, noMouse)
}

// runDemoWorkbench runs the workbench on a fresh demo and stops it after.
func runDemoWorkbench(ctx context.Context, a *app, opts demoOptions, noMouse bool) error {
	d, err := startDemo(ctx, a.log, opts)
	if err != nil {
		return err
	}
	deps := d.deps
	deps.NoMouse = noMouse
	err = tui.Run(ctx, deps)
	return errors.Join(err, d.Close())
}
