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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/iwb-dev/iwb/internal/filelock"
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
	// Retention bounds the log; the zero value keeps everything.
	Retention Retention
	Logger    *slog.Logger
}

// Stats are the event log's running counts, for the status bar.
type Stats struct {
	Events       int64 `json:"events"`       // events in the log, of every status
	Rejected     int64 `json:"rejected"`     // in the log as rejected (bad JSON) or oversize
	Duplicates   int64 `json:"duplicates"`   // in the log and marked as a duplicate
	Mismatches   int64 `json:"mismatches"`   // in the log with a schema mismatch
	Pruned       int64 `json:"pruned"`       // removed by retention or prune, ever
	Dropped      int64 `json:"dropped"`      // live copies a slow reader missed (all still stored)
	Busy         int64 `json:"busy"`         // answered 503: not stored in time, or over the connection cap
	Unauthorized int64 `json:"unauthorized"` // answered 401: counted, not stored
}

// Store is the durable event log and the trigger table, in one SQLite file.
// The intake goroutine stores appended events in the spool (see spool.go)
// and answers them; the flusher goroutine alone writes to SQLite: it
// inserts them in large transactions, runs the operations, and keeps the
// log within its retention limits and its WAL small in the moments it has
// nothing to insert.
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

	queue      chan *writeReq   // events to append, to the intake
	flushQ     chan []*writeReq // spooled events and operations, to the flusher
	quit       chan struct{}
	intakeDone chan struct{}
	done       chan struct{}
	ckptDone   chan struct{}
	closeOnce  sync.Once

	// ckptMu lets one checkpoint run at a time: the checkpointer's passive
	// ones and the flusher's restarts.
	ckptMu sync.Mutex
	// walRestart asks the flusher to restart the WAL: the commit count when
	// the checkpointer caught up, plus one; 0 when not asked.
	walRestart atomic.Int64
	// The flusher's count of the frames it has added to the WAL (from its
	// connection's status), and that count at its last restart.
	walFrames, restartedAt int64
	// passiveOnly turns the restarts off: the WAL benchmark's baseline.
	passiveOnly bool
	pageSize    int64

	pruners   sync.Mutex
	pruneHook map[string]Pruner

	// Only the intake goroutine touches these.
	mode     appendMode
	modeLock *os.File // the intake lock: exclusive while spooling, else shared
	want     *os.File // polled while spooling: does another process wait?
	spool    *spool
	nextID   int64

	// Only the flusher goroutine touches these.
	triggers    []Trigger
	dataVersion int64
	dups        *dupSet
	requests    map[uint64]int64 // request shape hash -> its row id
	retain      retentionState

	rejected, duplicates, mismatches, pruned, busy, unauthorized atomic.Int64
	commits                                                      atomic.Int64 // transactions, for the group-commit benchmark
	// The newest id: given by the intake or read from the table. Since the
	// newest event is never pruned and ids are given one after the other,
	// the events in the log are lastID less those pruned.
	lastID atomic.Int64
	// The newest ids the intake has answered and the flusher has inserted.
	spooledID, flushedID atomic.Int64
}

type writerStmts struct {
	insert, insertMatch, findRequest, insertRequest, bumpTrigger, bumpCounter, dataVersion *sql.Stmt
}

// writeReq is one unit of work for the flusher: an event to append, or an
// operation to run inside the next transaction.
type writeReq struct {
	ctx            context.Context
	ev             *Event
	req            requestShape
	op             func(ctx context.Context, c *sql.Conn) error
	reloadTriggers bool // op changes the triggers
	outside        bool // op runs after the batch commits, outside any transaction (as a checkpoint must)
	direct         bool // an event not spooled, whose sender waits for the commit (see appendShared)
	done           chan error
}

// The events table packs each row: the fields that are the same for many
// requests (method, path, query, content type and headers) live once in
// requests; the status, body format and marks share one flags integer;
// email and user id are read back from the body (kept only for bodies
// longer than peopleInline, which a list may cut); a NULL costs one byte.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS events (
	id           INTEGER PRIMARY KEY,
	received_at  INTEGER NOT NULL,           -- Unix nanoseconds
	flags        INTEGER NOT NULL,           -- see the flag constants
	event_name   TEXT NOT NULL DEFAULT '',
	workflow_id  TEXT NOT NULL DEFAULT '',
	dup_key      INTEGER,                    -- see duplicateKey; NULL when none
	duplicate_of INTEGER NOT NULL DEFAULT 0,
	request      INTEGER NOT NULL,           -- requests.id
	remote_addr  TEXT NOT NULL DEFAULT '',
	size         INTEGER NOT NULL DEFAULT 0,
	body         BLOB NOT NULL,
	error        TEXT,                       -- why it was rejected
	triggers     TEXT,                       -- matched trigger names, NUL-separated
	problems     TEXT,                       -- schema problems by trigger, JSON
	forward      TEXT,                       -- the forward's result, JSON
	people       TEXT                        -- see peopleColumn
);
-- Events by name, in id order within a name: the event-name filter, and the
-- kind filter for journey and unknown events (their name is empty).
CREATE INDEX IF NOT EXISTS events_by_name ON events(event_name);
-- Events by workflow id: the workflow filter. Most events have none.
CREATE INDEX IF NOT EXISTS events_by_workflow ON events(workflow_id) WHERE workflow_id != '';
-- The few events not accepted: the status filter.
CREATE INDEX IF NOT EXISTS events_refused ON events(flags) WHERE flags & 3 != 0;
CREATE TABLE IF NOT EXISTS requests (
	id    INTEGER PRIMARY KEY,
	hash  INTEGER NOT NULL UNIQUE,
	shape BLOB NOT NULL                      -- see requestShape
);
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

// Bits of events.flags.
const (
	flagStatusMask = 3      // 0 accepted, 1 rejected, 2 oversize
	flagFormatMask = 3 << 2 // the body: 0 raw, 1<<2 JSON, 2<<2 a form
	flagFormatJSON = 1 << 2
	flagFormatForm = 2 << 2
	flagMismatch   = 1 << 4
	flagPinned     = 1 << 5
	flagLength     = 1 << 6 // a Content-Length header equal to size, left out of the shape
)

var statusCodes = []Status{StatusAccepted, StatusRejected, StatusOversize}

// selectEvents reads whole events; the table is aliased e so filters can join.
const selectEvents = `SELECT e.id, e.received_at, e.flags, e.event_name, e.workflow_id, e.duplicate_of,
	e.remote_addr, e.size, e.body, e.error, e.triggers, e.problems, e.forward, e.people,
	(SELECT shape FROM requests WHERE id = e.request)`

// peopleInline is the longest body whose email and user id are read back
// from it; a longer one keeps them in the people column, so that a list
// reading its first Query.BodyLimit bytes (at least this many) still shows
// them wherever the body names them.
const peopleInline = 4 << 10

// peopleColumn is the people column of an event: its email and user id,
// NUL-separated, when its body is longer than peopleInline; else NULL.
func peopleColumn(size int64, email, userID string) any {
	if size <= peopleInline || email == "" && userID == "" {
		return nil
	}
	return email + "\x00" + userID
}

// WAL bounds: the checkpointer copies the WAL into the database every
// ckptEvery; once the WAL holds walRestartBytes it copies until a pass
// takes at most quickPass (maxCatchUpPasses at most per tick), and the
// flusher restarts the WAL if it has committed at most restartWithin
// transactions since. After a restart the WAL's file is written over from
// its start, so commits neither grow it nor give fdatasync its size to
// write; only a file past journalLimit is cut back (cutting one costs
// ingest milliseconds: the file system frees its blocks), and Close
// removes it.
const (
	ckptEvery        = 250 * time.Millisecond
	walRestartBytes  = 16 << 20
	journalLimit     = 64 << 20
	quickPass        = 2 * time.Millisecond
	maxCatchUpPasses = 20
	restartWithin    = 4
	// walHardBytes is where the flusher stops taking events and restarts the
	// WAL itself, waiting for it: writes faster than checkpoints can copy
	// (hundreds of MB/s of appends) would otherwise outgrow any bound.
	walHardBytes = 48 << 20
)

// pageSize packs rows of a kilobyte or two with little left over on each
// page (4 KiB pages hold three 1 KiB rows and waste a quarter).
const pageSize = 8192

// Open opens (creating if needed) the event log at path, readable and
// writable by the owner only, and starts its intake and flusher. A log written by an
// earlier iwb is converted to the current layout first.
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
	syncDataOnly.Do(func() {
		// Checkpoints (and Durable commits) need the data on disk, not the
		// file's timestamps, which fsync also forces through the journal:
		// SQLite's own Linux builds sync with fdatasync for that reason.
		if _, err := sqlite.Fdatasync(true); err != nil && !errors.Is(err, sqlite.ErrFdatasyncUnavailable) {
			opts.Logger.Warn("syncing the event log with fdatasync", "err", err)
		}
	})
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
	// The driver runs the _pragma list in name order and _journal_mode after
	// it: page_size only takes on a file still without tables, before WAL
	// mode is set. auto_vacuum, which would have to come before page_size,
	// is set by repack.
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_size_limit(" + strconv.Itoa(journalLimit) +
		")&_pragma=page_size(" + strconv.Itoa(pageSize) + ")&_pragma=synchronous(" + sync + ")&_journal_mode=WAL"
	s := &Store{
		path:       path,
		opts:       opts,
		log:        opts.Logger,
		broker:     newBroker(opts.SubscriberBuffer),
		queue:      make(chan *writeReq, 4096),
		flushQ:     make(chan []*writeReq, 1024),
		quit:       make(chan struct{}),
		intakeDone: make(chan struct{}),
		done:       make(chan struct{}),
		ckptDone:   make(chan struct{}),
		dups:       newDupSet(dupSetCap),
		requests:   map[uint64]int64{},
		pruneHook:  map[string]Pruner{},
	}
	s.settingsOps = settingsOps{s}
	s.pruneHook["request shapes"] = s.shapesPruner()
	// The flusher never checkpoints on its own: the checkpointer does, off
	// the path that requests wait on, and the flusher only restarts the WAL
	// between transactions once the checkpointer has copied nearly all of it.
	if s.write, err = sql.Open("sqlite", path+pragmas+"&_pragma=wal_autocheckpoint(0)&_pragma=cache_size(-8000)"); err != nil {
		return nil, fmt.Errorf("opening the event log: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	ctx := context.Background()
	if err := s.setUp(ctx, pragmas); err != nil {
		s.closeConns()
		return nil, err
	}
	if err := s.insertLeftovers(ctx); err != nil {
		s.closeConns()
		return nil, err
	}
	go s.intake()
	go s.flusher()
	go s.checkpointer()
	return s, nil
}

// closeConns closes what Open had opened when it fails.
func (s *Store) closeConns() {
	s.write.Close()
	if s.read != nil {
		s.read.Close()
	}
	if s.ckpt != nil {
		s.ckpt.Close()
	}
}

// insertLeftovers inserts what a listener that died left in the spool,
// unless another process appends to the log now (it has, or its flusher
// will).
func (s *Store) insertLeftovers(ctx context.Context) error {
	lock, err := openLockFile(intakeLockPath(s.path))
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := filelock.TryLock(lock); errors.Is(err, filelock.ErrLocked) {
		return nil
	} else if err != nil {
		return fmt.Errorf("locking the event log's intake: %w", err)
	}
	_, err = s.insertSpooled(ctx, true)
	return err
}

func (s *Store) setUp(ctx context.Context, pragmas string) error {
	var err error
	if s.wconn, err = s.write.Conn(ctx); err != nil {
		return fmt.Errorf("opening the event log %s: %w", s.path, err)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	prepare := func(dst **sql.Stmt, q string) {
		if err == nil {
			*dst, err = s.wconn.PrepareContext(ctx, q)
		}
	}
	prepare(&s.stmts.insert, `INSERT INTO events (id, received_at, flags, event_name, workflow_id, dup_key,
		duplicate_of, request, remote_addr, size, body, error, triggers, problems, people)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	prepare(&s.stmts.dataVersion, `PRAGMA data_version`)
	prepare(&s.stmts.insertMatch, `INSERT OR IGNORE INTO event_triggers (trigger, event_id) VALUES (?, ?)`)
	prepare(&s.stmts.findRequest, `SELECT id FROM requests WHERE hash = ?`)
	prepare(&s.stmts.insertRequest, `INSERT INTO requests (hash, shape) VALUES (?, ?)`)
	prepare(&s.stmts.bumpTrigger, `UPDATE triggers SET matched = matched + ?, last_match = max(last_match, ?) WHERE name = ?`)
	prepare(&s.stmts.bumpCounter, `INSERT INTO counters (name, n) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET n = n + excluded.n`)
	if err != nil {
		return fmt.Errorf("preparing the event log's statements: %w", err)
	}
	if err := s.convertV1(ctx); err != nil {
		return err
	}
	s.repack(ctx)
	if err := s.wconn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&s.pageSize); err != nil {
		return fmt.Errorf("reading the event log's page size: %w", err)
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
	if err := s.loadCounters(ctx); err != nil {
		return err
	}
	if err := s.dups.load(ctx, s.wconn); err != nil {
		return err
	}
	if s.dataVersion, err = s.readDataVersion(ctx); err != nil {
		return err
	}
	return s.loadTriggers(ctx)
}

func (s *Store) loadCounters(ctx context.Context) error {
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
	var last sql.NullInt64
	if err := s.wconn.QueryRowContext(ctx, `SELECT max(id) FROM events`).Scan(&last); err != nil {
		return fmt.Errorf("reading the event log's last id: %w", err)
	}
	// Raised only: the intake may have answered events the table does not
	// hold yet.
	storeMax(&s.lastID, last.Int64)
	return nil
}

// counter maps a persisted counter's name to its in-memory copy.
func (s *Store) counter(name string) *atomic.Int64 {
	switch name {
	case "rejected":
		return &s.rejected
	case "duplicates":
		return &s.duplicates
	case "mismatches":
		return &s.mismatches
	case "pruned":
		return &s.pruned
	}
	return nil
}

// Path is the database file (for PostgreSQL, the URL with its password masked).
func (s *Store) Path() string { return s.path }

// Stats returns the running counts. Events, rejected, duplicates,
// mismatches and pruned are over the whole log; the rest count since Open.
// The flusher decides the marks as it inserts: Stats waits for it a
// moment (statsWait at most), so that they count every event answered.
func (s *Store) Stats() Stats {
	ctx, cancel := context.WithTimeout(context.Background(), statsWait)
	_ = s.settled(ctx)
	cancel()
	return Stats{
		Events:       s.eventCount(),
		Rejected:     s.rejected.Load(),
		Duplicates:   s.duplicates.Load(),
		Mismatches:   s.mismatches.Load(),
		Pruned:       s.pruned.Load(),
		Dropped:      s.broker.dropped.Load(),
		Busy:         s.busy.Load(),
		Unauthorized: s.unauthorized.Load(),
	}
}

// statsWait bounds how long Stats waits for the flusher.
const statsWait = 100 * time.Millisecond

// eventCount is the number of events in the log: ids are given one after
// the other from 1, and the newest is never pruned (see lastID).
func (s *Store) eventCount() int64 { return max(0, s.lastID.Load()-s.pruned.Load()) }

// Subscribe attaches a live reader; see Subscription.
func (s *Store) Subscribe() *Subscription { return s.broker.subscribe() }

// Append stores ev and fills in its id. It returns only after ev is in the
// spool, from which no crash can lose it, or ErrBusy when ctx ends first
// (ev is then not stored). The flusher decides its triggers, duplicate
// mark and schema problems as it inserts it, flushAge later at most; a
// read by this process (Get, List) sees it whole.
func (s *Store) Append(ctx context.Context, ev *Event) error {
	// Encode in the caller's goroutine: the intake has enough to do.
	err := s.submit(ctx, &writeReq{ctx: ctx, ev: ev, req: newRequestShape(ev), done: make(chan error, 1)})
	if errors.Is(err, ErrBusy) {
		s.busy.Add(1)
	}
	return err
}

// ClaimIntake settles how this process appends to the log (see
// claimIntake) now, rather than at its first event.
func (s *Store) ClaimIntake(ctx context.Context) error {
	return s.submit(ctx, &writeReq{ctx: ctx, done: make(chan error, 1)})
}

// exec runs op inside the flusher's next transaction, after every event
// answered before, and waits for its commit.
func (s *Store) exec(ctx context.Context, reloadTriggers bool, op func(ctx context.Context, c *sql.Conn) error) error {
	req := &writeReq{ctx: ctx, op: op, reloadTriggers: reloadTriggers, done: make(chan error, 1)}
	return submitTo(ctx, s.flushQ, s.quit, []*writeReq{req}, req.done)
}

// execOutside runs op on the flusher's connection right after its next
// transaction, outside any, and waits for it.
func (s *Store) execOutside(ctx context.Context, op func(ctx context.Context, c *sql.Conn) error) error {
	req := &writeReq{ctx: ctx, op: op, outside: true, done: make(chan error, 1)}
	return submitTo(ctx, s.flushQ, s.quit, []*writeReq{req}, req.done)
}

func (s *Store) submit(ctx context.Context, req *writeReq) error {
	return submitTo(ctx, s.queue, s.quit, req, req.done)
}

// submitTo hands req to a store's single writer through queue and waits
// for its answer on done: ErrBusy when ctx ends first, ErrClosed when the
// store is closing (quit) before the flusher takes it.
func submitTo[R any](ctx context.Context, queue chan<- R, quit <-chan struct{}, req R, done <-chan error) error {
	select {
	case <-quit:
		return ErrClosed
	default:
	}
	select {
	case queue <- req:
	case <-ctx.Done():
		return ErrBusy
	case <-quit:
		return ErrClosed
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ErrBusy
	}
}

// Close stops the intake and the flusher after they have stored everything
// queued, copies the WAL into the database and closes it, and removes the
// spool: with no other process on the file, no -wal or spool file is left
// behind (the intake's lock file stays, as the runner's does).
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.done
		<-s.ckptDone
		s.broker.close()
		// Readers first, so the checkpoint waits on nobody; statements
		// before their connection, or it cannot close and keeps the WAL.
		err = errors.Join(s.read.Close(), s.ckpt.Close())
		for _, st := range []*sql.Stmt{s.stmts.insert, s.stmts.insertMatch, s.stmts.findRequest, s.stmts.insertRequest,
			s.stmts.bumpTrigger, s.stmts.bumpCounter, s.stmts.dataVersion} {
			err = errors.Join(err, st.Close())
		}
		if _, cerr := s.wconn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); cerr != nil {
			err = errors.Join(err, fmt.Errorf("checkpointing the event log: %w", cerr))
		}
		err = errors.Join(err, s.wconn.Close(), s.write.Close())
		if s.spool != nil {
			// Removed under the lock: whoever takes it next finds the files
			// gone or whole.
			if s.flushedID.Load() >= s.spooledID.Load() {
				err = errors.Join(err, removeSpool(s.path))
			}
			s.spool.close()
		}
		if s.modeLock != nil {
			s.modeLock.Close()
			s.want.Close()
		}
	})
	return err
}

// checkpointer copies the WAL into the database file every ckptEvery, so
// the flusher never waits for it, and has the flusher restart the WAL once it
// is long: under steady load a passive checkpoint never reaches the end of
// the WAL, so only a restart lets it start over. It also runs the
// registered pruners.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	tick := time.NewTicker(ckptEvery)
	defer tick.Stop()
	lastPrune := time.Now()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
			s.catchUp()
			if time.Since(lastPrune) >= prunersEvery {
				lastPrune = time.Now()
				s.runPruners()
			}
		}
	}
}

// catchUp copies the WAL into the database and, once the WAL is long and
// a quick pass has caught up with it, asks the flusher to restart it: the
// restart then copies only what the flusher committed since, a few commits'
// pages, so the flusher waits a millisecond or two instead of the time it
// takes to copy the whole WAL. Past half as long again, any pass that caught up
// will do (on a machine so busy that no pass is quick); past twice as
// long, the passes are not catching up (syncs too slow for the rate of
// writes) and the flusher restarts it anyway, copying what the last pass
// left: one pass's worth of waiting, so the WAL stays bounded.
func (s *Store) catchUp() {
	if s.walRestart.Load() != 0 {
		// Asked already: a pass now would hold the lock the flusher's restart
		// needs (it does not wait for it), and the ask would go to waste.
		return
	}
	frames, copied, quick, err := s.copyWAL(walRestartBytes)
	if err != nil {
		s.log.Warn("checkpointing the event log", "err", err)
		return
	}
	size := frames * (s.pageSize + 24)
	caughtUp := copied == frames && (quick && size >= walRestartBytes || size >= walRestartBytes*3/2)
	if !s.passiveOnly && (caughtUp || size >= walRestartBytes*2) {
		s.walRestart.Store(s.commits.Load() + 1)
	}
}

// copyWAL copies the WAL into the database without holding the flusher
// back. When the WAL holds at least long bytes it copies again at once,
// until a pass had so little to copy that it took at most quickPass
// (quick), maxCatchUpPasses at most. It returns the WAL's length and how
// much of it is copied, in frames.
func (s *Store) copyWAL(long int64) (frames, copied int64, quick bool, err error) {
	for range maxCatchUpPasses {
		start := time.Now()
		if frames, copied, err = s.passiveCheckpoint(); err != nil {
			return 0, 0, false, err
		}
		if copied == frames && time.Since(start) <= quickPass {
			return frames, copied, true, nil
		}
		// Short enough to leave for the next tick; or so long that a restart
		// should copy what is left now, however long that takes.
		if size := frames * (s.pageSize + 24); size < long || long > 0 && copied == frames && size >= long*3/2 {
			break
		}
		select {
		case <-s.quit:
			return frames, copied, false, nil
		default:
		}
	}
	return frames, copied, false, nil
}

// passiveCheckpoint copies what it can of the WAL without holding the
// flusher back, and returns the WAL's length and how much of it is copied,
// in frames.
func (s *Store) passiveCheckpoint() (frames, copied int64, err error) {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	var busy int64
	err = s.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// restartWAL checkpoints what is left of the WAL and starts it over, when
// the checkpointer asked a few commits ago at most (later, too much is left
// to copy: the checkpointer asks again), or at once, waiting for the
// checkpointer, once the flusher has added walHardBytes since its last
// restart. The flusher calls it between transactions.
func (s *Store) restartWAL(ctx context.Context) {
	s.countWALFrames()
	hard := !s.passiveOnly && (s.walFrames-s.restartedAt)*(s.pageSize+24) >= walHardBytes
	asked := s.walRestart.Swap(0)
	if !hard && (asked == 0 || s.commits.Load()-(asked-1) > restartWithin) {
		return
	}
	restarted, err := s.writerCheckpoint(ctx, s.wconn, "RESTART", hard)
	if err != nil {
		s.log.Warn("restarting the event log's WAL", "err", err)
	}
	if restarted {
		s.restartedAt = s.walFrames
	}
}

// countWALFrames adds the frames the flusher's connection has written to
// the WAL since it last looked to walFrames. (SQLite also restarts the WAL
// on its own when a checkpoint has copied all of it; the count does not
// see that, and then only asks for a restart with little to copy.)
func (s *Store) countWALFrames() {
	err := s.wconn.Raw(func(dc any) error {
		st, ok := dc.(sqlite.DBStatus)
		if !ok {
			return fmt.Errorf("the driver connection %T has no status", dc)
		}
		n, _, err := st.Status(sqlite.DBStatusCacheWrite, true)
		s.walFrames += int64(n)
		return err
	})
	if err != nil {
		s.log.Warn("counting the event log's WAL frames", "err", err)
	}
}

// writerCheckpoint runs a RESTART or TRUNCATE checkpoint on the flusher's
// connection c, between its transactions, so that the flusher never waits
// for another connection's lock: readers get two milliseconds to finish,
// else the WAL is left as it is. It does nothing while the checkpointer is
// copying, unless wait; with wait it tries again for up to hardWait while
// another process's checkpoint or readers hold it off (SQLite answers busy
// at once to a checkpoint while another runs). It says whether the
// checkpoint completed.
func (s *Store) writerCheckpoint(ctx context.Context, c *sql.Conn, mode string, wait bool) (bool, error) {
	if wait {
		s.ckptMu.Lock()
	} else if !s.ckptMu.TryLock() {
		return false, nil
	}
	defer s.ckptMu.Unlock()
	var busy int64
	_, err := c.ExecContext(ctx, "PRAGMA busy_timeout = 2")
	for deadline := time.Now().Add(hardWait); err == nil; time.Sleep(time.Millisecond) {
		var frames, copied int64
		err = c.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
		if busy == 0 || !wait || time.Now().After(deadline) {
			break
		}
	}
	if _, rerr := c.ExecContext(ctx, "PRAGMA busy_timeout = 10000"); err == nil {
		err = rerr
	}
	return err == nil && busy == 0, err
}

// hardWait bounds how long a restart the WAL's hard bound calls for waits.
const hardWait = time.Second

// syncDataOnly switches SQLite to fdatasync once per process.
var syncDataOnly sync.Once

// A batch, the intake's write or the flusher's transaction, holds at most
// maxBatch events and stops growing past maxBatchBytes of bodies: bodies
// of a megabyte would otherwise make one transaction of hundreds of
// megabytes, which the WAL would have to hold whole.
const (
	maxBatch      = 512
	maxBatchBytes = 16 << 20
)

// reqBytes is what req adds to a batch's size.
func reqBytes(req *writeReq) int {
	if req.ev == nil {
		return 0
	}
	return len(req.ev.Body)
}

// batchBytes is what reqs add to a batch's size.
func batchBytes(reqs []*writeReq) int {
	n := 0
	for _, req := range reqs {
		n += reqBytes(req)
	}
	return n
}

// flushAge is how long an acknowledged event may wait in the spool before
// the flusher inserts it (sooner when maxBatch are waiting, or an
// operation or a read needs them): the delay before another process sees
// it, and the length of the flusher's transactions under load.
const flushAge = 10 * time.Millisecond

// intake takes the events to append, whatever is queued up to maxBatch at
// a time, writes each batch to the spool and answers it, and hands it to
// the flusher. On Close it spools what is still queued, then stops.
func (s *Store) intake() {
	defer close(s.intakeDone)
	batch := make([]*writeReq, 0, maxBatch)
	check := time.NewTicker(wantCheckEvery)
	defer check.Stop()
	var lastTry time.Time
	for {
		select {
		case now := <-check.C:
			switch {
			case s.mode == appendSpool && othersWant(s.want):
				s.goShared()
			case s.mode == appendShared && now.Sub(lastTry) >= spoolRetryEvery:
				lastTry = now
				s.trySpooling()
			}
		case req := <-s.queue:
			batch = s.gather(append(batch[:0], req), reqBytes(req))
			s.spoolBatch(batch)
			clear(batch)
		case <-s.quit:
			for {
				batch, _ = s.drain(batch[:0], 0)
				if len(batch) == 0 {
					return
				}
				s.spoolBatch(batch)
			}
		}
	}
}

// gatherIdleRounds is how many times in a row the intake yields to the
// handlers about to append, and finds nothing new, before it writes: it
// keeps gathering while requests keep arriving, so one write serves them
// all instead of a few each.
const gatherIdleRounds = 3

func (s *Store) gather(batch []*writeReq, size int) []*writeReq {
	batch, size = s.drain(batch, size)
	for idle := 0; idle < gatherIdleRounds && len(batch) < maxBatch && size < maxBatchBytes; {
		runtime.Gosched()
		n := len(batch)
		if batch, size = s.drain(batch, size); len(batch) == n {
			idle++
		} else {
			idle = 0
		}
	}
	return batch
}

// drain adds what is queued right now to batch, whose bodies hold size
// bytes, until it is full; it returns the batch and its new size.
func (s *Store) drain(batch []*writeReq, size int) ([]*writeReq, int) {
	for len(batch) < maxBatch && size < maxBatchBytes {
		select {
		case req := <-s.queue:
			batch, size = append(batch, req), size+reqBytes(req)
		default:
			return batch, size
		}
	}
	return batch, size
}

// wantCheckEvery is how often a spooling intake looks whether another
// process waits to append; spoolRetryEvery how often one appending
// straight to the table looks whether it is alone again.
const (
	wantCheckEvery  = 100 * time.Millisecond
	spoolRetryEvery = time.Second
)

// keptSpoolBuffer bounds the buffer the intake keeps between batches.
const keptSpoolBuffer = 4 << 20

// spoolBatch gives the batch's events their ids, writes them to the spool
// and answers them; the flusher gets copies, which it completes (triggers,
// duplicate marks, schema problems) as it inserts them.
func (s *Store) spoolBatch(batch []*writeReq) {
	// Both may wait, for another process or the flusher: only then is it
	// known which senders are still waiting.
	var err error
	if s.mode == appendNone {
		err = s.claimIntake()
	}
	if err == nil && s.mode == appendSpool {
		err = s.spool.ready(s.flushedID.Load)
	}
	live := dropAbandoned(batch)
	if err != nil {
		_ = s.failAll(live, err)
		return
	}
	live = slices.DeleteFunc(live, func(req *writeReq) bool {
		if req.ev == nil { // ClaimIntake's
			req.done <- nil
		}
		return req.ev == nil
	})
	if len(live) == 0 {
		return
	}
	if s.mode == appendShared {
		s.appendDirect(live)
		return
	}
	rows := make([]*writeReq, len(live))
	buf := s.spool.buf[:0]
	for i, req := range live {
		ev := *req.ev
		ev.ID = s.nextID + int64(i)
		buf = appendRecord(buf, &ev, req.req)
		rows[i] = &writeReq{ev: &ev, req: req.req}
	}
	if cap(buf) <= keptSpoolBuffer {
		s.spool.buf = buf
	}
	last := s.nextID + int64(len(live)) - 1
	if err := s.spool.write(buf, last); err != nil {
		_ = s.failAll(live, err)
		return
	}
	s.nextID = last + 1
	s.spooledID.Store(last)
	storeMax(&s.lastID, last)
	// Handed over before the answers: whatever a sender does next (pin it,
	// read it) reaches the flusher after it.
	s.flushQ <- rows
	for i, req := range live {
		req.ev.ID = rows[i].ev.ID
		req.done <- nil
	}
}

// claimIntake sets how this process appends. As the log's only appender
// (the intake lock free, and no other process waiting for it) it inserts
// what a listener that died left in the spool, then spools. Else it holds
// the want file shared (for as long as it appends straight to the table,
// so that a spooling appender, and any other sharing one, knows), waits
// for the log's spooling appender to put everything it answered into the
// table and share the lock (see goShared), and appends straight into the
// table. Holding the lock exclusively to spool and shared to append
// straight keeps the two apart, whatever the races between processes.
func (s *Store) claimIntake() error {
	lock, err := openLockFile(intakeLockPath(s.path))
	if err != nil {
		return err
	}
	want, err := openLockFile(intakeWantPath(s.path))
	if err != nil {
		lock.Close()
		return err
	}
	s.modeLock, s.want = lock, want
	if retryLock(lock, filelock.TryLock, soleWait) == nil && !othersWant(want) {
		return s.startSpooling()
	}
	_ = filelock.Unlock(lock)
	if err := retryLock(want, filelock.TryLockShared, claimWait); err != nil {
		s.dropIntake()
		return fmt.Errorf("sharing the event log: %w", err)
	}
	if err := retryLock(lock, filelock.TryLockShared, claimWait); err != nil {
		s.dropIntake()
		if errors.Is(err, filelock.ErrLocked) {
			err = errNoRoom
		}
		return err
	}
	// An appender that died spooling leaves the lock to whoever comes: its
	// events go in before any of ours.
	if _, err := s.insertSpooledByFlusher(false); err != nil {
		s.dropIntake()
		return err
	}
	s.sharing()
	return nil
}

// startSpooling, with the intake lock held exclusively, inserts what the
// spool holds and starts it over.
func (s *Store) startSpooling() error {
	newest, err := s.insertSpooledByFlusher(true)
	if err == nil {
		s.spool, err = openSpool(s.path, s.opts.Durable)
	}
	if err != nil {
		s.dropIntake()
		return err
	}
	s.mode, s.nextID = appendSpool, newest+1
	return nil
}

// dropIntake lets both locks go: the next batch claims the log again.
func (s *Store) dropIntake() {
	if s.spool != nil {
		s.spool.close()
	}
	s.modeLock.Close()
	s.want.Close()
	s.mode, s.spool, s.modeLock, s.want = appendNone, nil, nil, nil
}

// sharing marks the intake as appending straight to the table.
func (s *Store) sharing() {
	s.mode = appendShared
	s.log.Info("another process appends to this event log too: appending straight to it", "log", s.path)
}

// goShared makes room for another process that wants to append: once
// the flusher has inserted everything answered from the spool, the intake
// lock goes from exclusive to shared and this process appends straight
// into the table.
func (s *Store) goShared() {
	if err := s.settled(context.Background()); err != nil {
		s.log.Warn("making room for another appender", "err", err)
		return // the next check tries again
	}
	s.spool.close()
	s.spool = nil
	if err := retryLock(s.want, filelock.TryLockShared, claimWait); err != nil {
		s.log.Warn("sharing the event log", "err", err)
		s.dropIntake()
		return
	}
	if err := retryLock(s.modeLock, filelock.TryLockShared, claimWait); err != nil {
		s.log.Warn("sharing the event log", "err", err)
		s.dropIntake()
		return
	}
	s.sharing()
}

// trySpooling goes back to spooling once no other process appends or
// waits to: each holds the want file shared, so only a process alone can
// take it exclusively. Then it turns its shared intake lock exclusive (a
// process taking it in between makes it claim the log again).
func (s *Store) trySpooling() {
	_ = filelock.Unlock(s.want)
	if filelock.TryLock(s.want) != nil {
		if err := retryLock(s.want, filelock.TryLockShared, claimWait); err != nil {
			s.log.Warn("sharing the event log", "err", err)
			s.dropIntake()
		}
		return
	}
	_ = filelock.Unlock(s.want)
	if filelock.TryLock(s.modeLock) != nil {
		s.dropIntake()
		return
	}
	if err := s.startSpooling(); err != nil {
		s.log.Warn("spooling again", "err", err)
		return
	}
	s.log.Info("this process alone appends to the event log again: spooling", "log", s.path)
}

// insertSpooledByFlusher runs insertSpooled on the flusher, which outlives
// the intake (on Close this may be the intake's last batch), and returns
// the newest id in the table.
func (s *Store) insertSpooledByFlusher(remove bool) (int64, error) {
	var newest int64
	req := &writeReq{outside: true, done: make(chan error, 1), op: func(ctx context.Context, _ *sql.Conn) error {
		var err error
		newest, err = s.insertSpooled(ctx, remove)
		return err
	}}
	s.flushQ <- []*writeReq{req}
	err := <-req.done
	return newest, err
}

// insertSpooled inserts the events the spool holds past the table's
// newest, left by an appender that died before its flusher had inserted
// them, in one transaction (so that two processes doing it at once insert
// them once), and returns the newest id in the table. With remove (the
// intake lock held exclusively) it removes the spool's files.
func (s *Store) insertSpooled(ctx context.Context, remove bool) (int64, error) {
	var newest sql.NullInt64
	var left []*writeReq
	tally := newBatchTally()
	err := s.inTx(ctx, func() error {
		if err := s.wconn.QueryRowContext(ctx, `SELECT max(id) FROM events`).Scan(&newest); err != nil {
			return fmt.Errorf("reading the event log's last id: %w", err)
		}
		var err error
		if left, err = readSpool(s.path, newest.Int64); err != nil || len(left) == 0 {
			return err
		}
		s.refreshTriggers(ctx)
		for _, req := range left {
			if err := s.insert(ctx, req, tally); err != nil {
				return err
			}
		}
		return tally.flush(ctx, s.stmts)
	})
	if err != nil {
		return 0, fmt.Errorf("inserting the events a stopped listener left in the spool: %w", err)
	}
	tally.apply(s)
	if len(left) > 0 {
		s.log.Info("inserted the events a stopped listener left in the spool", "events", len(left))
		newest.Int64 = left[len(left)-1].ev.ID
	}
	if remove {
		err = removeSpool(s.path)
	}
	return newest.Int64, err
}

// settled waits until the flusher has inserted every event this process
// has answered, so that a read that follows sees them.
func (s *Store) settled(ctx context.Context) error {
	if s.flushedID.Load() >= s.spooledID.Load() {
		return nil
	}
	return s.exec(ctx, false, func(context.Context, *sql.Conn) error { return nil })
}

// storeMax raises v to n.
func storeMax(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// appendDirect inserts the events through the flusher at once and answers
// them after the commit, with the ids SQLite gave them.
func (s *Store) appendDirect(live []*writeReq) {
	rows := make([]*writeReq, len(live), len(live)+1)
	for i, req := range live {
		ev := *req.ev
		ev.ID = 0
		rows[i] = &writeReq{ctx: req.ctx, ev: &ev, req: req.req, direct: true}
	}
	committed := &writeReq{op: func(context.Context, *sql.Conn) error { return nil }, done: make(chan error, 1)}
	s.flushQ <- append(rows, committed)
	err := <-committed.done
	for i, req := range live {
		if err == nil {
			req.ev.ID = rows[i].ev.ID
		}
		req.done <- err
	}
}

// flusher is the only goroutine that writes to SQLite: it inserts the
// events the intake has spooled, flushAge after the first of them arrived
// or once maxBatch wait, and runs the operations (pin, prune, triggers,
// settings) at once, each batch in one transaction. Between transactions
// it restarts the WAL when the checkpointer asks, and when nothing waits
// it prunes, a small batch at a time. A transaction that fails is tried
// again (the events are in the spool, answered); on Close it inserts what
// the intake handed over last, then stops.
func (s *Store) flusher() {
	defer close(s.done)
	ctx := context.Background()
	var batch []*writeReq
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	due := time.NewTimer(time.Hour)
	due.Stop()
	pending, retry, size := false, time.Duration(0), 0
	// pruneMore is ready while retention has batches due and nothing waits
	// to be inserted: the flusher prunes on between inserts, one small
	// transaction at a time.
	more := false
	for {
		var pruneMore <-chan time.Time
		if more && len(batch) == 0 {
			pruneMore = alwaysReady
		}
		select {
		case <-pruneMore:
			more = s.retentionStep(ctx)
			s.restartWAL(ctx)
			continue
		case items := <-s.flushQ:
			batch, size = append(batch, items...), size+batchBytes(items)
			// Spooled events wait; an operation (last of what it came with)
			// is done at once.
			if items[len(items)-1].op == nil && len(batch) < maxBatch && size < maxBatchBytes {
				if !pending {
					due.Reset(flushAge)
					pending = true
				}
				continue
			}
		case <-due.C:
		case <-tick.C:
			if len(batch) == 0 {
				s.restartWAL(ctx)
				more = s.retentionStep(ctx)
			}
			continue
		case <-s.intakeDone:
			s.flushLast(batch)
			return
		}
		batch, size = s.drainFlush(batch, size)
		if err := s.commit(batch); err != nil {
			// The events stay, to be tried again; the operations have
			// their answer.
			batch = slices.DeleteFunc(batch, answered)
			size = batchBytes(batch)
			retry = min(max(2*retry, 50*time.Millisecond), time.Second)
			due.Reset(retry)
			pending = true
			continue
		}
		clear(batch)
		batch, retry, size = batch[:0], 0, 0
		if pending {
			due.Stop()
			pending = false
		}
		s.restartWAL(ctx)
		if len(s.flushQ) == 0 {
			more = s.retentionStep(ctx)
		}
	}
}

// alwaysReady is a channel a select can always receive from.
var alwaysReady = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// flushLast inserts what is left once the intake has stopped: batch and
// whatever is queued, a few tries at most; what still fails stays in the
// spool for the next open.
func (s *Store) flushLast(batch []*writeReq) {
	for tries := 0; ; {
		batch, _ = s.drainFlush(batch, 0)
		if len(batch) == 0 {
			return
		}
		err := s.commit(batch)
		if err == nil {
			batch = batch[:0]
			continue
		}
		if tries++; tries == 3 {
			s.log.Error("events left in the spool for the next open", "err", err)
			return
		}
		batch = slices.DeleteFunc(batch, answered)
		time.Sleep(100 * time.Millisecond)
	}
}

// answered says whether a failed transaction's commit answered req (an
// operation, or an event whose sender waits): else it is a spooled event,
// to be tried again.
func answered(req *writeReq) bool { return req.op != nil || req.direct }

// drainFlush adds what the flusher has been handed right now to batch,
// whose bodies hold size bytes, until it is full; it returns the batch and
// its new size.
func (s *Store) drainFlush(batch []*writeReq, size int) ([]*writeReq, int) {
	for len(batch) < 2*maxBatch && size < maxBatchBytes {
		select {
		case items := <-s.flushQ:
			batch, size = append(batch, items...), size+batchBytes(items)
		default:
			return batch, size
		}
	}
	return batch, size
}

// commit writes one batch in one transaction: spooled events (answered
// already) and operations, which it answers. When the transaction fails,
// the operations are answered with the error it returns, and the events
// are left to the caller.
func (s *Store) commit(batch []*writeReq) error {
	ctx := context.Background()
	live := dropAbandoned(batch)
	if len(live) == 0 {
		return nil
	}
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return s.failAll(live, fmt.Errorf("starting a transaction: %w", err))
	}
	// Inside the transaction, so that the check costs no read transaction
	// of its own and no other process can commit between it and this batch.
	s.refreshTriggers(ctx)
	// Taking the write lock may have waited on another process: check again.
	live = dropAbandoned(live)
	tally := newBatchTally()
	errs := make([]error, len(live))
	triggersChanged := false
	for i, req := range live {
		if req.outside {
			continue
		}
		if req.op != nil {
			errs[i] = req.op(ctx, s.wconn)
			triggersChanged = triggersChanged || req.reloadTriggers
			continue
		}
		if err := s.insert(ctx, req, tally); err != nil {
			_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
			return s.failAll(live, err)
		}
	}
	if err := tally.flush(ctx, s.stmts); err != nil {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		return s.failAll(live, err)
	}
	if _, err := s.wconn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		return s.failAll(live, fmt.Errorf("committing events: %w", err))
	}
	tally.apply(s)
	s.commits.Add(1)
	if triggersChanged {
		if err := s.loadTriggers(ctx); err != nil {
			s.log.Error("reloading triggers", "err", err)
		}
	}
	for i, req := range live {
		switch {
		case req.outside:
		case req.op != nil:
			req.done <- errs[i]
		default:
			s.broker.publish(*req.ev)
		}
	}
	for _, req := range live {
		if req.outside {
			req.done <- req.op(ctx, s.wconn)
		}
	}
	return nil
}

// dropAbandoned answers ErrBusy to the requests whose sender has given up
// (it answered 503, so the event must not be stored, nor the operation
// run) and returns the rest. Spooled events have no sender waiting; a
// direct event's sender waits on the intake, which answers it.
func dropAbandoned(batch []*writeReq) []*writeReq {
	live := batch[:0:0]
	for _, req := range batch {
		if req.ctx != nil && req.ctx.Err() != nil {
			if req.done != nil {
				req.done <- ErrBusy
			}
			continue
		}
		live = append(live, req)
	}
	return live
}

// failAll answers err to the requests waiting for one, those of a batch
// the intake could not spool or the operations of a transaction that
// failed, and returns it.
func (s *Store) failAll(reqs []*writeReq, err error) error {
	s.log.Error("event log write failed", "err", err)
	for _, req := range reqs {
		if req.done != nil {
			req.done <- err
		}
	}
	return err
}

// batchTally gathers what a batch changes besides its rows: counters,
// trigger match counts, new duplicate keys and request shapes. They are
// written once per batch, and the in-memory copies change only after the
// commit, so a rolled-back batch leaves no trace.
type batchTally struct {
	counts   map[string]int64
	matched  map[string]int64
	lastSeen map[string]int64
	dups     []dupNote
	dupIndex map[dupKey]int // this batch's copies, by key: the index in dups
	requests map[uint64]int64
	lastID   int64 // the newest event inserted
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
	for _, d := range t.dups {
		s.dups.note(d)
	}
	if len(s.requests)+len(t.requests) > maxCachedRequests {
		clear(s.requests)
	}
	for h, id := range t.requests {
		s.requests[h] = id
	}
	storeMax(&s.lastID, t.lastID)
	storeMax(&s.flushedID, t.lastID)
}

// maxCachedRequests bounds the flusher's map of request shapes to row ids.
const maxCachedRequests = 4096

// requestID returns the row id of the request shape, adding the row when it
// is new.
func (s *Store) requestID(ctx context.Context, r requestShape, tally *batchTally) (int64, error) {
	if id, ok := s.requests[r.hash]; ok {
		return id, nil
	}
	if id, ok := tally.requests[r.hash]; ok {
		return id, nil
	}
	var id int64
	err := s.stmts.findRequest.QueryRowContext(ctx, int64(r.hash)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		if res, err = s.stmts.insertRequest.ExecContext(ctx, int64(r.hash), r.shape); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("storing a request's headers: %w", err)
	}
	if tally.requests == nil {
		tally.requests = map[uint64]int64{}
	}
	tally.requests[r.hash] = id
	return id, nil
}

// insert stores one event inside the flusher's open transaction.
func (s *Store) insert(ctx context.Context, req *writeReq, tally *batchTally) error {
	ev := req.ev
	ev.DuplicateOf = 0
	if ev.Status == StatusAccepted {
		s.markDuplicate(ev, tally)
		s.match(ev)
	}
	requestID, err := s.requestID(ctx, req.req, tally)
	if err != nil {
		return err
	}
	flags := int64(slices.Index(statusCodes, ev.Status))
	if flags < 0 {
		return fmt.Errorf("storing an event: unknown status %q", ev.Status)
	}
	switch {
	case ev.Form:
		flags |= flagFormatForm
	case ev.Payload != nil:
		flags |= flagFormatJSON
	}
	if ev.Mismatch {
		flags |= flagMismatch
	}
	if req.req.length {
		flags |= flagLength
	}
	var problems []byte
	if len(ev.Problems) > 0 {
		if problems, err = json.Marshal(ev.Problems); err != nil {
			return fmt.Errorf("encoding schema problems: %w", err)
		}
	}
	var key any
	if ev.dupKey != 0 {
		key = int64(ev.dupKey)
	}
	var id any // a direct event's: SQLite's
	if ev.ID != 0 {
		id = ev.ID
	}
	res, err := s.stmts.insert.ExecContext(ctx, id, ev.ReceivedAt.UnixNano(), flags, ev.EventName, ev.WorkflowID,
		key, ev.DuplicateOf, requestID, ev.RemoteAddr, ev.Size, nonNil(ev.Body), nullString([]byte(ev.Error)),
		nullString([]byte(strings.Join(ev.Triggers, "\x00"))), nullString(problems), peopleColumn(ev.Size, ev.Email, ev.UserID))
	if err == nil && id == nil {
		ev.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("storing an event: %w", err)
	}
	tally.lastID = ev.ID
	if ev.dupKey != 0 && ev.Status == StatusAccepted {
		first := ev.DuplicateOf
		if first == 0 {
			first = ev.ID
		}
		if tally.dupIndex == nil {
			tally.dupIndex = map[dupKey]int{}
		}
		tally.dupIndex[ev.dupKey] = len(tally.dups)
		tally.dups = append(tally.dups, dupNote{ev.dupKey, dupSeen{first, ev.ReceivedAt.UnixNano()}})
	}
	for _, name := range ev.Triggers {
		if _, err := s.stmts.insertMatch.ExecContext(ctx, name, ev.ID); err != nil {
			return fmt.Errorf("recording a trigger match: %w", err)
		}
		tally.matched[name]++
		tally.lastSeen[name] = ev.ReceivedAt.UnixNano()
	}
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

// markDuplicate sets ev.DuplicateOf when the same event was stored before:
// by its identity among the keys the duplicate set holds, by its body only
// within the duplicate window. Copies in the same batch count too.
func (s *Store) markDuplicate(ev *Event, tally *batchTally) {
	if ev.dupKey == 0 {
		return
	}
	prev, ok := s.dups.find(ev.dupKey)
	if i, inBatch := tally.dupIndex[ev.dupKey]; inBatch { // newer than the set's
		prev, ok = tally.dups[i].dupSeen, true
	}
	if !ok {
		return
	}
	if !ev.dupKey.identity() && ev.ReceivedAt.UnixNano()-prev.at > int64(s.opts.DuplicateWindow) {
		return
	}
	ev.DuplicateOf = prev.first
}

func (s *Store) readDataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.stmts.dataVersion.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the event log's version: %w", err)
	}
	return v, nil
}

// refreshTriggers reloads the triggers when another process (say `iwb
// trigger add` while `iwb listen` runs) has changed the database, and
// forgets the cached request shapes, which that process may have pruned.
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
	clear(s.requests)
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

// nullString is b as text, or NULL when it is empty.
func nullString(b []byte) any {
	if len(b) == 0 {
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
