package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the listener.
const (
	DefaultAddr    = "127.0.0.1:8787"
	DefaultMaxBody = 1 << 20
	// storeTimeout is how long a request may wait for its commit before it is
	// answered 503 so that the sender retries.
	storeTimeout = time.Second
)

// ServerOptions configure the listener.
type ServerOptions struct {
	Addr      string // HOST:PORT; port 0 picks a free one. Default DefaultAddr.
	MaxBody   int64  // largest body stored whole; default DefaultMaxBody
	MaxConns  int    // connections served at once; default DefaultMaxConns
	Auth      Auth
	ForwardTo string // re-send each accepted event here, if set
	Logger    *slog.Logger
}

// Server is the webhook listener: it stores every request in the Store before
// it answers. The TUI embeds it the same way `iwb listen` does.
type Server struct {
	store   EventLog
	opts    ServerOptions
	log     *slog.Logger
	http    *http.Server
	forward *forwarder

	// auth is what requests must carry; SetAuth changes it while serving.
	auth atomic.Pointer[Auth]

	refusals refusalLog

	mu       sync.Mutex
	addr     string
	serveErr chan error
}

// NewServer checks the options and prepares a listener on st.
func NewServer(st EventLog, opts ServerOptions) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.MaxBody == 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxBody < 0 {
		return nil, fmt.Errorf("the body limit must be positive, not %d", opts.MaxBody)
	}
	if err := checkAddr(opts.Addr); err != nil {
		return nil, err
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("the connection limit must be positive, not %d", opts.MaxConns)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ForwardTo != "" {
		if err := CheckForwardURL(opts.ForwardTo); err != nil {
			return nil, fmt.Errorf("--forward-to: %w", err)
		}
	}
	s := &Server{store: st, opts: opts, log: opts.Logger, serveErr: make(chan error, 1)}
	s.auth.Store(&opts.Auth)
	conns := &connLimit{max: int64(opts.MaxConns)}
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
		ConnContext:       conns.connContext,
		ConnState:         conns.connState,
	}
	s.http.RegisterOnShutdown(conns.closeUnread) // runs once the listening socket is closed
	return s, nil
}

// checkAddr checks a listen address's form, HOST:PORT with a port number,
// so that a typo is bad usage rather than a failure to listen.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %s is not HOST:PORT, e.g. 127.0.0.1:8787 (port 0 picks a free one)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--addr %s: the port must be a number from 0 to 65535", addr)
	}
	if strings.ContainsAny(host, " \t/") {
		return fmt.Errorf("--addr %s: %q is not a host name or address", addr, host)
	}
	return nil
}

// intakeClaimer is a log whose appending a listener settles before it
// takes its first event (see Store.ClaimIntake).
type intakeClaimer interface {
	ClaimIntake(ctx context.Context) error
}

// Start settles how the log is appended to, binds the address and serves
// in the background.
func (s *Server) Start(ctx context.Context) error {
	if c, ok := s.store.(intakeClaimer); ok {
		if err := c.ClaimIntake(ctx); err != nil {
			return err
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (is another listener running there? choose another --addr): %w", s.opts.Addr, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	if s.opts.ForwardTo != "" {
		s.forward = newForwarder(s.opts.ForwardTo, s.store, s.log, &s.refusals)
	}
	s.log.Info("listener started", "addr", s.addr, "auth", s.Auth().String(), "forward", s.opts.ForwardTo)
	go func() {
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("serving on %s: %w", s.addr, err)
		}
		close(s.serveErr)
	}()
	return nil
}

// Addr is the bound HOST:PORT (empty before Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the listener's base URL, e.g. http://127.0.0.1:8787/.
func (s *Server) URL() string {
	if a := s.Addr(); a != "" {
		return "http://" + a + "/"
	}
	return ""
}

// Auth is what the listener requires now.
func (s *Server) Auth() Auth { return *s.auth.Load() }

// SetAuth changes what the listener requires, from the next request on (the
// workbench does so when it sets up Iterable's webhook with a token).
func (s *Server) SetAuth(a Auth) {
	s.auth.Store(&a)
	s.log.Info("listener auth changed", "auth", a.String())
}

// Err delivers an error if serving stops on its own; it is closed after Shutdown.
func (s *Server) Err() <-chan error { return s.serveErr }

// Stats are the store's counts, including this listener's refusals.
func (s *Server) Stats() Stats { return s.store.Stats() }

// Refusals are the deliveries this listener refused, by kind, and its
// failed forwards, each with the last one's time and cause.
func (s *Server) Refusals() Refusals { return s.refusals.snapshot() }

// Shutdown stops taking connections and waits, at most until ctx ends, for
// the requests in flight to be stored and answered and for queued forwards.
// It does not close the Store.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if s.forward != nil {
		err = errors.Join(err, s.forward.stop(ctx))
	}
	s.log.Info("listener stopped", "addr", s.Addr())
	return err
}

// Handler serves the listener's answers; Start serves it, tests and
// benchmarks may mount it elsewhere.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	if overCap(r) {
		s.store.countBusy()
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable,
			fmt.Sprintf("the listener is serving its %d connections (--max-conns); retry", s.opts.MaxConns), 0)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed: webhooks are POSTed", 0)
		return
	}
	auth := s.Auth()
	if !auth.allows(r) {
		s.store.countUnauthorized()
		s.refusals.note(refusedAuth, "%s %s without valid %s credentials", r.Method, r.URL.Path, auth.Mode)
		s.log.Warn("refused a request without valid auth", "remote", r.RemoteAddr, "path", r.URL.Path)
		if auth.Mode == "basic" {
			w.Header().Set("WWW-Authenticate", `Basic realm="iwb"`)
		}
		writeError(w, http.StatusUnauthorized, "missing or wrong credentials", 0)
		return
	}
	ev := &Event{
		ReceivedAt:  time.Now(),
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.RawQuery,
		RemoteAddr:  r.RemoteAddr,
		ContentType: r.Header.Get("Content-Type"),
		Headers:     auth.redactHeaders(r.Header),
	}
	var query url.Values // nil when there is none: most requests, and parsing allocates
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	body, err := readBody(w, r, s.opts.MaxBody)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.storeOversize(w, r, ev, query)
		return
	case err != nil:
		s.log.Warn("reading a request body", "remote", r.RemoteAddr, "err", err)
		s.refusals.note(refusedBadBody, "reading the body of %s: %v", r.URL.Path, err)
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error(), 0)
		return
	}
	ev.Body, ev.Size = body, int64(len(body))
	parsed, parseErr := ParseBody(ev.ContentType, body)
	c := Classify(parsed, r.URL.Path, query)
	ev.Kind, ev.EventName, ev.WorkflowID, ev.Email, ev.UserID = c.Kind, c.EventName, c.WorkflowID, c.Email, c.UserID
	if parseErr != nil {
		ev.Status, ev.Error = StatusRejected, parseErr.Error()
		if !s.append(w, r, ev) {
			return
		}
		s.refusals.note(refusedBadBody, "%s: %v", r.URL.Path, parseErr)
		writeError(w, http.StatusBadRequest, parseErr.Error(), ev.ID)
		return
	}
	ev.Status, ev.Payload, ev.Form = StatusAccepted, parsed.Payload, parsed.Form
	ev.dupKey = duplicateKey(c, body)
	if !s.append(w, r, ev) {
		return
	}
	writeAccepted(w, ev.ID)
	if s.forward != nil {
		s.forward.enqueue(r.Context(), forwardJob{id: ev.ID, method: r.Method, header: r.Header, body: body}, auth.headerName())
	}
}

// storeOversize keeps a stub of a body over the limit, so the loss shows.
func (s *Server) storeOversize(w http.ResponseWriter, r *http.Request, ev *Event, query url.Values) {
	c := Classify(Body{}, r.URL.Path, query)
	ev.Kind, ev.WorkflowID = c.Kind, c.WorkflowID
	ev.Status, ev.Size = StatusOversize, r.ContentLength
	ev.Error = fmt.Sprintf("the body is over the %d-byte limit (--max-body)", s.opts.MaxBody)
	if !s.append(w, r, ev) {
		return
	}
	s.refusals.note(refusedTooLarge, "%s: %s", r.URL.Path, ev.Error)
	writeError(w, http.StatusRequestEntityTooLarge, ev.Error, ev.ID)
}

// append stores ev within storeTimeout; on failure it answers 503 and
// returns false.
func (s *Server) append(w http.ResponseWriter, r *http.Request, ev *Event) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
	defer cancel()
	if err := s.store.Append(ctx, ev); err != nil {
		s.log.Error("could not store an event", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
		s.refusals.note(refusedBusy, "%s: %v", r.URL.Path, err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "the event could not be stored in time; retry", 0)
		return false
	}
	// Checked first: the arguments alone cost allocations on every request.
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("stored an event", "id", ev.ID, "status", ev.Status, "kind", ev.Kind,
			"eventName", ev.EventName, "workflowId", ev.WorkflowID, "size", ev.Size, "headers", ev.Headers)
	}
	return true
}

// bodyBuffers are the buffers request bodies are read into. A buffer grows
// as bytes arrive, never by the length a request announces, so a connection
// that announces a megabyte and trickles holds only what it sent. Buffers
// that grew past keptBuffer are left to the garbage collector, so a burst
// of large bodies does not stay in the pool.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const keptBuffer = 64 << 10

// readBody reads the whole body, or fails with *http.MaxBytesError when it
// is over limit. The body returned is a copy of exactly its size, as the
// store and the subscribers keep it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= keptBuffer {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// jsonContentType is the answers' Content-Type, shared: net/http only reads it.
var jsonContentType = []string{"application/json"}

// writeAccepted answers {"ok":true,"id":"<id>"}: the hot path, so built by hand.
func writeAccepted(w http.ResponseWriter, id int64) {
	buf := make([]byte, 0, 40)
	buf = append(buf, `{"ok":true,"id":"`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, "\"}\n"...)
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"ok":false,"error":...}, with the stored event's id when there is one.
func writeError(w http.ResponseWriter, status int, msg string, id int64) {
	v := map[string]any{"ok": false, "error": msg}
	if id != 0 {
		v["id"] = strconv.FormatInt(id, 10)
	}
	writeJSON(w, status, v)
}
