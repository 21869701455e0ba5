package webhook

import (
	"fmt"
	"sync"
	"time"
)

// Failures counts one kind of failure, with when the last one happened and why.
type Failures struct {
	Count int64
	Last  time.Time // zero when Count is 0
	Cause string    // the last one's
}

// Refusals are the deliveries the listener refused, by the status it
// answered, and the forwards that failed: what a sender or the user's own
// endpoint saw go wrong, which the event log alone does not show.
type Refusals struct {
	Auth     Failures // 401: missing or wrong credentials (not stored)
	BadBody  Failures // 400: a body that is not JSON or a form, or could not be read
	TooLarge Failures // 413: a body over the limit (a stub is stored)
	Busy     Failures // 503: not stored in time (not stored)
	Forward  Failures // forwards that did not reach --forward-to or were answered with an error
}

// Refused is how many deliveries were refused, of every kind.
func (r Refusals) Refused() int64 {
	return r.Auth.Count + r.BadBody.Count + r.TooLarge.Count + r.Busy.Count
}

// Latest is the most recent refusal of any kind (not a forward) with its
// kind's name ("auth", "bad body", "too large", "busy"); ok is false when
// nothing was refused.
func (r Refusals) Latest() (kind string, f Failures, ok bool) {
	for _, k := range []struct {
		name string
		f    Failures
	}{{"auth", r.Auth}, {"bad body", r.BadBody}, {"too large", r.TooLarge}, {"busy", r.Busy}} {
		if k.f.Count > 0 && (!ok || k.f.Last.After(f.Last)) {
			kind, f, ok = k.name, k.f, true
		}
	}
	return kind, f, ok
}

// refusalLog keeps Refusals for a running listener.
type refusalLog struct {
	mu sync.Mutex
	r  Refusals
}

// note counts one failure of the kind pick chooses.
func (l *refusalLog) note(pick func(*Refusals) *Failures, format string, args ...any) {
	cause := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	f := pick(&l.r)
	f.Count++
	f.Last, f.Cause = time.Now(), cause
}

func (l *refusalLog) snapshot() Refusals {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r
}

// The kinds note counts.
func refusedAuth(r *Refusals) *Failures     { return &r.Auth }
func refusedBadBody(r *Refusals) *Failures  { return &r.BadBody }
func refusedTooLarge(r *Refusals) *Failures { return &r.TooLarge }
func refusedBusy(r *Refusals) *Failures     { return &r.Busy }
func failedForward(r *Refusals) *Failures   { return &r.Forward }
