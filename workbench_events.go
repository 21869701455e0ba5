package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/webhook"
)

// storeEvents is the webhook event log as the Events tab reads it: pages by
// id with the filters the store indexes, its running counts, and its live
// copies.
type storeEvents struct {
	store webhook.EventLog
}

// newStoreEvents adapts st; it does not own it (the caller closes it).
func newStoreEvents(st webhook.EventLog) *storeEvents { return &storeEvents{store: st} }

// storeQuery is a page of f, its bodies cut to what a row holds.
func storeQuery(f events.Filter) webhook.Query {
	return webhook.Query{Text: f.Text, EventName: f.EventName, WorkflowID: f.WorkflowID, Trigger: f.Trigger,
		BodyLimit: events.RowBody}
}

// After returns the events above afterID, oldest first.
func (s *storeEvents) After(ctx context.Context, f events.Filter, afterID int64, limit int) ([]events.Event, error) {
	q := storeQuery(f)
	q.AfterID, q.Limit = afterID, limit
	evs, err := s.store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	return eventsFromStore(evs), nil
}

// Before returns the events just below beforeID (0: the newest), oldest first.
func (s *storeEvents) Before(ctx context.Context, f events.Filter, beforeID int64, limit int) ([]events.Event, error) {
	q := storeQuery(f)
	q.Desc, q.BeforeID, q.Limit = true, beforeID, limit
	evs, err := s.store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	slices.Reverse(evs)
	return eventsFromStore(evs), nil
}

// Get reads one event whole.
func (s *storeEvents) Get(ctx context.Context, id int64) (events.Event, error) {
	ev, err := s.store.Get(ctx, id)
	if err != nil {
		return events.Event{}, err
	}
	return eventFromStore(ev), nil
}

// Count counts the events f selects. The whole log's count is the store's
// running total, kept in the same transactions as the events: counting a
// million rows on every live refresh would cost tens of milliseconds.
func (s *storeEvents) Count(ctx context.Context, f events.Filter) (int, error) {
	if f == (events.Filter{}) {
		return int(s.store.Stats().Events), nil
	}
	n, err := s.store.Count(ctx, storeQuery(f))
	return int(n), err
}

// Stats are the log's running totals, rejected including oversize stubs,
// and its size against its limit.
func (s *storeEvents) Stats(ctx context.Context) (events.Stats, error) {
	st := s.store.Stats()
	u, err := s.store.Usage(ctx)
	if err != nil {
		return events.Stats{}, err
	}
	return events.Stats{Total: int(st.Events), Rejected: int(st.Rejected), Bytes: u.FileBytes, MaxBytes: u.Retention.MaxBytes}, nil
}

// Pin pins or unpins a stored event.
func (s *storeEvents) Pin(ctx context.Context, id int64, pinned bool) error {
	return s.store.Pin(ctx, id, pinned)
}

// Subscribe relays the store's live copies until ctx ends. A copy the reader
// misses is counted; the store still has it, and the page re-reads.
func (s *storeEvents) Subscribe(ctx context.Context) (<-chan events.Event, func() uint64) {
	sub := s.store.Subscribe()
	out := make(chan events.Event, 64)
	dropped := new(atomic.Uint64)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-sub.C:
				if !ok {
					return // the store closed
				}
				dropped.Add(uint64(sub.TakeDropped()))
				select {
				case out <- eventFromStore(ev):
				default:
					dropped.Add(1)
				}
			}
		}
	}()
	return out, dropped.Load
}

func eventsFromStore(evs []webhook.Event) []events.Event {
	out := make([]events.Event, len(evs))
	for i, ev := range evs {
		out[i] = eventFromStore(ev)
	}
	return out
}

// eventFromStore is a stored event as the workbench shows it.
func eventFromStore(ev webhook.Event) events.Event {
	e := events.Event{
		ID:           ev.ID,
		ReceivedAt:   ev.ReceivedAt,
		Kind:         string(ev.Kind),
		EventName:    ev.EventName,
		WorkflowID:   ev.WorkflowID,
		Email:        ev.Email,
		UserID:       ev.UserID,
		Triggers:     ev.Triggers,
		Rejected:     ev.Status != webhook.StatusAccepted,
		RejectReason: ev.Error,
		Duplicate:    ev.DuplicateOf != 0,
		Pinned:       ev.Pinned,
		Mismatch:     ev.Mismatch,
		Body:         ev.Body,
		Cut:          ev.Cut,
		Headers:      ev.Headers,
		Query:        ev.Query,
		Path:         ev.Path,
	}
	if e.Headers == nil {
		e.Headers = http.Header{}
	}
	// Problems by trigger, in a stable order: "trigger: path: expected …".
	names := make([]string, 0, len(ev.Problems))
	for name := range ev.Problems {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, p := range ev.Problems[name] {
			e.SchemaProblems = append(e.SchemaProblems, name+": "+p.String())
		}
	}
	if ev.Forward != nil {
		e.Forward = forwardFromStore(*ev.Forward)
	}
	return e
}

func forwardFromStore(f webhook.ForwardResult) *events.ForwardResult {
	return &events.ForwardResult{URL: f.URL, Status: f.Status, Took: f.Latency, Err: f.Error}
}

// replayTo sends a stored event again to target, as `iwb events replay`
// does: its method, headers (less redacted ones) and body bytes. A status
// of 300 or more is an error too, so the status bar says the replay failed.
func replayTo(st webhook.EventLog, target string, httpClient *http.Client) func(ctx context.Context, ev events.Event) (events.ForwardResult, error) {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return func(ctx context.Context, ev events.Event) (events.ForwardResult, error) {
		stored, err := st.Get(ctx, ev.ID)
		if err != nil {
			return events.ForwardResult{}, err
		}
		res := *forwardFromStore(webhook.Replay(ctx, httpClient, stored, target))
		switch {
		case res.Err != "":
			return res, fmt.Errorf("%s: %s", target, res.Err)
		case res.Status >= 300:
			return res, fmt.Errorf("%s answered %d", target, res.Status)
		}
		return res, nil
	}
}
