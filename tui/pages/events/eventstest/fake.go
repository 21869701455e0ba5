// Package eventstest is an in-memory event source for the workbench's
// tests: events 1..n made from their id, so a million of them cost no memory
// and every run sees the same ones.
package eventstest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iwb-dev/iwb/tui/pages/events"
)

// Source is an in-memory events.Source.
type Source struct {
	mu      sync.Mutex
	n       int64
	subs    []chan events.Event
	dropped atomic.Uint64
	pinned  map[int64]bool
}

// NewSource holds events 1..n.
func NewSource(n int64) *Source { return &Source{n: n} }

// Epoch is when event 0 would have arrived; event id arrives id seconds later.
var Epoch = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// MakeEvent is event id: a rotation of the shapes the list must show.
func MakeEvent(id int64) events.Event {
	users := []string{"ana@acme.io", "bo@acme.io", "cy@acme.io", "dee@acme.io"}
	ev := events.Event{
		ID:         id,
		ReceivedAt: Epoch.Add(time.Duration(id) * time.Second),
		Email:      users[id%int64(len(users))],
		Path:       "/hooks/iterable",
		Headers:    http.Header{"Content-Type": {"application/json"}, "User-Agent": {"Iterable-Webhooks"}},
	}
	switch id % 6 {
	case 0, 1, 2:
		ev.Kind = "system"
		ev.EventName = []string{"emailSend", "emailOpen", "emailClick"}[id%3]
		ev.Triggers = []string{"opens"}
		ev.Body = fmt.Appendf(nil, `{"email":%q,"eventName":%q,"dataFields":{"campaignId":%d,"templateId":77,"createdAt":"2026-11-27 10:00:00 +00:00","messageId":null,"isTest":false}}`,
			ev.Email, ev.EventName, 49000+id%7)
		ev.Forward = &events.ForwardResult{URL: "http://127.0.0.1:9000/hook", Status: 200, Took: 12 * time.Millisecond}
	case 3:
		ev.Kind = "workflow"
		ev.WorkflowID = "60102"
		ev.Triggers = []string{"wf-nps"}
		ev.Body = fmt.Appendf(nil, `{"email":%q,"workflowId":60102,"workflowName":"NPS follow-up","score":9}`, ev.Email)
	case 4:
		ev.Kind = "unknown"
		ev.Rejected = true
		ev.RejectReason = "invalid JSON"
		ev.Email = ""
		ev.Body = []byte("email=ana%40acme.io&\x1b[31mnot json")
	case 5:
		ev.Kind = "system"
		ev.EventName = "emailOpen"
		ev.Duplicate = true
		ev.SchemaProblems = []string{"dataFields.campaignId: expected integer, got string"}
		ev.Body = fmt.Appendf(nil, `{"email":%q,"eventName":"emailOpen","dataFields":{"campaignId":"x"}}`, ev.Email)
	}
	return ev
}

func match(ev events.Event, f events.Filter) bool {
	switch {
	case f.EventName != "" && ev.EventName != f.EventName:
		return false
	case f.WorkflowID != "" && ev.WorkflowID != f.WorkflowID:
		return false
	case f.Trigger != "" && !slices.Contains(ev.Triggers, f.Trigger):
		return false
	case f.Text != "":
		hay := strings.ToLower(string(ev.Body) + " " + ev.Email + " " + ev.EventName + " " + ev.WorkflowID)
		return strings.Contains(hay, strings.ToLower(f.Text))
	}
	return true
}

func (s *Source) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *Source) After(_ context.Context, f events.Filter, afterID int64, limit int) ([]events.Event, error) {
	n := s.count()
	var out []events.Event
	for id := afterID + 1; id <= n && len(out) < limit; id++ {
		if ev := MakeEvent(id); match(ev, f) {
			out = append(out, ev)
		}
	}
	return s.withPins(out), nil
}

func (s *Source) Before(_ context.Context, f events.Filter, beforeID int64, limit int) ([]events.Event, error) {
	n := s.count()
	if beforeID == 0 || beforeID > n+1 {
		beforeID = n + 1
	}
	var out []events.Event
	for id := beforeID - 1; id >= 1 && len(out) < limit; id-- {
		if ev := MakeEvent(id); match(ev, f) {
			out = append(out, ev)
		}
	}
	slices.Reverse(out)
	return s.withPins(out), nil
}

func (s *Source) Count(_ context.Context, f events.Filter) (int, error) {
	n := s.count()
	if f == (events.Filter{}) {
		return int(n), nil
	}
	c := 0
	for id := int64(1); id <= n; id++ {
		if match(MakeEvent(id), f) {
			c++
		}
	}
	return c, nil
}

func (s *Source) Stats(context.Context) (events.Stats, error) {
	n := s.count()
	return events.Stats{Total: int(n), Rejected: int((n + 2) / 6)}, nil
}

// Pin marks event id pinned; the events read from then on show it.
func (s *Source) Pin(_ context.Context, id int64, pinned bool) error {
	if id < 1 || id > s.count() {
		return fmt.Errorf("event %d: not found", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinned == nil {
		s.pinned = map[int64]bool{}
	}
	s.pinned[id] = pinned
	return nil
}

// Get returns event id; its bodies are never cut.
func (s *Source) Get(_ context.Context, id int64) (events.Event, error) {
	if id < 1 || id > s.count() {
		return events.Event{}, fmt.Errorf("event %d: not found", id)
	}
	return s.withPins([]events.Event{MakeEvent(id)})[0], nil
}

// withPins marks the pinned ones among evs.
func (s *Source) withPins(evs []events.Event) []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range evs {
		evs[i].Pinned = s.pinned[evs[i].ID]
	}
	return evs
}

func (s *Source) Subscribe(ctx context.Context) (<-chan events.Event, func() uint64) {
	ch := make(chan events.Event, 8)
	s.mu.Lock()
	s.subs = append(s.subs, ch)
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.subs = slices.DeleteFunc(s.subs, func(c chan events.Event) bool { return c == ch })
		close(ch)
	}()
	return ch, s.dropped.Load
}

// Append stores k new events and publishes them without blocking, counting
// the ones a slow subscriber missed.
func (s *Source) Append(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		s.n++
		ev := MakeEvent(s.n)
		for _, ch := range s.subs {
			select {
			case ch <- ev:
			default:
				s.dropped.Add(1)
			}
		}
	}
}

// Subscribers is how many subscriptions are live.
func (s *Source) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// Drop counts n events a subscriber missed.
func (s *Source) Drop(n uint64) { s.dropped.Add(n) }
