package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"
)

// Retention bounds the event log: whichever limit is reached first, the
// oldest events go, except the pinned ones. A zero field sets no limit.
type Retention struct {
	KeepDays   int   // events older than this many days go
	KeepEvents int64 // only the newest this many events stay
	MaxBytes   int64 // the log's tables and indexes stay under this size
}

// The limits `iwb listen` and the workbench keep by default.
const (
	DefaultKeepDays   = 30
	DefaultKeepEvents = 1_000_000
	DefaultMaxBytes   = 2 << 30
)

// cutoff is the moment before which events are too old, or zero.
func (r Retention) cutoff(now time.Time) time.Time {
	if r.KeepDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -r.KeepDays)
}

// Pruner removes another table's rows received before `before` (when not
// zero) or beyond its newest `keep` rows (when keep > 0), and says how many
// it removed. The store calls its pruners about once a minute with its own
// limits, so every table in the file ages the same way.
type Pruner func(ctx context.Context, before time.Time, keep int64) (int64, error)

// AddPruner registers a table's pruner under a name for the log.
func (s *Store) AddPruner(name string, p Pruner) {
	s.pruners.Lock()
	defer s.pruners.Unlock()
	s.pruneHook[name] = p
}

const (
	// pruneBatch is how many events one prune transaction removes at most,
	// so that ingest waits a few milliseconds at most.
	pruneBatch = 200
	// retentionEvery is how often the flusher re-reads how far to prune
	// (and after every pruneBatch new events).
	retentionEvery = 5 * time.Second
	prunersEvery   = time.Minute
	// idSlack is how far, in time, an event's id may be out of arrival
	// order: a request's body is read (at most the server's 60 s read
	// timeout) and committed (at most storeTimeout) after its arrival
	// time is taken. Time bounds are turned into id bounds this much wider.
	idSlack = 2 * time.Minute
)

// retentionState is the flusher's progress through the retention limits.
type retentionState struct {
	checked   time.Time
	checkedID int64 // the last id when checked: many new events check again
	bound     int64 // unpinned events up to this id are due to go
	from      int64 // no unpinned event below this id is left to prune
}

// retentionStep prunes one batch when the log is over a limit, and says
// whether more is due. Only the flusher calls it, between transactions.
func (s *Store) retentionStep(ctx context.Context) (more bool) {
	r := s.opts.Retention
	if r == (Retention{}) {
		return false
	}
	st := &s.retain
	if time.Since(st.checked) >= retentionEvery || s.lastID.Load()-st.checkedID >= pruneBatch {
		st.checked, st.checkedID = time.Now(), s.lastID.Load()
		b, err := s.pruneBound(ctx, r, time.Now())
		if err != nil {
			s.log.Warn("checking the event log's retention", "err", err)
			return false
		}
		st.bound = b
	}
	if st.bound < st.from {
		return false
	}
	hi := min(st.bound, st.from+pruneBatch-1)
	var counts pruneCounts
	err := s.inTx(ctx, func() error {
		var err error
		counts, err = s.pruneRange(ctx, s.wconn, st.from, hi)
		return err
	})
	if err != nil {
		s.log.Warn("pruning the event log", "err", err)
		return false
	}
	counts.apply(s)
	st.from = hi + 1
	if r.MaxBytes > 0 && st.from > st.bound {
		st.checked = time.Time{} // see at once whether the size is down
	}
	return st.from <= st.bound || st.checked.IsZero()
}

// pruneBound is the highest id the limits want gone; below the oldest id
// when nothing is due. The newest event always stays: SQLite gives a new
// row the highest id plus one, and an id once answered must never name
// another event.
func (s *Store) pruneBound(ctx context.Context, r Retention, now time.Time) (int64, error) {
	oldest, last, err := s.idRange(ctx, s.wconn)
	if err != nil || last == 0 {
		return 0, err
	}
	if s.retain.from < oldest {
		s.retain.from = oldest
	}
	bound := oldest - 1
	if r.KeepEvents > 0 {
		bound = max(bound, last-r.KeepEvents)
	}
	if cut := r.cutoff(now); !cut.IsZero() {
		first, err := firstIDAt(ctx, s.wconn, cut, oldest, last)
		if err != nil {
			return 0, err
		}
		bound = max(bound, first-1)
	}
	if r.MaxBytes > 0 {
		used, err := s.usedBytes(ctx, s.wconn)
		if err != nil {
			return 0, err
		}
		if n := s.eventCount(); used > r.MaxBytes && n > 0 {
			// Down to 95 % of the limit, so the log is not pruned again at once.
			excess := used - r.MaxBytes*95/100
			bound = max(bound, s.retain.from+max(pruneBatch, excess/max(1, used/n))-1)
		}
	}
	return min(bound, last-1), nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) idRange(ctx context.Context, q queryRower) (oldest, last int64, err error) {
	var lo, hi sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT min(id), max(id) FROM events`).Scan(&lo, &hi); err != nil {
		return 0, 0, fmt.Errorf("reading the event log's ids: %w", err)
	}
	return lo.Int64, hi.Int64, nil
}

// usedBytes is the size of the pages the database uses (its free pages
// are reused before the file grows).
func (s *Store) usedBytes(ctx context.Context, q queryRower) (int64, error) {
	var pages, free int64
	err := q.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count()), (SELECT freelist_count FROM pragma_freelist_count())`).Scan(&pages, &free)
	if err != nil {
		return 0, fmt.Errorf("reading the event log's size: %w", err)
	}
	return (pages - free) * s.pageSize, nil
}

// firstIDAt returns the lowest id in [lo, hi] from which on events arrived
// at t or later, taking ids to follow arrival (see idSlack), or hi+1.
func firstIDAt(ctx context.Context, q queryRower, t time.Time, lo, hi int64) (int64, error) {
	at := t.UnixNano()
	hi++
	for lo < hi {
		mid := lo + (hi-lo)/2
		var id, received int64
		err := q.QueryRowContext(ctx, `SELECT id, received_at FROM events WHERE id >= ? ORDER BY id LIMIT 1`, mid).Scan(&id, &received)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			hi = mid
		case err != nil:
			return 0, fmt.Errorf("finding events by time: %w", err)
		case received >= at:
			hi = mid
		default:
			lo = id + 1
		}
	}
	return lo, nil
}

// pruneCounts is what one prune removed, for the counters.
type pruneCounts struct{ events, rejected, duplicates, mismatches int64 }

func (p pruneCounts) apply(s *Store) {
	s.rejected.Add(-p.rejected)
	s.duplicates.Add(-p.duplicates)
	s.mismatches.Add(-p.mismatches)
	s.pruned.Add(p.events)
}

// pruneRange removes the unpinned events with ids in [lo, hi] and their
// trigger records, inside the caller's transaction on c.
func (s *Store) pruneRange(ctx context.Context, c *sql.Conn, lo, hi int64) (pruneCounts, error) {
	var p pruneCounts
	err := c.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(flags & 3 != 0), 0), coalesce(sum(duplicate_of != 0), 0),
		coalesce(sum(flags & 16 != 0), 0) FROM events WHERE id BETWEEN ? AND ? AND flags & 32 = 0`, lo, hi).
		Scan(&p.events, &p.rejected, &p.duplicates, &p.mismatches)
	if err != nil {
		return p, fmt.Errorf("pruning events %d-%d: %w", lo, hi, err)
	}
	if p.events == 0 {
		return p, nil
	}
	if _, err := c.ExecContext(ctx, `DELETE FROM events WHERE id BETWEEN ? AND ? AND flags & 32 = 0`, lo, hi); err != nil {
		return p, fmt.Errorf("pruning events %d-%d: %w", lo, hi, err)
	}
	// The trigger records are keyed by trigger first: visit each trigger.
	name := ""
	for {
		var next string
		err := c.QueryRowContext(ctx, `SELECT trigger FROM event_triggers WHERE trigger > ? ORDER BY trigger LIMIT 1`, name).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return p, fmt.Errorf("pruning trigger records: %w", err)
		}
		name = next
		if _, err := c.ExecContext(ctx, `DELETE FROM event_triggers WHERE trigger = ? AND event_id BETWEEN ? AND ?
			AND event_id NOT IN (SELECT id FROM events WHERE id BETWEEN ? AND ?)`, name, lo, hi, lo, hi); err != nil {
			return p, fmt.Errorf("pruning trigger records: %w", err)
		}
	}
	for counter, n := range map[string]int64{"rejected": -p.rejected, "duplicates": -p.duplicates,
		"mismatches": -p.mismatches, "pruned": p.events} {
		if n == 0 {
			continue
		}
		if _, err := s.stmts.bumpCounter.ExecContext(ctx, counter, n); err != nil {
			return p, fmt.Errorf("counting pruned events: %w", err)
		}
	}
	return p, nil
}

// runPruners calls the registered pruners with the store's limits.
func (s *Store) runPruners() {
	r := s.opts.Retention
	if r.KeepDays <= 0 && r.KeepEvents <= 0 {
		return
	}
	s.pruners.Lock()
	hooks := make(map[string]Pruner, len(s.pruneHook))
	for name, p := range s.pruneHook {
		hooks[name] = p
	}
	s.pruners.Unlock()
	callPruners(s.log, r, hooks)
}

// callPruners runs each registered table's pruner with the log's limits.
func callPruners(log *slog.Logger, r Retention, hooks map[string]Pruner) {
	for name, p := range hooks {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		n, err := p(ctx, r.cutoff(time.Now()), r.KeepEvents)
		cancel()
		if err != nil {
			log.Warn("pruning", "table", name, "err", err)
		} else if n > 0 {
			log.Info("pruned", "table", name, "rows", n)
		}
	}
}

// PruneRequest says what `iwb events prune` removes: events received
// before Before and those beyond the newest KeepEvents (zero: no such
// bound). Pinned events stay, and so does the newest event.
type PruneRequest struct {
	Before     time.Time
	KeepEvents int64
	DryRun     bool // count only
}

// PruneResult is what a prune removed (or, dry, would remove).
type PruneResult struct {
	Events     int64
	Bytes      int64 // the space the events held (estimated when dry)
	FileBefore int64 // the database file with its WAL copied in, before and after (the WAL is bounded, and goes on Close)
	FileAfter  int64
}

// Prune removes the events req selects, a batch per transaction, then
// gives the space back to the system.
func (s *Store) Prune(ctx context.Context, req PruneRequest) (PruneResult, error) {
	var res PruneResult
	if req.Before.IsZero() && req.KeepEvents <= 0 {
		return res, errors.New("say what to prune: a date to prune before, or how many events to keep")
	}
	if err := s.settled(ctx); err != nil {
		return res, fmt.Errorf("pruning: %w", err)
	}
	// With the WAL copied in, the file holds the whole log.
	if _, _, _, err := s.copyWAL(0); err != nil {
		return res, fmt.Errorf("checkpointing the event log: %w", err)
	}
	res.FileBefore = fileSize(s.path)
	oldest, last, err := s.idRange(ctx, s.read)
	if err != nil || last == 0 {
		res.FileAfter = res.FileBefore
		return res, err
	}
	bound := oldest - 1
	if req.KeepEvents > 0 {
		bound = max(bound, last-req.KeepEvents)
	}
	if !req.Before.IsZero() {
		first, err := firstIDAt(ctx, s.read, req.Before, oldest, last)
		if err != nil {
			return res, err
		}
		bound = max(bound, first-1)
	}
	bound = min(bound, last-1) // see pruneBound
	if req.DryRun {
		used, err := s.usedBytes(ctx, s.read)
		if err != nil {
			return res, err
		}
		res.FileAfter = res.FileBefore
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE id <= ? AND flags & 32 = 0`, bound).Scan(&res.Events); err != nil {
			return res, fmt.Errorf("counting the events to prune: %w", err)
		}
		if n := s.eventCount(); n > 0 {
			res.Bytes = used / n * res.Events
		}
		return res, nil
	}
	var pace halfTime
	for lo := oldest; lo <= bound; lo += pruneBatch {
		hi := min(bound, lo+pruneBatch-1)
		var counts pruneCounts
		err := pace.run(ctx, func() error {
			return s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
				// The free pages before and after, inside the transaction:
				// what this batch freed, whatever a listener adds meanwhile.
				before, err := s.usedBytes(ctx, c)
				if err != nil {
					return err
				}
				if counts, err = s.pruneRange(ctx, c, lo, hi); err != nil {
					return err
				}
				after, err := s.usedBytes(ctx, c)
				res.Bytes += max(0, before-after)
				return err
			})
		})
		if err != nil {
			return res, err
		}
		counts.apply(s)
		res.Events += counts.events
	}
	if _, err := s.pruneShapes(ctx); err != nil {
		return res, err
	}
	if err := s.giveBackSpace(ctx); err != nil {
		return res, err
	}
	res.FileAfter = fileSize(s.path)
	return res, nil
}

// vacuumStep is how many free pages one transaction gives back: moving a
// page costs tens of microseconds, and ingest waits while it runs.
const vacuumStep = 32

// giveBackSpace shrinks the file by its free pages, vacuumStep per
// transaction, then copies the WAL into it, which cuts the file to its
// new length, and restarts the WAL.
func (s *Store) giveBackSpace(ctx context.Context) error {
	var pace halfTime
	for {
		var free int64
		if err := s.read.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return fmt.Errorf("reading the free space: %w", err)
		}
		if free == 0 {
			break
		}
		err := pace.run(ctx, func() error {
			return s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
				_, err := c.ExecContext(ctx, `PRAGMA incremental_vacuum(`+strconv.Itoa(vacuumStep)+`)`)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("returning free space: %w", err)
		}
		var left int64
		if err := s.read.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&left); err != nil {
			return fmt.Errorf("reading the free space: %w", err)
		}
		if left >= free { // not an incremental-vacuum file: nothing more to do
			break
		}
	}
	// Passive checkpoints copy the WAL without holding the flusher back; the
	// flusher's restart then has only a few commits' pages left to copy. Not
	// a truncating one: freeing the WAL's file would hold ingest back for as
	// long as the file system takes (a few hundred milliseconds seen here);
	// Close removes it.
	if _, _, _, err := s.copyWAL(0); err != nil {
		return fmt.Errorf("checkpointing the event log: %w", err)
	}
	err := s.execOutside(ctx, func(ctx context.Context, c *sql.Conn) error {
		_, err := s.writerCheckpoint(ctx, c, "RESTART", false)
		return err
	})
	if err != nil {
		return fmt.Errorf("checkpointing the event log: %w", err)
	}
	return nil
}

// halfTime paces a long run of batches (a prune by hand) at half the
// flusher's time: before each batch it waits as long as the last one took.
// Ingest does not wait for the flusher (it answers from the spool), but it
// shares the machine with it: a prune at full speed here doubled ingest's
// p99 (10.6 ms against 4.9), at half speed it is within noise.
type halfTime struct{ last time.Duration }

func (h *halfTime) run(ctx context.Context, batch func() error) error {
	if h.last > 0 {
		select {
		case <-time.After(h.last):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	start := time.Now()
	err := batch()
	h.last = time.Since(start)
	return err
}

// diskBytes is what the log takes on disk: the file and its WAL.
func (s *Store) diskBytes() int64 { return fileSize(s.path) + fileSize(s.path+"-wal") }

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Pin keeps an event whatever the retention limits say (or, with pinned
// false, lets it age again).
func (s *Store) Pin(ctx context.Context, id int64, pinned bool) error {
	return s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
		q := `UPDATE events SET flags = flags | 32 WHERE id = ?`
		if !pinned {
			q = `UPDATE events SET flags = flags & ~32 WHERE id = ?`
		}
		res, err := c.ExecContext(ctx, q, id)
		if err != nil {
			return fmt.Errorf("pinning event %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("event %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// Usage is the log's size against its limits, for a status line.
type Usage struct {
	FileBytes int64 // the database file and its WAL on disk
	UsedBytes int64 // what the tables and indexes take (the rest is reused)
	Events    int64
	Retention Retention
}

// Usage reports the log's size and limits.
func (s *Store) Usage(ctx context.Context) (Usage, error) {
	if err := s.settled(ctx); err != nil {
		return Usage{}, fmt.Errorf("measuring the event log: %w", err)
	}
	used, err := s.usedBytes(ctx, s.read)
	if err != nil {
		return Usage{}, err
	}
	return Usage{FileBytes: s.diskBytes(), UsedBytes: used,
		Events: s.eventCount(), Retention: s.opts.Retention}, nil
}
