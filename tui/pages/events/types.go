package events

import (
	"context"
	"net/http"
	"time"

	"github.com/iwb-dev/iwb/recipe"
)

// Event is one stored webhook as the workbench shows it. The caller adapts the
// store's event to it.
type Event struct {
	ID         int64
	ReceivedAt time.Time
	Kind       string // "system", "workflow" or "unknown"
	EventName  string
	WorkflowID string
	Email      string // the email the payload names
	UserID     string // the userId the payload names
	Triggers   []string
	// Rejected events were kept although the listener refused them (invalid
	// JSON, over the size limit); RejectReason says why.
	Rejected       bool
	RejectReason   string
	Duplicate      bool
	Pinned         bool // kept whatever the retention limits say
	SchemaProblems []string
	// Mismatch says the payload does not fit a matched trigger's schema;
	// problems without it are fields a schema does not know.
	Mismatch bool
	Body     []byte
	// Cut says Body is only the first RowBody bytes of a longer body, as a
	// page of the list holds it; Source.Get reads the event whole.
	Cut     bool
	Headers http.Header
	Query   string
	Path    string
	Forward *ForwardResult // nil when the event was not forwarded
	// Jobs are the jobs recipes started for the event, newest first, as
	// last read.
	Jobs []recipe.Job
}

// Who is the user the event is about: the email, or the userId when the
// payload names no email.
func (e Event) Who() string {
	if e.Email != "" {
		return e.Email
	}
	return e.UserID
}

// ForwardResult is what happened when an event was sent on to the forward URL.
type ForwardResult struct {
	URL    string
	Status int // HTTP status; 0 when the request failed
	Took   time.Duration
	Err    string
}

// Filter narrows the Events list. Empty fields match everything; Text
// matches anywhere in the event (body, email, names).
type Filter struct {
	Text       string
	EventName  string
	WorkflowID string
	Trigger    string
}

// Stats are the counts shown in the status bar, and the log's size
// against its limit (0: none).
type Stats struct {
	Total    int
	Rejected int
	Bytes    int64
	MaxBytes int64
}

// RowBody is the most of a body a row of the list holds: the list keeps
// hundreds of rows, and one large body is read only when its event is
// selected. Real webhooks are mostly far smaller, so they are never cut.
const RowBody = 16 << 10

// Source is the durable event log as the Events tab reads it. Reads are
// by id (keyset), so a page costs the same at the millionth event as at the
// first. Results are always in ascending id order (oldest first).
type Source interface {
	// After returns up to limit events matching f with an id greater than
	// afterID; afterID 0 starts at the oldest.
	After(ctx context.Context, f Filter, afterID int64, limit int) ([]Event, error)
	// Before returns the up to limit events matching f closest below
	// beforeID; beforeID 0 means the newest.
	Before(ctx context.Context, f Filter, beforeID int64, limit int) ([]Event, error)
	// After and Before may cut bodies longer than RowBody (Event.Cut); Get
	// returns one event whole.
	Get(ctx context.Context, id int64) (Event, error)
	// Count returns how many events match f.
	Count(ctx context.Context, f Filter) (int, error)
	// Stats returns the totals of the whole log.
	Stats(ctx context.Context) (Stats, error)
	// Pin keeps the event whatever the retention limits say, or with pinned
	// false lets it age again.
	Pin(ctx context.Context, id int64, pinned bool) error
	// Subscribe delivers events as they are stored until ctx ends. The
	// channel is lossy: when the reader falls behind, events are dropped and
	// dropped() grows; the store still has them.
	Subscribe(ctx context.Context) (events <-chan Event, dropped func() uint64)
}

// Recipes are the recipes and the jobs they started, as the Events tab
// reads them: the mapping an action opened on an event starts from, and the
// jobs of the events in view.
type Recipes interface {
	List(ctx context.Context) ([]recipe.Saved, error)
	JobsForEvents(ctx context.Context, ids []int64) (map[int64][]recipe.Job, error)
}
