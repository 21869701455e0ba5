// Package tui is the workbench: one Bubble Tea root model, its pages and
// components. It owns no business logic: everything it shows or does goes
// through the small interfaces of Deps, which the real rooms (webhook store,
// keystore, client) are adapted to by the caller.
package tui

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/webhook"
)

// Event is one stored webhook as the workbench shows it. The caller adapts the
// store's event to it.
type Event struct {
	ID         int64
	ReceivedAt time.Time
	Kind       string // "system", "workflow" or "unknown"
	EventName  string
	WorkflowID string
	Email      string // email, or the userId when there is no email
	Triggers   []string
	// Rejected events were kept although the listener refused them (invalid
	// JSON, over the size limit); RejectReason says why.
	Rejected       bool
	RejectReason   string
	Duplicate      bool
	SchemaProblems []string
	Body           []byte
	Headers        http.Header
	Query          string
	Path           string
	Forward        *ForwardResult // nil when the event was not forwarded
}

// ForwardResult is what happened when an event was sent on to the forward URL.
type ForwardResult struct {
	URL    string
	Status int // HTTP status; 0 when the request failed
	Took   time.Duration
	Err    string
}

// EventFilter narrows the Events list. Empty fields match everything; Text
// matches anywhere in the event (body, email, names).
type EventFilter struct {
	Text       string
	EventName  string
	WorkflowID string
	Trigger    string
}

// EventStats are the counts shown in the status bar.
type EventStats struct {
	Total    int
	Rejected int
}

// EventSource is the durable event log as the Events tab reads it. Reads are
// by id (keyset), so a page costs the same at the millionth event as at the
// first. Results are always in ascending id order (oldest first).
type EventSource interface {
	// After returns up to limit events matching f with an id greater than
	// afterID; afterID 0 starts at the oldest.
	After(ctx context.Context, f EventFilter, afterID int64, limit int) ([]Event, error)
	// Before returns the up to limit events matching f closest below
	// beforeID; beforeID 0 means the newest.
	Before(ctx context.Context, f EventFilter, beforeID int64, limit int) ([]Event, error)
	// Count returns how many events match f.
	Count(ctx context.Context, f EventFilter) (int, error)
	// Stats returns the totals of the whole log.
	Stats(ctx context.Context) (EventStats, error)
	// Subscribe delivers events as they are stored until ctx ends. The
	// channel is lossy: when the reader falls behind, events are dropped and
	// dropped() grows; the store still has them.
	Subscribe(ctx context.Context) (events <-chan Event, dropped func() uint64)
}

// Connection is one named connection as the Connections tab shows it. The key
// is only ever seen masked.
type Connection struct {
	Name      string
	Region    string // "us" or "eu"
	BaseURL   string // empty for the region's default host
	MaskedKey string // e.g. ••••••••••••3f2a
	Default   bool
}

// Connections is the keystore as the Connections tab uses it.
type Connections interface {
	List(ctx context.Context) ([]Connection, error)
	Add(ctx context.Context, name, region, key string) error
	Remove(ctx context.Context, name string) error
	Use(ctx context.Context, name string) error
	// Test checks the key against the API; nil means it was accepted.
	Test(ctx context.Context, name string) error
}

// Deps is everything the workbench needs from the rest of iwb. Nil fields
// turn the matching feature into a plain notice.
type Deps struct {
	Events      EventSource
	Connections Connections
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
	Replay func(ctx context.Context, ev Event) (ForwardResult, error)
	// Client calls Iterable (or the demo's sandbox) on the connection in
	// use, labelled Connection; nil turns the Actions tab into a notice, and
	// the Triggers tab's journey picker and webhook setup off.
	Client *client.Client
	// History keeps the actions run; nil runs them without keeping them.
	History *history.Store
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
