package webhook

import (
	"context"
	"strings"

	"github.com/iwb-dev/iwb/schema"
)

// EventLog is the store contract: everything the listener, the CLI and the
// workbench use of an event log. Store (an SQLite file, the default) and
// PGStore (a PostgreSQL database a team shares) both keep it.
type EventLog interface {
	// Append stores ev and fills in its id, triggers, duplicate mark and
	// schema problems, returning only after the commit; ErrBusy when ctx ends
	// first.
	Append(ctx context.Context, ev *Event) error
	List(ctx context.Context, q Query) ([]Event, error)
	Count(ctx context.Context, q Query) (int64, error)
	Get(ctx context.Context, id int64) (Event, error)
	Payload(ctx context.Context, id int64) (any, error)
	// Subscribe delivers events as they are committed, by any process
	// writing to the same log.
	Subscribe() *Subscription
	Stats() Stats

	Triggers(ctx context.Context) ([]Trigger, error)
	Trigger(ctx context.Context, name string) (Trigger, error)
	AddTrigger(ctx context.Context, t Trigger) (warnings []string, err error)
	RemoveTrigger(ctx context.Context, name string) error
	UpdateTrigger(ctx context.Context, t Trigger) (warnings []string, err error)
	SetTriggerSchema(ctx context.Context, name string, sc schema.Schema) error
	Mismatches(ctx context.Context, trigger string, window int) ([]Mismatch, error)

	PublicURL(ctx context.Context) (string, error)
	SetPublicURL(ctx context.Context, raw string) (string, error)
	Endpoints(ctx context.Context, listenerURL string) (Endpoints, error)
	ListenerToken(ctx context.Context) (string, error)
	SetListenerToken(ctx context.Context, token string) error
	ListenerAuth(ctx context.Context) (Auth, error)

	// Retention: the limits in StoreOptions apply by themselves; these are
	// for `iwb events prune|pin` and for tables that age with the events.
	AddPruner(name string, p Pruner)
	Prune(ctx context.Context, req PruneRequest) (PruneResult, error)
	Pin(ctx context.Context, id int64, pinned bool) error
	Usage(ctx context.Context) (Usage, error)

	// Path says where the log is, fit to print.
	Path() string
	Close() error

	setForward(ctx context.Context, id int64, f ForwardResult) error
	countUnauthorized()
	countBusy()
}

var (
	_ EventLog = (*Store)(nil)
	_ EventLog = (*PGStore)(nil)
)

// IsPostgresURL reports whether a --store location names a PostgreSQL
// database rather than a file.
func IsPostgresURL(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// OpenLog opens the event log at location: a postgres:// URL, or the path
// of an SQLite file.
func OpenLog(ctx context.Context, location string, opts StoreOptions) (EventLog, error) {
	if IsPostgresURL(location) {
		return OpenPostgres(ctx, location, opts)
	}
	return Open(location, opts)
}

func (s *Store) countUnauthorized() { s.unauthorized.Add(1) }
func (s *Store) countBusy()         { s.busy.Add(1) }
