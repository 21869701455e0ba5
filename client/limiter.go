package client

import (
	"context"
	"sync"
	"time"
)

// PublishedLimits are Iterable's per-project rate limits, in requests per
// second, keyed by "METHOD /path". Endpoints not listed have none published.
var PublishedLimits = map[string]float64{
	"POST /api/users/bulkUpdate":        5,
	"GET /api/users/getByEmail":         100,
	"GET /api/users/{email}":            100,
	"GET /api/users/byUserId":           100,
	"GET /api/users/byUserId/{userId}":  100,
	"GET /api/events/{email}":           100,
	"GET /api/events/byUserId/{userId}": 100,
	"GET /api/campaigns":                100,
	"GET /api/channels":                 100,
	"GET /api/lists":                    100,
	"POST /api/events/track":            2000,
	"POST /api/users/update":            500,
}

// windowMargin widens the one-second window the limiter keeps to, for the
// jitter between a request leaving and Iterable seeing it.
const windowMargin = 50 * time.Millisecond

// bucket paces one endpoint: requests leave at least 1/rate apart, and a
// request leaves only when the rate-th request before it left more than a
// second (plus windowMargin) ago. Both are judged on the times requests
// actually left, so a goroutine that wakes late cannot crowd the next
// second: no sliding one-second window ever holds more than the rate.
type bucket struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time   // spacing: when the next request may leave
	sent     []time.Time // when the last len(sent) requests left, a ring
	oldest   int         // the ring's oldest entry
}

func newBucket(perSecond float64) *bucket {
	return &bucket{
		interval: time.Duration(float64(time.Second) / perSecond),
		sent:     make([]time.Time, max(1, int(perSecond))),
	}
}

// wait blocks until a request may leave, or ctx ends.
func (b *bucket) wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		delay := b.take(time.Now())
		if delay <= 0 {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// take records a request leaving at now and returns 0, or returns how long
// to wait before asking again.
func (b *bucket) take(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	at := b.next
	if free := b.sent[b.oldest].Add(time.Second + windowMargin); free.After(at) {
		at = free
	}
	if at.After(now) {
		return at.Sub(now)
	}
	b.sent[b.oldest] = now
	b.oldest = (b.oldest + 1) % len(b.sent)
	b.next = now.Add(b.interval)
	return 0
}
