package webhook

import (
	"sync"
	"sync/atomic"
)

// broker fans stored events out to live readers. Publishing never blocks: a
// reader whose buffer is full misses the copy, and its drop count says so.
type broker struct {
	mu      sync.Mutex
	subs    map[*Subscription]struct{}
	buffer  int
	closed  bool
	dropped atomic.Int64
}

// Subscription is one live reader of newly stored events, in id order. The
// copy is lossy, the store is not: when TakeDropped reports a loss, re-read
// the store with Query{AfterID: the last id you saw} and skip ids you have.
type Subscription struct {
	// C delivers each event after its commit. It is closed by Close or when
	// the store closes.
	C       <-chan Event
	c       chan Event
	b       *broker
	dropped atomic.Int64
}

func newBroker(buffer int) *broker {
	return &broker{subs: map[*Subscription]struct{}{}, buffer: buffer}
}

func (b *broker) subscribe() *Subscription {
	c := make(chan Event, b.buffer)
	s := &Subscription{C: c, c: c, b: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

func (b *broker) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.c <- ev:
		default:
			s.dropped.Add(1)
			b.dropped.Add(1)
		}
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		close(s.c)
		delete(b.subs, s)
	}
}

// TakeDropped returns how many events this reader missed since the last call
// (zero when none), and resets the count.
func (s *Subscription) TakeDropped() int64 { return s.dropped.Swap(0) }

// Close detaches the reader and closes C.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if _, ok := s.b.subs[s]; ok {
		delete(s.b.subs, s)
		close(s.c)
	}
}
