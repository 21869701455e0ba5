package webhook

import (
	"context"
	"net"
	"net/http"
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
// place back.
func (l *connLimit) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateClosed || state == http.StateHijacked {
		l.open.Add(-1)
	}
}

// overCap reports whether r came on a connection over the cap.
func overCap(r *http.Request) bool {
	over, _ := r.Context().Value(overCapKey{}).(bool)
	return over
}
