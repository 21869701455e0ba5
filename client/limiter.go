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

// bucket is a token bucket holding at most one token: requests leave evenly
// spaced at the rate, so Iterable's one-second window never sees a burst
// above its limit, whatever the network does to their spacing.
type bucket struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time // when the next request may leave
}

func newBucket(perSecond float64) *bucket {
	return &bucket{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until a request may leave, or ctx ends.
func (b *bucket) wait(ctx context.Context) error {
	b.mu.Lock()
	now := time.Now()
	at := b.next
	if at.Before(now) {
		at = now
	}
	b.next = at.Add(b.interval)
	b.mu.Unlock()
	delay := time.Until(at)
	if delay <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		b.giveBack(at)
		return ctx.Err()
	}
}

// giveBack returns the slot reserved at `at` when the wait was abandoned and
// nobody reserved a later one.
func (b *bucket) giveBack(at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next.Equal(at.Add(b.interval)) {
		b.next = at
	}
}
