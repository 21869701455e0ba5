// Package tui is the workbench: one Bubble Tea root model over the tabs of
// tui/pages. The root owns the tab bar, the mode, the one form slot, the
// overlays (help, palette, confirm) and the notices; each tab is a
// page.Page it calls and that answers it with messages. It owns no business
// logic: everything a tab shows or does goes through Deps, which the caller
// builds on the real rooms (webhook store, keystore, client).
package tui

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/pages/connections"
	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/webhook"
)

// Deps is everything the workbench needs from the rest of iwb. Nil fields
// turn the matching feature into a plain notice.
type Deps struct {
	Events      events.Source
	Connections connections.Store
	// Store is the event log behind Events, and Listener the embedded
	// listener writing to it (nil when it is not running), for the pages
	// that need more than the list: triggers, schemas.
	Store    webhook.EventLog
	Listener *webhook.Server
	// ListenerErr says why the listener is not running (e.g. its port is
	// taken); the status bar shows it in place of the URL.
	ListenerErr string
	// Connection is the status bar's label of the connection in use, e.g.
	// "acme-prod (us)" or "demo"; empty means the default connection's.
	Connection string
	// ListenerURL is where the embedded listener takes webhooks; empty when
	// it is not running.
	ListenerURL string
	// Replay sends an event again to the forward URL.
	Replay events.Replayer
	// Client calls Iterable (or the demo's sandbox) on the connection in
	// use, labelled Connection; nil turns the Actions tab into a notice, and
	// the Triggers tab's journey picker and webhook setup off.
	Client *client.Client
	// SetupWebhook points one of Iterable's system webhooks at the listener
	// (with a new token the listener then requires, or with none); nil turns
	// the Triggers tab's webhook setup off.
	SetupWebhook func(ctx context.Context, hookID int64, endpoint string, withToken bool) (*client.Webhook, error)
	// History keeps the actions run; nil runs them without keeping them.
	History *history.Store
	// Recipes are the recipes and jobs of the event log behind Store; nil
	// turns the Recipes tab into a notice.
	Recipes *recipe.Store
	// Demo says the workbench runs on the built-in sandbox.
	Demo bool
	// NoMouse turns mouse reporting (wheel scrolling) off.
	NoMouse bool
	// NoColor turns colour off; Run also honours NO_COLOR.
	NoColor bool
	// Log receives the workbench's log lines; it must write to a file.
	Log *slog.Logger
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
}

// ErrStartDemo is returned by Run when the user chose, on the welcome screen,
// to start the demo instead: the caller then runs the demo workbench.
var ErrStartDemo = errors.New("the user asked for the demo")
