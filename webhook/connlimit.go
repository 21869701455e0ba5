package webhook

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// DefaultMaxConns is how many connections the listener serves at once.
const DefaultMaxConns = 256

// connLimit counts the listener's open connections. A connection opened
// over the cap is answered 503 with Retry-After as soon as its request line
// and headers arrive, without reading its body, and closed.
type connLimit struct {
	max  int64
	open atomic.Int64

	mu     sync.Mutex
	unread map[net.Conn]struct{} // connections that have not sent a request yet
}

type overCapKey struct{}

// connContext is the http.Server's ConnContext: it marks a connection over
// the cap.
func (l *connLimit) connContext(ctx context.Context, _ net.Conn) context.Context {
	if l.open.Add(1) > l.max {
		return context.WithValue(ctx, overCapKey{}, true)
	}
	return ctx
}

// connState is the http.Server's ConnState: a closed connection gives its
// place back, and the connections without a first request are kept apart
// for closeUnread.
func (l *connLimit) connState(c net.Conn, state http.ConnState) {
	if state == http.StateClosed || state == http.StateHijacked {
		l.open.Add(-1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateNew {
		if l.unread == nil {
			l.unread = map[net.Conn]struct{}{}
		}
		l.unread[c] = struct{}{}
	} else {
		delete(l.unread, c)
	}
}

// closeUnread closes the connections that have not sent a request: they
// carry no event, and net/http's Shutdown would otherwise wait up to five
// seconds for each (a client that dialed ahead and was then cancelled
// leaves one).
func (l *connLimit) closeUnread() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.unread {
		c.Close()
	}
}

// overCap reports whether r came on a connection over the cap.
func overCap(r *http.Request) bool {
	over, _ := r.Context().Value(overCapKey{}).(bool)
	return over
}
