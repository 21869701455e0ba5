package webhook

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/iwb-dev/iwb/internal/secret"
)

// PGStore is the event log in a PostgreSQL database that a team shares: any
// number of listeners append to it and any number of workbenches read it,
// each seeing the others' events live through LISTEN/NOTIFY. Like Store, one
// writer goroutine per process commits whatever is queued as one transaction.
type PGStore struct {
	settingsOps

	url    string // masked, for messages
	opts   StoreOptions
	log    *slog.Logger
	pool   *pgxpool.Pool
	broker *broker
	token  string // marks this process's notifications, so it skips its own events
	notify string // the notification channel

	queue      chan *pgReq
	quit       chan struct{}
	done       chan struct{}
	stopListen context.CancelFunc // also stops retain
	listenDone chan struct{}
	retainDone chan struct{}
	closeOnce  sync.Once

	mu       sync.RWMutex
	triggers []Trigger

	prunersMu sync.Mutex
	pruneHook map[string]Pruner

	watchMu  sync.Mutex
	watchers map[*func()]struct{}

	events, rejected, duplicates, mismatches, busy, unauthorized atomic.Int64
	commits                                                      atomic.Int64
}

// pgQueryer is what a pool, a connection and a transaction offer.
type pgQueryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

type pgReq struct {
	ctx     context.Context
	ev      *Event
	headers string
	done    chan error
}

// The notification channel carries "e TOKEN IDS" after each commit of events
// (IDS as ranges, 3-7,9) and "t" after a change to the triggers. It is
// iwb_log, suffixed with the schema when the log is not in "public", so logs
// in two schemas of one database stay apart.
const pgChannel = "iwb_log"

// Advisory lock keys, the same in every iwb process.
const (
	pgLockMigrations int64 = 0x69776201 // "iwb" 1: schema migrations
	pgLockRetention  int64 = 0x69776203 // the process pruning to the retention limits
)

// pgMigrations are the schema's versions, applied in order and recorded in
// iwb_migrations; a new version is a new entry, never an edit.
var pgMigrations = []string{`
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
	id           bigint PRIMARY KEY,
	received_at  bigint NOT NULL,
	status       text NOT NULL,
	kind         text NOT NULL,
	event_name   text NOT NULL DEFAULT '',
	workflow_id  text NOT NULL DEFAULT '',
	email        text NOT NULL DEFAULT '',
	user_id      text NOT NULL DEFAULT '',
	method       text NOT NULL DEFAULT '',
	path         text NOT NULL DEFAULT '',
	query        text NOT NULL DEFAULT '',
	remote_addr  text NOT NULL DEFAULT '',
	content_type text NOT NULL DEFAULT '',
	headers      text NOT NULL DEFAULT '{}',
	size         bigint NOT NULL DEFAULT 0,
	body         bytea NOT NULL,
	body_format  text NOT NULL DEFAULT 'raw',
	payload      bytea,
	error        text NOT NULL DEFAULT '',
	triggers     text NOT NULL DEFAULT '',
	duplicate_of bigint NOT NULL DEFAULT 0,
	problems     text,
	mismatch     boolean NOT NULL DEFAULT false,
	forward      text,
	pinned       boolean NOT NULL DEFAULT false
);
CREATE INDEX events_received ON events (received_at);
CREATE INDEX events_kind ON events (kind, id);
CREATE INDEX events_not_accepted ON events (status, id) WHERE status <> 'accepted';
CREATE INDEX events_event_name ON events (event_name, id);
CREATE INDEX events_workflow ON events (workflow_id, id);
CREATE TABLE event_triggers (
	trigger  text NOT NULL,
	event_id bigint NOT NULL,
	PRIMARY KEY (trigger, event_id)
);
CREATE TABLE duplicate_keys (
	key      bigint PRIMARY KEY,
	first_id bigint NOT NULL,
	last_at  bigint NOT NULL
);
CREATE TABLE triggers (
	name        text PRIMARY KEY,
	kind        text NOT NULL,
	event_names text NOT NULL DEFAULT '[]',
	workflow_id text NOT NULL DEFAULT '',
	schema      text,
	created_at  bigint NOT NULL,
	matched     bigint NOT NULL DEFAULT 0,
	last_match  bigint NOT NULL DEFAULT 0,
	schema_at   bigint NOT NULL DEFAULT 0
);
CREATE TABLE settings (
	name  text PRIMARY KEY,
	value text NOT NULL
);
CREATE TABLE counters (
	name text PRIMARY KEY,
	n    bigint NOT NULL
);
INSERT INTO counters (name, n) VALUES ('events', 0), ('rejected', 0), ('duplicates', 0), ('mismatches', 0);
`, `
-- The recipes and their jobs (package recipe reads and writes them).
CREATE TABLE recipes (
	name          text PRIMARY KEY,
	spec          text NOT NULL,
	armed         integer NOT NULL DEFAULT 0,
	armed_after   bigint NOT NULL DEFAULT 0,
	disarm_reason text NOT NULL DEFAULT '',
	created_at    bigint NOT NULL
);
CREATE TABLE jobs (
	id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	recipe      text NOT NULL,
	event_id    bigint NOT NULL,
	status      text NOT NULL,
	reason      text NOT NULL DEFAULT '',
	manual      integer NOT NULL DEFAULT 0,
	rerun_of    bigint NOT NULL DEFAULT 0,
	created_at  bigint NOT NULL,
	started_at  bigint NOT NULL DEFAULT 0,
	finished_at bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_once ON jobs (recipe, event_id) WHERE manual = 0;
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_recent ON jobs (recipe, created_at);
CREATE INDEX jobs_event ON jobs (event_id);
CREATE TABLE job_steps (
	job_id      bigint NOT NULL,
	n           integer NOT NULL,
	action      text NOT NULL,
	sent        integer NOT NULL DEFAULT 0,
	done        integer NOT NULL DEFAULT 0,
	method      text NOT NULL,
	path        text NOT NULL,
	body        bytea,
	status      integer NOT NULL DEFAULT 0,
	answer      bytea,
	error       text NOT NULL DEFAULT '',
	duration_ns bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (job_id, n)
);
`}

// OpenPostgres opens the event log in the PostgreSQL database at url,
// bringing its tables up to date first, and starts its writer and its
// reader of other processes' commits.
func OpenPostgres(ctx context.Context, url string, opts StoreOptions) (*PGStore, error) {
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = 10 * time.Minute
	}
	if opts.SubscriberBuffer <= 0 {
		opts.SubscriberBuffer = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	masked := secret.MaskURL(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL: say only what to fix.
		return nil, fmt.Errorf("the store URL %s is not a PostgreSQL connection URL (postgres://user:password@host:5432/database)", masked)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", masked, err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	p := &PGStore{
		url:        masked,
		opts:       opts,
		log:        opts.Logger,
		pool:       pool,
		broker:     newBroker(opts.SubscriberBuffer),
		token:      hex.EncodeToString(b),
		queue:      make(chan *pgReq, 4096),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
		listenDone: make(chan struct{}),
		retainDone: make(chan struct{}),
		pruneHook:  map[string]Pruner{},
		watchers:   map[*func()]struct{}{},
	}
	p.settingsOps = settingsOps{p}
	if err := p.setUp(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

func (p *PGStore) setUp(ctx context.Context) error {
	if err := migratePostgres(ctx, p.pool); err != nil {
		return fmt.Errorf("preparing the event log at %s: %w", p.url, err)
	}
	var sch string
	if err := p.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&sch); err != nil {
		return fmt.Errorf("reading the schema at %s: %w", p.url, err)
	}
	p.notify = pgChannel
	if sch != "public" {
		p.notify += "_" + sch
	}
	if err := p.refreshCounts(ctx); err != nil {
		return err
	}
	if err := p.loadTriggers(ctx); err != nil {
		return err
	}
	// Listen before Open returns, so nothing committed after it is missed.
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", p.url, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.notify}.Sanitize()); err != nil {
		conn.Release()
		return fmt.Errorf("listening for changes at %s: %w", p.url, err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	p.stopListen = cancel
	go p.listen(lctx, conn)
	go p.writer()
	go p.retain(lctx)
	return nil
}

// migratePostgres applies the schema versions the database lacks, under an
// advisory lock, so listeners started together migrate once.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", pgLockMigrations); err != nil {
		return fmt.Errorf("waiting for the migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", pgLockMigrations)
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS iwb_migrations (
		version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("creating the migrations table: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM iwb_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if have > len(pgMigrations) {
		return fmt.Errorf("the database was set up by a newer iwb (schema version %d, this iwb knows up to %d): upgrade iwb", have, len(pgMigrations))
	}
	for v := have + 1; v <= len(pgMigrations); v++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, pgMigrations[v-1]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO iwb_migrations (version) VALUES ($1)`, v)
			return err
		})
		if err != nil {
			return fmt.Errorf("applying schema version %d: %w", v, err)
		}
	}
	return nil
}

// Path is the database URL with its password masked.
func (p *PGStore) Path() string { return p.url }

// Pool is the log's connection pool, for the tables other packages keep in
// the same database (the recipes and their jobs); the log closes it.
func (p *PGStore) Pool() *pgxpool.Pool { return p.pool }

// Stats returns the running counts: events, rejected, duplicates and
// mismatches over the whole shared log (as of the latest commit this process
// heard of), the rest for this process since Open.
func (p *PGStore) Stats() Stats {
	return Stats{
		Events:       p.events.Load(),
		Rejected:     p.rejected.Load(),
		Duplicates:   p.duplicates.Load(),
		Mismatches:   p.mismatches.Load(),
		Dropped:      p.broker.dropped.Load(),
		Busy:         p.busy.Load(),
		Unauthorized: p.unauthorized.Load(),
	}
}

func (p *PGStore) countUnauthorized() { p.unauthorized.Add(1) }
func (p *PGStore) countBusy()         { p.busy.Add(1) }

// Subscribe attaches a live reader of the events any process commits.
func (p *PGStore) Subscribe() *Subscription { return p.broker.subscribe() }

// Append stores ev; see EventLog.
func (p *PGStore) Append(ctx context.Context, ev *Event) error {
	req, err := newPGReq(ctx, ev)
	if err != nil {
		return err
	}
	err = submitTo(ctx, p.queue, p.quit, req, req.done)
	if errors.Is(err, ErrBusy) {
		p.busy.Add(1)
	}
	return err
}

// newPGReq encodes ev's headers in the caller's goroutine: the writer has
// enough to do.
func newPGReq(ctx context.Context, ev *Event) (*pgReq, error) {
	headers, err := json.Marshal(ev.Headers)
	if err != nil {
		return nil, fmt.Errorf("encoding headers: %w", err)
	}
	return &pgReq{ctx: ctx, ev: ev, headers: string(headers), done: make(chan error, 1)}, nil
}

// Close commits what is queued, stops listening and closes the connections.
func (p *PGStore) Close() error {
	p.closeOnce.Do(func() {
		close(p.quit)
		<-p.done
		p.stopListen()
		<-p.listenDone
		<-p.retainDone
		p.broker.close()
		p.pool.Close()
	})
	return nil
}

// writer commits whatever is queued as one transaction: while one commit
// travels to the server, the next batch gathers (group commit).
func (p *PGStore) writer() {
	defer close(p.done)
	for {
		select {
		case req := <-p.queue:
			p.commit(p.drain([]*pgReq{req}))
		case <-p.quit:
			for {
				batch := p.drain(nil)
				if len(batch) == 0 {
					return
				}
				p.commit(batch)
			}
		}
	}
}

func (p *PGStore) drain(batch []*pgReq) []*pgReq {
	for len(batch) < maxBatch {
		select {
		case req := <-p.queue:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

func (p *PGStore) commit(batch []*pgReq) {
	live := batch[:0:0]
	for _, req := range batch {
		if req.ctx.Err() != nil { // answered 503 already: must not be stored
			req.done <- ErrBusy
			continue
		}
		live = append(live, req)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error { return p.write(ctx, tx, live) })
	if err != nil {
		p.log.Error("event log write failed", "store", p.url, "err", err)
		for _, req := range live {
			req.ev.ID, req.ev.DuplicateOf, req.ev.Triggers, req.ev.Problems, req.ev.Mismatch = 0, 0, nil, nil, false
			req.done <- fmt.Errorf("storing events: %w", err)
		}
		return
	}
	p.commits.Add(1)
	for _, req := range live {
		p.broker.publish(*req.ev)
		req.done <- nil
	}
}

// pgEventColumns are the columns an event's row fills, in pgEventRow's order.
var pgEventColumns = []string{"id", "received_at", "status", "kind", "event_name", "workflow_id", "email",
	"user_id", "method", "path", "query", "remote_addr", "content_type", "headers", "size", "body",
	"body_format", "payload", "error", "triggers", "duplicate_of", "problems", "mismatch", "forward", "pinned"}

// write stores one batch inside tx: it numbers the events, matches them
// against the triggers and marks duplicates, then inserts them.
func (p *PGStore) write(ctx context.Context, tx pgx.Tx, reqs []*pgReq) error {
	rows, err := tx.Query(ctx, `SELECT nextval('events_id_seq') FROM generate_series(1, $1)`, len(reqs))
	if err != nil {
		return fmt.Errorf("numbering events: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("numbering events: %w", err)
	}
	p.mu.RLock()
	triggers := p.triggers
	p.mu.RUnlock()
	var dups []*Event
	for i, req := range reqs {
		ev := req.ev
		ev.ID, ev.DuplicateOf, ev.Triggers, ev.Problems, ev.Mismatch = ids[i], 0, nil, nil, false
		if ev.Status != StatusAccepted {
			continue
		}
		matchTriggers(triggers, ev, p.log)
		if ev.dupKey != 0 {
			dups = append(dups, ev)
		}
	}
	if err := p.markDuplicates(ctx, tx, dups); err != nil {
		return err
	}
	return p.insertEvents(ctx, tx, reqs)
}

// insertEvents stores events whose ids and marks are set, in ascending id
// order: their rows and trigger matches, the triggers' match counts and the
// log's totals, and one notification for the other processes. Rows other
// transactions may also lock (trigger and counter rows) are locked in key
// order, so two writers never deadlock.
func (p *PGStore) insertEvents(ctx context.Context, tx pgx.Tx, reqs []*pgReq) error {
	counts := map[string]int64{}
	matched := map[string]int64{}
	lastSeen := map[string]int64{}
	var matches [][]any
	ids := make([]int64, len(reqs))
	eventRows := make([][]any, len(reqs))
	for i, req := range reqs {
		var err error
		if eventRows[i], err = pgEventRow(req); err != nil {
			return err
		}
		ev := req.ev
		ids[i] = ev.ID
		for _, name := range ev.Triggers {
			matches = append(matches, []any{name, ev.ID})
			matched[name]++
			lastSeen[name] = max(lastSeen[name], ev.ReceivedAt.UnixNano())
		}
		counts["events"]++
		if ev.Status != StatusAccepted {
			counts["rejected"]++
		}
		if ev.DuplicateOf != 0 {
			counts["duplicates"]++
		}
		if ev.Mismatch {
			counts["mismatches"]++
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, pgEventColumns, pgx.CopyFromRows(eventRows)); err != nil {
		return fmt.Errorf("storing events: %w", err)
	}
	if len(matches) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"event_triggers"}, []string{"trigger", "event_id"}, pgx.CopyFromRows(matches)); err != nil {
			return fmt.Errorf("recording trigger matches: %w", err)
		}
	}
	b := &pgx.Batch{}
	for _, name := range sortedKeys(matched) {
		b.Queue(`UPDATE triggers SET matched = matched + $1, last_match = greatest(last_match, $2) WHERE name = $3`,
			matched[name], lastSeen[name], name)
	}
	for _, name := range sortedKeys(counts) {
		b.Queue(`UPDATE counters SET n = n + $1 WHERE name = $2`, counts[name], name)
	}
	// One notification per commit; PostgreSQL delivers it only if the commit succeeds.
	b.Queue(`SELECT pg_notify($1, $2)`, p.notify, "e "+p.token+" "+idRanges(ids))
	br := tx.SendBatch(ctx, b)
	if err := br.Close(); err != nil {
		return fmt.Errorf("counting events: %w", err)
	}
	// The totals as this commit leaves them, so Stats is current when Append returns.
	return p.readCounts(ctx, tx)
}

// markDuplicates marks each event whose key was stored before, by any
// listener: the key's row holds the first copy's id, and the row lock makes
// a concurrent copy wait for the first one's commit.
func (p *PGStore) markDuplicates(ctx context.Context, tx pgx.Tx, evs []*Event) error {
	if len(evs) == 0 {
		return nil
	}
	slices.SortStableFunc(evs, func(a, b *Event) int { return cmp.Compare(a.dupKey, b.dupKey) })
	b := &pgx.Batch{}
	for _, ev := range evs {
		// A body's key, unlike an identity's, counts only within the duplicate window.
		b.Queue(`INSERT INTO duplicate_keys AS d (key, first_id, last_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET
				first_id = CASE WHEN $4 AND d.last_at < $3 - $5 THEN excluded.first_id ELSE d.first_id END,
				last_at = greatest(d.last_at, excluded.last_at)
			RETURNING first_id`,
			int64(ev.dupKey), ev.ID, ev.ReceivedAt.UnixNano(), !ev.dupKey.identity(), p.opts.DuplicateWindow.Nanoseconds())
	}
	br := tx.SendBatch(ctx, b)
	for _, ev := range evs {
		var first int64
		if err := br.QueryRow().Scan(&first); err != nil {
			br.Close()
			return fmt.Errorf("looking for duplicates: %w", err)
		}
		if first != ev.ID {
			ev.DuplicateOf = first
		}
	}
	return br.Close()
}

// pgEventRow is one event's values for pgEventColumns.
func pgEventRow(req *pgReq) ([]any, error) {
	ev := req.ev
	format, payload := "raw", []byte(nil)
	switch {
	case ev.Form:
		format, payload = "form", ev.Payload
	case ev.Payload != nil:
		format = "json"
	}
	var triggers string
	if len(ev.Triggers) > 0 {
		b, _ := json.Marshal(ev.Triggers)
		triggers = string(b)
	}
	var problems *string
	if len(ev.Problems) > 0 {
		b, err := json.Marshal(ev.Problems)
		if err != nil {
			return nil, fmt.Errorf("encoding schema problems: %w", err)
		}
		s := string(b)
		problems = &s
	}
	var forward *string
	if ev.Forward != nil {
		b, err := json.Marshal(ev.Forward)
		if err != nil {
			return nil, fmt.Errorf("encoding a forward result: %w", err)
		}
		s := string(b)
		forward = &s
	}
	return []any{ev.ID, ev.ReceivedAt.UnixNano(), string(ev.Status), string(ev.Kind), PostgresText(ev.EventName),
		PostgresText(ev.WorkflowID), PostgresText(ev.Email), PostgresText(ev.UserID), PostgresText(ev.Method), PostgresText(ev.Path),
		PostgresText(ev.Query), PostgresText(ev.RemoteAddr), PostgresText(ev.ContentType), req.headers, ev.Size, nonNil(ev.Body),
		format, payload, PostgresText(ev.Error), triggers, ev.DuplicateOf, problems, ev.Mismatch, forward, ev.Pinned}, nil
}

// PostgresText makes outside text (a request's, an answer's) fit a
// PostgreSQL text column, which refuses NUL and invalid UTF-8 (an event's
// body keeps the exact bytes): one hostile request must not fail the commit
// it shares with others.
func PostgresText(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// idRanges writes ascending ids compactly: 3-7,9.
func idRanges(ids []int64) string {
	var sb strings.Builder
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(ids[i], 10))
		if j > i {
			sb.WriteByte('-')
			sb.WriteString(strconv.FormatInt(ids[j], 10))
		}
		i = j + 1
	}
	return sb.String()
}

// parseIDRanges reads idRanges' text.
func parseIDRanges(s string) ([]int64, error) {
	var ids []int64
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad id range %q", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a || b-a > 100000 {
				return nil, fmt.Errorf("bad id range %q", part)
			}
		}
		for id := a; id <= b; id++ {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// listen turns other processes' notifications into live events, trigger
// reloads and fresh counts, reconnecting when the connection drops.
func (p *PGStore) listen(ctx context.Context, conn *pgxpool.Conn) {
	defer close(p.listenDone)
	for {
		err := p.serveNotifications(ctx, conn)
		conn.Release()
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("lost the change feed; reconnecting", "store", p.url, "err", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			if conn, err = p.pool.Acquire(ctx); err == nil {
				if _, err = conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.notify}.Sanitize()); err == nil {
					break
				}
				conn.Release()
			}
		}
		// Events committed while disconnected reached no live reader.
		p.broker.dropped.Add(1)
		if err := p.loadTriggers(ctx); err != nil {
			p.log.Warn("reloading triggers", "err", err)
		}
	}
}

func (p *PGStore) serveNotifications(ctx context.Context, conn *pgxpool.Conn) error {
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if err := p.notified(ctx, n.Payload); err != nil && ctx.Err() == nil {
			p.log.Warn("following a change", "store", p.url, "err", err)
		}
	}
}

func (p *PGStore) notified(ctx context.Context, payload string) error {
	kind, rest, _ := strings.Cut(payload, " ")
	switch kind {
	case "t":
		err := p.loadTriggers(ctx)
		p.watchMu.Lock()
		for f := range p.watchers {
			(*f)()
		}
		p.watchMu.Unlock()
		return err
	case "e":
		token, ranges, _ := strings.Cut(rest, " ")
		if err := p.refreshCounts(ctx); err != nil {
			return err
		}
		if token == p.token {
			return nil // published at commit
		}
		ids, err := parseIDRanges(ranges)
		if err != nil {
			return err
		}
		rows, err := p.pool.Query(ctx, pgSelectEvents+` FROM events e WHERE e.id = ANY($1) ORDER BY e.id`, ids)
		if err != nil {
			return fmt.Errorf("reading new events: %w", err)
		}
		evs, err := pgx.CollectRows(rows, pgScanEvent)
		if err != nil {
			return fmt.Errorf("reading new events: %w", err)
		}
		for _, ev := range evs {
			p.broker.publish(ev)
		}
	}
	return nil
}

// refreshCounts reads the shared log's totals.
func (p *PGStore) refreshCounts(ctx context.Context) error { return p.readCounts(ctx, p.pool) }

// readCounts keeps the larger of each total and the one read: totals only
// grow, and a read racing a newer one must not set a count back.
func (p *PGStore) readCounts(ctx context.Context, q pgQueryer) error {
	rows, err := q.Query(ctx, `SELECT name, n FROM counters`)
	if err != nil {
		return fmt.Errorf("reading the event log's counts: %w", err)
	}
	counts := map[string]*atomic.Int64{"events": &p.events, "rejected": &p.rejected,
		"duplicates": &p.duplicates, "mismatches": &p.mismatches}
	var name string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&name, &n}, func() error {
		if c := counts[name]; c != nil {
			for old := c.Load(); n > old && !c.CompareAndSwap(old, n); old = c.Load() {
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the event log's counts: %w", err)
	}
	return nil
}

// Watch calls changed each time any process changes the triggers or their
// schemas, until ctx ends. Events need no watching: the subscription
// carries every process's. every is unused: PostgreSQL says when.
func (p *PGStore) Watch(ctx context.Context, every time.Duration, changed func()) error {
	p.watchMu.Lock()
	p.watchers[&changed] = struct{}{}
	p.watchMu.Unlock()
	<-ctx.Done()
	p.watchMu.Lock()
	delete(p.watchers, &changed)
	p.watchMu.Unlock()
	return nil
}
