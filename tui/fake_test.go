package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeSource is an in-memory EventSource whose events 1..n are made from their
// id, so a million of them cost no memory and every run sees the same ones.
type fakeSource struct {
	mu      sync.Mutex
	n       int64
	subs    []chan Event
	dropped atomic.Uint64
}

func newFakeSource(n int64) *fakeSource { return &fakeSource{n: n} }

var fakeEpoch = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// fakeEvent is event id: a rotation of the shapes the list must show.
func fakeEvent(id int64) Event {
	users := []string{"ana@acme.io", "bo@acme.io", "cy@acme.io", "dee@acme.io"}
	ev := Event{
		ID:         id,
		ReceivedAt: fakeEpoch.Add(time.Duration(id) * time.Second),
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
		ev.Forward = &ForwardResult{URL: "http://127.0.0.1:9000/hook", Status: 200, Took: 12 * time.Millisecond}
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

func fakeMatch(ev Event, f EventFilter) bool {
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

func (s *fakeSource) count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *fakeSource) After(_ context.Context, f EventFilter, afterID int64, limit int) ([]Event, error) {
	n := s.count()
	var out []Event
	for id := afterID + 1; id <= n && len(out) < limit; id++ {
		if ev := fakeEvent(id); fakeMatch(ev, f) {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (s *fakeSource) Before(_ context.Context, f EventFilter, beforeID int64, limit int) ([]Event, error) {
	n := s.count()
	if beforeID == 0 || beforeID > n+1 {
		beforeID = n + 1
	}
	var out []Event
	for id := beforeID - 1; id >= 1 && len(out) < limit; id-- {
		if ev := fakeEvent(id); fakeMatch(ev, f) {
			out = append(out, ev)
		}
	}
	slices.Reverse(out)
	return out, nil
}

func (s *fakeSource) Count(_ context.Context, f EventFilter) (int, error) {
	n := s.count()
	if f == (EventFilter{}) {
		return int(n), nil
	}
	c := 0
	for id := int64(1); id <= n; id++ {
		if fakeMatch(fakeEvent(id), f) {
			c++
		}
	}
	return c, nil
}

func (s *fakeSource) Stats(context.Context) (EventStats, error) {
	n := s.count()
	return EventStats{Total: int(n), Rejected: int((n + 2) / 6)}, nil
}

func (s *fakeSource) Subscribe(ctx context.Context) (<-chan Event, func() uint64) {
	ch := make(chan Event, 8)
	s.mu.Lock()
	s.subs = append(s.subs, ch)
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.subs = slices.DeleteFunc(s.subs, func(c chan Event) bool { return c == ch })
		close(ch)
	}()
	return ch, s.dropped.Load
}

// append stores k new events and publishes them without blocking, counting
// the ones a slow subscriber missed.
func (s *fakeSource) append(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		s.n++
		ev := fakeEvent(s.n)
		for _, ch := range s.subs {
			select {
			case ch <- ev:
			default:
				s.dropped.Add(1)
			}
		}
	}
}

// fakeConns is an in-memory Connections store.
type fakeConns struct {
	mu    sync.Mutex
	conns []Connection
	keys  map[string]string
}

func newFakeConns(cs ...Connection) *fakeConns {
	return &fakeConns{conns: cs, keys: map[string]string{}}
}

func (f *fakeConns) List(context.Context) ([]Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.conns), nil
}

func (f *fakeConns) Add(_ context.Context, name, region, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		if c.Name == name {
			return fmt.Errorf("a connection named %s exists", name)
		}
	}
	f.keys[name] = key
	f.conns = append(f.conns, Connection{Name: name, Region: region, MaskedKey: "••••••••••••" + key[max(len(key)-4, 0):], Default: len(f.conns) == 0})
	return nil
}

func (f *fakeConns) Remove(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = slices.DeleteFunc(f.conns, func(c Connection) bool { return c.Name == name })
	return nil
}

func (f *fakeConns) Use(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.conns {
		f.conns[i].Default = f.conns[i].Name == name
	}
	return nil
}

func (f *fakeConns) Test(_ context.Context, name string) error {
	if strings.HasPrefix(name, "bad") {
		return errors.New("BadApiKey: the key was refused")
	}
	return nil
}

// twoConns is the usual keystore of the tests.
func twoConns() *fakeConns {
	return newFakeConns(
		Connection{Name: "acme-prod", Region: "us", MaskedKey: "••••••••••••3f2a", Default: true},
		Connection{Name: "acme-eu", Region: "eu", MaskedKey: "••••••••••••9b1c"},
	)
}
