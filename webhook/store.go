package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

var (
	// ErrBusy means the store could not take an event in time; the sender should retry.
	ErrBusy = errors.New("the event store is busy")
	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("the event store is closed")
	// ErrNotFound is an event or trigger that does not exist.
	ErrNotFound = errors.New("not found")
)

// StoreOptions tune the event log.
type StoreOptions struct {
	// Durable makes every commit reach the disk (synchronous=FULL). Without it
	// (synchronous=NORMAL in WAL mode) a power cut may lose the last commits,
	// but a crash of iwb itself loses nothing.
	Durable bool
	// DuplicateWindow is how long an identical body counts as a duplicate when
	// the event carries no identity of its own. Default 10 minutes.
	DuplicateWindow time.Duration
	// SubscriberBuffer is each live reader's bound (default 1024 events).
	SubscriberBuffer int
	Logger           *slog.Logger
}

// Stats are the event log's running counts, for the status bar.
type Stats struct {
	Events       int64 `json:"events"`       // stored events of every status
	Rejected     int64 `json:"rejected"`     // stored as rejected (bad JSON) or oversize
	Duplicates   int64 `json:"duplicates"`   // stored and marked as a duplicate
	Mismatches   int64 `json:"mismatches"`   // stored with a schema mismatch
	Dropped      int64 `json:"dropped"`      // live copies a slow reader missed (all still stored)
	Busy         int64 `json:"busy"`         // answered 503: not stored in time
	Unauthorized int64 `json:"unauthorized"` // answered 401: counted, not stored
}

// Store is the durable event log and the trigger table, in one SQLite file.
// One writer goroutine commits everything, batching concurrent appends into
// one transaction (group commit).
type Store struct {
	settingsOps

	path   string
	opts   StoreOptions
	log    *slog.Logger
	read   *sql.DB
	write  *sql.DB
	ckpt   *sql.DB
	wconn  *sql.Conn
	stmts  writerStmts
	broker *broker

	queue     chan *writeReq
	quit      chan struct{}
	done      chan struct{}
	ckptDone  chan struct{}
	closeOnce sync.Once

	// Only the writer goroutine touches these.
	triggers    []Trigger
	dataVersion int64

	events, rejected, duplicates, mismatches, busy, unauthorized atomic.Int64
	commits                                                      atomic.Int64 // transactions, for the group-commit benchmark
}

type writerStmts struct {
	insert, insertMatch, findDup, bumpTrigger, bumpCounter, dataVersion *sql.Stmt
}

// writeReq is one unit of work for the writer: an event to append, or an
// operation to run inside the next transaction.
type writeReq struct {
	ctx            context.Context
	ev             *Event
	headers        string // ev.Headers as JSON
	op             func(ctx context.Context, c *sql.Conn) error
	reloadTriggers bool // op changes the triggers
	done           chan error
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS events (
	id           INTEGER PRIMARY KEY,
	received_at  INTEGER NOT NULL,
	status       TEXT NOT NULL,
	kind         TEXT NOT NULL,
	event_name   TEXT NOT NULL DEFAULT '',
	workflow_id  TEXT NOT NULL DEFAULT '',
	email        TEXT NOT NULL DEFAULT '',
	user_id      TEXT NOT NULL DEFAULT '',
	method       TEXT NOT NULL DEFAULT '',
	path         TEXT NOT NULL DEFAULT '',
	query        TEXT NOT NULL DEFAULT '',
	remote_addr  TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	headers      TEXT NOT NULL DEFAULT '{}',
	size         INTEGER NOT NULL DEFAULT 0,
	body         BLOB,
	body_format  TEXT NOT NULL DEFAULT 'raw', -- json: the body is the payload; form: payload holds it; raw: none
	payload      BLOB,
	error        TEXT NOT NULL DEFAULT '',
	triggers     TEXT NOT NULL DEFAULT '',    -- JSON list of matched trigger names
	duplicate_of INTEGER NOT NULL DEFAULT 0,
	dup_key      BLOB,
	problems     TEXT,
	mismatch     INTEGER NOT NULL DEFAULT 0,
	forward      TEXT
);
CREATE INDEX IF NOT EXISTS events_received ON events(received_at);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind);
-- Only the few events not accepted are indexed by status.
CREATE INDEX IF NOT EXISTS events_not_accepted ON events(status) WHERE status != 'accepted';
CREATE INDEX IF NOT EXISTS events_event_name ON events(event_name);
CREATE INDEX IF NOT EXISTS events_workflow ON events(workflow_id);
CREATE INDEX IF NOT EXISTS events_dup ON events(dup_key) WHERE dup_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS event_triggers (
	trigger  TEXT NOT NULL,
	event_id INTEGER NOT NULL,
	PRIMARY KEY (trigger, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS triggers (
	name        TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	event_names TEXT NOT NULL DEFAULT '[]',
	workflow_id TEXT NOT NULL DEFAULT '',
	schema      TEXT,
	created_at  INTEGER NOT NULL,
	matched     INTEGER NOT NULL DEFAULT 0,
	last_match  INTEGER NOT NULL DEFAULT 0,
	schema_at   INTEGER NOT NULL DEFAULT 0 -- when the schema was last set
);
CREATE TABLE IF NOT EXISTS settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
	name TEXT PRIMARY KEY,
	n    INTEGER NOT NULL
);
`

// selectEvents reads whole events; the table is aliased e so filters can join.
const selectEvents = `SELECT e.id, e.received_at, e.status, e.kind, e.event_name, e.workflow_id, e.email,
	e.user_id, e.method, e.path, e.query, e.remote_addr, e.content_type, e.headers, e.size, e.body,
	e.body_format, e.payload, e.error, e.triggers, e.duplicate_of, e.problems, e.mismatch, e.forward`

// Open opens (creating if needed) the event log at path, readable and
// writable by the owner only, and starts its writer.
func Open(path string, opts StoreOptions) (*Store, error) {
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("opening the event log: the path %q may not contain '?'", path)
	}
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = 10 * time.Minute
	}
	if opts.SubscriberBuffer <= 0 {
		opts.SubscriberBuffer = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the event log: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("securing the event log: %w", err)
	}
	sync := "NORMAL"
	if opts.Durable {
		sync = "FULL"
	}
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")"
	s := &Store{
		path:     path,
		opts:     opts,
		log:      opts.Logger,
		broker:   newBroker(opts.SubscriberBuffer),
		queue:    make(chan *writeReq, 4096),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		ckptDone: make(chan struct{}),
	}
	s.settingsOps = settingsOps{s}
	// The writer never checkpoints: the checkpointer does, off the path
	// that requests wait on.
	if s.write, err = sql.Open("sqlite", path+pragmas+"&_pragma=wal_autocheckpoint(0)&_pragma=cache_size(-8000)"); err != nil {
		return nil, fmt.Errorf("opening the event log: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	ctx := context.Background()
	if err := s.setUp(ctx, pragmas); err != nil {
		s.write.Close()
		if s.read != nil {
			s.read.Close()
		}
		if s.ckpt != nil {
			s.ckpt.Close()
		}
		return nil, err
	}
	go s.writer()
	go s.checkpointer()
	return s, nil
}

func (s *Store) setUp(ctx context.Context, pragmas string) error {
	var err error
	if s.wconn, err = s.write.Conn(ctx); err != nil {
		return fmt.Errorf("opening the event log %s: %w", s.path, err)
	}
	if _, err := s.wconn.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("creating the event log's tables: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	prepare := func(dst **sql.Stmt, q string) {
		if err == nil {
			*dst, err = s.wconn.PrepareContext(ctx, q)
		}
	}
	prepare(&s.stmts.insert, `INSERT INTO events (received_at, status, kind, event_name, workflow_id,
		email, user_id, method, path, query, remote_addr, content_type, headers, size, body, body_format,
		payload, error, triggers, duplicate_of, dup_key, problems, mismatch)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	prepare(&s.stmts.dataVersion, `PRAGMA data_version`)
	prepare(&s.stmts.insertMatch, `INSERT OR IGNORE INTO event_triggers (trigger, event_id) VALUES (?, ?)`)
	prepare(&s.stmts.findDup, `SELECT id, duplicate_of, received_at FROM events
		WHERE dup_key = ? ORDER BY id DESC LIMIT 1`)
	prepare(&s.stmts.bumpTrigger, `UPDATE triggers SET matched = matched + ?, last_match = max(last_match, ?) WHERE name = ?`)
	prepare(&s.stmts.bumpCounter, `INSERT INTO counters (name, n) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET n = n + excluded.n`)
	if err != nil {
		return fmt.Errorf("preparing the event log's statements: %w", err)
	}
	if s.read, err = sql.Open("sqlite", s.path+pragmas+"&_pragma=query_only(1)"); err != nil {
		return fmt.Errorf("opening the event log for reading: %w", err)
	}
	s.read.SetMaxOpenConns(4)
	if s.ckpt, err = sql.Open("sqlite", s.path+pragmas); err != nil {
		return fmt.Errorf("opening the event log for checkpoints: %w", err)
	}
	s.ckpt.SetMaxOpenConns(1)
	s.read.SetMaxIdleConns(2)
	rows, err := s.wconn.QueryContext(ctx, `SELECT name, n FROM counters`)
	if err != nil {
		return fmt.Errorf("reading the event log's counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return fmt.Errorf("reading the event log's counts: %w", err)
		}
		if c := s.counter(name); c != nil {
			c.Store(n)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the event log's counts: %w", err)
	}
	rows.Close()
	if s.dataVersion, err = s.readDataVersion(ctx); err != nil {
		return err
	}
	return s.loadTriggers(ctx)
}

// migrate brings a log made by an earlier iwb up to the current tables.
func (s *Store) migrate(ctx context.Context) error {
	var n int
	err := s.wconn.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('triggers') WHERE name = 'schema_at'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("checking the event log's tables: %w", err)
	}
	if n == 0 {
		if _, err := s.wconn.ExecContext(ctx, `ALTER TABLE triggers ADD COLUMN schema_at INTEGER NOT NULL DEFAULT 0`); err != nil {
			return fmt.Errorf("upgrading the trigger table: %w", err)
		}
	}
	return nil
}

// counter maps a persisted counter's name to its in-memory copy.
func (s *Store) counter(name string) *atomic.Int64 {
	switch name {
	case "events":
		return &s.events
	case "rejected":
		return &s.rejected
	case "duplicates":
		return &s.duplicates
	case "mismatches":
		return &s.mismatches
	}
	return nil
}

// Path is the database file (for PostgreSQL, the URL with its password masked).
func (s *Store) Path() string { return s.path }

// Stats returns the running counts. Events, rejected, duplicates and
// mismatches are totals over the whole log; the rest count since Open.
func (s *Store) Stats() Stats {
	return Stats{
		Events:       s.events.Load(),
		Rejected:     s.rejected.Load(),
		Duplicates:   s.duplicates.Load(),
		Mismatches:   s.mismatches.Load(),
		Dropped:      s.broker.dropped.Load(),
		Busy:         s.busy.Load(),
		Unauthorized: s.unauthorized.Load(),
	}
}

// Subscribe attaches a live reader; see Subscription.
func (s *Store) Subscribe() *Subscription { return s.broker.subscribe() }

// Append stores ev and fills in its id, matched triggers, duplicate mark and
// schema problems. It returns only after the transaction holding ev has
// committed, or ErrBusy when ctx ends first (ev is then not stored).
func (s *Store) Append(ctx context.Context, ev *Event) error {
	// Encode in the caller's goroutine: the single writer has enough to do.
	headers, err := json.Marshal(ev.Headers)
	if err != nil {
		return fmt.Errorf("encoding headers: %w", err)
	}
	err = s.submit(ctx, &writeReq{ctx: ctx, ev: ev, headers: string(headers), done: make(chan error, 1)})
	if errors.Is(err, ErrBusy) {
		s.busy.Add(1)
	}
	return err
}

// exec runs op inside the writer's next transaction and waits for its commit.
func (s *Store) exec(ctx context.Context, reloadTriggers bool, op func(ctx context.Context, c *sql.Conn) error) error {
	return s.submit(ctx, &writeReq{ctx: ctx, op: op, reloadTriggers: reloadTriggers, done: make(chan error, 1)})
}

func (s *Store) submit(ctx context.Context, req *writeReq) error {
	select {
	case <-s.quit:
		return ErrClosed
	default:
	}
	select {
	case s.queue <- req:
	case <-ctx.Done():
		return ErrBusy
	case <-s.quit:
		return ErrClosed
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ErrBusy
	}
}

// Close stops the writer after it has committed everything queued, and
// closes the database.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.done
		<-s.ckptDone
		s.broker.close()
		// Readers first: the last connection to close checkpoints the WAL, and a
		// query_only one cannot.
		err = errors.Join(s.read.Close(), s.ckpt.Close(), s.wconn.Close(), s.write.Close())
	})
	return err
}

// checkpointer copies the WAL into the database file every half second, so
// the WAL stays small while the writer never waits for it.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
			if _, err := s.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
				s.log.Warn("checkpointing the event log", "err", err)
			}
		}
	}
}

const maxBatch = 512

// writer is the only goroutine that writes: it takes whatever is queued, up
// to maxBatch, and commits it as one transaction. On Close it commits what is
// still queued, then stops.
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case req := <-s.queue:
			batch = s.drain(append(batch[:0], req))
			// Let the handlers that are about to append do so, so that one
			// commit serves them all instead of one each.
			for range 3 {
				if len(batch) >= maxBatch {
					break
				}
				runtime.Gosched()
				batch = s.drain(batch)
			}
			s.commit(batch)
		case <-s.quit:
			for {
				batch = s.drain(batch[:0])
				if len(batch) == 0 {
					return
				}
				s.commit(batch)
			}
		}
	}
}

// drain adds what is queued right now to batch, up to maxBatch.
func (s *Store) drain(batch []*writeReq) []*writeReq {
	for len(batch) < maxBatch {
		select {
		case req := <-s.queue:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// commit writes one batch in one transaction and answers each request.
func (s *Store) commit(batch []*writeReq) {
	ctx := context.Background()
	live := dropAbandoned(batch)
	if len(live) == 0 {
		return
	}
	s.refreshTriggers(ctx)
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		s.failAll(live, fmt.Errorf("starting a transaction: %w", err))
		return
	}
	// Taking the write lock may have waited on another process: check again.
	live = dropAbandoned(live)
	tally := newBatchTally()
	errs := make([]error, len(live))
	triggersChanged := false
	for i, req := range live {
		if req.op != nil {
			errs[i] = req.op(ctx, s.wconn)
			triggersChanged = triggersChanged || req.reloadTriggers
			continue
		}
		errs[i] = s.insert(ctx, req, tally)
	}
	if err := tally.flush(ctx, s.stmts); err != nil {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		s.failAll(live, err)
		return
	}
	if _, err := s.wconn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		s.failAll(live, fmt.Errorf("committing events: %w", err))
		return
	}
	tally.apply(s)
	s.commits.Add(1)
	if triggersChanged {
		if err := s.loadTriggers(ctx); err != nil {
			s.log.Error("reloading triggers", "err", err)
		}
	}
	for i, req := range live {
		if errs[i] == nil && req.ev != nil {
			s.broker.publish(*req.ev)
		}
		req.done <- errs[i]
	}
}

// dropAbandoned answers ErrBusy to the requests whose sender has given up
// (it answered 503, so the event must not be stored) and returns the rest.
func dropAbandoned(batch []*writeReq) []*writeReq {
	live := batch[:0:0]
	for _, req := range batch {
		if req.ctx.Err() != nil {
			req.done <- ErrBusy
			continue
		}
		live = append(live, req)
	}
	return live
}

func (s *Store) failAll(reqs []*writeReq, err error) {
	s.log.Error("event log write failed", "err", err)
	for _, req := range reqs {
		if req.ev != nil {
			req.ev.ID = 0
		}
		req.done <- err
	}
}

// batchTally gathers a batch's counter and trigger updates, written once per batch.
type batchTally struct {
	counts   map[string]int64
	matched  map[string]int64
	lastSeen map[string]int64
}

func newBatchTally() *batchTally {
	return &batchTally{counts: map[string]int64{}, matched: map[string]int64{}, lastSeen: map[string]int64{}}
}

func (t *batchTally) flush(ctx context.Context, st writerStmts) error {
	for name, n := range t.counts {
		if _, err := st.bumpCounter.ExecContext(ctx, name, n); err != nil {
			return fmt.Errorf("counting events: %w", err)
		}
	}
	for name, n := range t.matched {
		if _, err := st.bumpTrigger.ExecContext(ctx, n, t.lastSeen[name], name); err != nil {
			return fmt.Errorf("counting trigger matches: %w", err)
		}
	}
	return nil
}

func (t *batchTally) apply(s *Store) {
	for name, n := range t.counts {
		if c := s.counter(name); c != nil {
			c.Add(n)
		}
	}
}

// insert stores one event inside the writer's open transaction.
func (s *Store) insert(ctx context.Context, req *writeReq, tally *batchTally) error {
	ev := req.ev
	if ev.Status == StatusAccepted {
		if err := s.markDuplicate(ctx, ev); err != nil {
			return err
		}
		s.match(ev)
	}
	format, payload := "raw", []byte(nil)
	switch {
	case ev.Form:
		format, payload = "form", ev.Payload
	case ev.Payload != nil:
		format = "json"
	}
	var triggers, problems []byte
	var err error
	if len(ev.Triggers) > 0 {
		triggers, _ = json.Marshal(ev.Triggers)
	}
	if len(ev.Problems) > 0 {
		if problems, err = json.Marshal(ev.Problems); err != nil {
			return fmt.Errorf("encoding schema problems: %w", err)
		}
	}
	res, err := s.stmts.insert.ExecContext(ctx, ev.ReceivedAt.UnixNano(), string(ev.Status), string(ev.Kind),
		ev.EventName, ev.WorkflowID, ev.Email, ev.UserID, ev.Method, ev.Path, ev.Query, ev.RemoteAddr,
		ev.ContentType, req.headers, ev.Size, nonNil(ev.Body), format, payload, ev.Error, string(triggers),
		ev.DuplicateOf, ev.dupKey, nullString(problems), ev.Mismatch)
	if err != nil {
		return fmt.Errorf("storing an event: %w", err)
	}
	if ev.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storing an event: %w", err)
	}
	for _, name := range ev.Triggers {
		if _, err := s.stmts.insertMatch.ExecContext(ctx, name, ev.ID); err != nil {
			return fmt.Errorf("recording a trigger match: %w", err)
		}
		tally.matched[name]++
		tally.lastSeen[name] = ev.ReceivedAt.UnixNano()
	}
	tally.counts["events"]++
	if ev.Status != StatusAccepted {
		tally.counts["rejected"]++
	}
	if ev.DuplicateOf != 0 {
		tally.counts["duplicates"]++
	}
	if ev.Mismatch {
		tally.counts["mismatches"]++
	}
	return nil
}

// markDuplicate sets ev's duplicate key and, when the same event was stored
// before, the id of its first copy.
func (s *Store) markDuplicate(ctx context.Context, ev *Event) error {
	if ev.dupKey == nil {
		return nil
	}
	var id, firstID, at int64
	err := s.stmts.findDup.QueryRowContext(ctx, ev.dupKey).Scan(&id, &firstID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking for a duplicate: %w", err)
	}
	if ev.dupKey[0] == 'h' && ev.ReceivedAt.Sub(time.Unix(0, at)) > s.opts.DuplicateWindow {
		return nil
	}
	if firstID == 0 {
		firstID = id
	}
	ev.DuplicateOf = firstID
	return nil
}

func (s *Store) readDataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.stmts.dataVersion.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the event log's version: %w", err)
	}
	return v, nil
}

// refreshTriggers reloads the triggers when another process (say `iwb
// trigger add` while `iwb listen` runs) has changed the database.
func (s *Store) refreshTriggers(ctx context.Context) {
	v, err := s.readDataVersion(ctx)
	if err != nil {
		s.log.Error("checking for trigger changes", "err", err)
		return
	}
	if v == s.dataVersion {
		return
	}
	s.dataVersion = v
	if err := s.loadTriggers(ctx); err != nil {
		s.log.Error("reloading triggers", "err", err)
	}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func nullString(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// decodePayload decodes a JSON payload with numbers kept exact.
func decodePayload(p json.RawMessage) (any, error) {
	if p == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding the payload: %w", err)
	}
	return v, nil
}
