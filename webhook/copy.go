package webhook

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Copying a file log into a shared one runs in batches, each committed
// together with a mark of how far the copy got, so an interrupted copy
// resumes where it stopped and copies every event exactly once.

// ErrNotALog is a file that is not an iwb event log.
var ErrNotALog = errors.New("not an iwb event log")

const (
	// settingLogID names a file log, so that a shared log knows which copies
	// it holds.
	settingLogID = "log_id"
	// copyMarkPrefix, followed by a file log's id, is the shared log's
	// setting holding that copy's copyMark.
	copyMarkPrefix = "copied_from:"
	// pgLockCopy is held by the one copy writing into a shared log; the
	// lock's second key is the schema's, so that logs in two schemas of one
	// database each take their own copy.
	pgLockCopy int32 = 0x69776205
	// A batch holds up to copyBatchEvents events and about copyBatchBytes of
	// bodies, so a log of large bodies is copied in bounded memory.
	copyBatchEvents = 500
	copyBatchBytes  = 8 << 20
)

// copiedSettings are the settings a copy carries over when the shared log
// lacks them.
var copiedSettings = []string{settingPublicURL, settingListenerToken}

// OpenExisting opens the event log file at path like Open, but refuses to
// create one: a missing file is ErrNotFound, a file that is not an iwb
// event log ErrNotALog.
func OpenExisting(path string, opts StoreOptions) (*Store, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the event log: %w", err)
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return nil, fmt.Errorf("%s is %w", path, ErrNotALog)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("opening the event log: %w", err)
	}
	var tables int
	err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'triggers', 'settings')`).Scan(&tables)
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if tables != 3 {
		return nil, fmt.Errorf("%s is an SQLite database but %w", path, ErrNotALog)
	}
	return Open(path, opts)
}

// logID is the file log's identity, made on first use.
func (s *Store) logID(ctx context.Context) (string, error) {
	id, err := s.setting(ctx, settingLogID)
	if id != "" || err != nil {
		return id, err
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	id = hex.EncodeToString(b)
	return id, s.setSetting(ctx, settingLogID, id)
}

// CopyProgress is how far a copy has got.
type CopyProgress struct {
	Copied int64 // events copied, by this run and the earlier ones
	Total  int64 // events in the file log (at least Copied)
}

// CopyResult says what a copy did.
type CopyResult struct {
	Events       int64    // events this run copied
	Before       int64    // events earlier runs had copied
	Triggers     int      // triggers added to the shared log
	KeptTriggers []string // triggers the shared log defines otherwise by the same name, left as they were
	Settings     int      // settings added to the shared log
	// IDsKept: every copied event has its id of the file log. Otherwise the
	// shared log had taken those ids, and the copied events were numbered
	// after its own, in the same order.
	IDsKept bool
	// IDs gives the shared log's id of a file log's event.
	IDs CopiedIDs
}

// CopiedIDs maps the ids of a file log's events to their copies' ids.
type CopiedIDs struct{ mark copyMark }

// Shared is the id in the shared log of the file log's event id.
func (c CopiedIDs) Shared(fileID int64) int64 { return c.mark.target(fileID) }

// Copy copies the file log from into the shared log to: events with their
// trigger matches, duplicate marks, schema problems, forwards and pins;
// the triggers with their schemas; the settings. What an earlier copy of the
// same file log took is not copied again. progress, when not nil, is called
// after each batch.
func Copy(ctx context.Context, from *Store, to *PGStore, progress func(CopyProgress)) (CopyResult, error) {
	var res CopyResult
	unlock, err := to.lockCopy(ctx)
	if err != nil {
		return res, err
	}
	defer unlock()
	logID, err := from.logID(ctx)
	if err != nil {
		return res, err
	}
	if res.Settings, err = copySettings(ctx, from, to); err != nil {
		return res, err
	}
	triggers, err := from.Triggers(ctx)
	if err != nil {
		return res, err
	}
	kept, err := to.addTriggers(ctx, triggers)
	if err != nil {
		return res, err
	}
	res.Triggers = len(triggers) - len(kept)
	if res.KeptTriggers, err = differentTriggers(ctx, triggers, to, kept); err != nil {
		return res, err
	}
	total, err := from.Count(ctx, Query{})
	if err != nil {
		return res, err
	}
	mark, err := to.copyMark(ctx, to.pool, logID)
	if err != nil {
		return res, err
	}
	res.Before = mark.Count
	report := func() {
		if progress != nil {
			progress(CopyProgress{Copied: mark.Count, Total: max(total, mark.Count)})
		}
	}
	report()
	limit := 64
	for {
		evs, err := from.List(ctx, Query{AfterID: mark.Copied, Limit: limit})
		if err != nil {
			return res, err
		}
		if len(evs) == 0 {
			break
		}
		var bytes int64
		for i, ev := range evs {
			if bytes += int64(len(ev.Body)); bytes > copyBatchBytes && i > 0 {
				evs = evs[:i]
				break
			}
		}
		// The next page is sized to these bodies.
		limit = int(min(copyBatchEvents, max(1, copyBatchBytes*int64(len(evs))/max(bytes, 1))))
		if last := evs[len(evs)-1].ID; last > mark.Reserved {
			newest, err := from.List(ctx, Query{Desc: true, Limit: 1})
			if err != nil {
				return res, err
			}
			if mark, err = to.reserveIDs(ctx, logID, evs[0].ID, max(last, newest[0].ID)); err != nil {
				return res, err
			}
		}
		if mark, err = to.importEvents(ctx, logID, mark, evs); err != nil {
			return res, err
		}
		res.Events += int64(len(evs))
		report()
	}
	res.IDsKept, res.IDs = mark.idsKept(), CopiedIDs{mark}
	return res, nil
}

// copySettings gives the shared log the file log's settings it lacks.
func copySettings(ctx context.Context, from *Store, to *PGStore) (added int, err error) {
	for _, name := range copiedSettings {
		v, err := from.setting(ctx, name)
		if err != nil {
			return added, err
		}
		have, err := to.setting(ctx, name)
		if err != nil {
			return added, err
		}
		if v == "" || have != "" {
			continue
		}
		if err := to.setSetting(ctx, name, v); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// lockCopy takes the lock one copy into the log holds; it is released by
// the returned function, or by the server when this process dies.
func (p *PGStore) lockCopy(ctx context.Context) (unlock func(), err error) {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", p.url, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, pgLockCopy).Scan(&got); err != nil {
		conn.Release()
		return nil, fmt.Errorf("locking %s for the copy: %w", p.url, err)
	}
	if !got {
		conn.Release()
		return nil, fmt.Errorf("another iwb store copy is writing to %s: wait for it to end", p.url)
	}
	return func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, pgLockCopy)
		conn.Release()
	}, nil
}

// addTriggers adds the triggers the log lacks, as they are, and returns
// the names it had already. Their match counts grow as their events are
// copied.
func (p *PGStore) addTriggers(ctx context.Context, ts []Trigger) (kept []string, err error) {
	if len(ts) == 0 {
		return nil, nil
	}
	err = p.changeTriggers(ctx, func(tx pgx.Tx) error {
		kept = kept[:0]
		for _, t := range ts {
			added, err := insertTrigger(ctx, tx, t)
			if err != nil {
				return err
			}
			if !added {
				kept = append(kept, t.Name)
			}
		}
		return nil
	})
	return kept, err
}

// differentTriggers are the names, among kept, that the shared log defines
// otherwise than mine: a trigger an earlier copy added is the same.
func differentTriggers(ctx context.Context, mine []Trigger, to *PGStore, kept []string) ([]string, error) {
	if len(kept) == 0 {
		return nil, nil
	}
	theirs, err := to.Triggers(ctx)
	if err != nil {
		return nil, err
	}
	var differ []string
	for _, name := range kept {
		a, _ := findTrigger(mine, name, nil)
		b, _ := findTrigger(theirs, name, nil)
		sa, _ := json.Marshal(a.Schema)
		sb, _ := json.Marshal(b.Schema)
		if a.Kind != b.Kind || !slices.Equal(a.EventNames, b.EventNames) || a.WorkflowID != b.WorkflowID || string(sa) != string(sb) {
			differ = append(differ, name)
		}
	}
	return differ, nil
}

// copyMark is how far the copy of one file log into the shared log got.
type copyMark struct {
	// Segments map file ids to shared ids: from each segment's first file
	// id on, a file id plus the segment's offset. Offsets only grow, so the
	// order is kept.
	Segments [][2]int64 `json:"segments"`
	Reserved int64      `json:"reserved"` // the highest file id with its shared id set aside
	Copied   int64      `json:"copied"`   // the highest file id copied
	Count    int64      `json:"count"`    // events copied
}

// target is the shared id of the file log's event id.
func (m copyMark) target(id int64) int64 {
	var off int64
	for i, s := range m.Segments {
		if i == 0 || s[0] <= id {
			off = s[1]
		}
	}
	return id + off
}

func (m copyMark) idsKept() bool {
	for _, s := range m.Segments {
		if s[1] != 0 {
			return false
		}
	}
	return true
}

func (p *PGStore) copyMark(ctx context.Context, q pgQueryer, logID string) (copyMark, error) {
	var m copyMark
	raw, err := pgSetting(ctx, q, copyMarkPrefix+logID)
	if err != nil || raw == "" {
		return m, err
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, fmt.Errorf("reading how far the last copy got: %w", err)
	}
	return m, nil
}

func setCopyMark(ctx context.Context, q pgQueryer, logID string, m copyMark) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding how far the copy got: %w", err)
	}
	return pgSetSetting(ctx, q, copyMarkPrefix+logID, string(b))
}

// reserveIDs sets shared ids aside for the file ids first to last: the file
// ids themselves when no process has taken them yet, else ids after every
// id handed out so far. Listeners writing meanwhile number their events
// after the reserved ones.
func (p *PGStore) reserveIDs(ctx context.Context, logID string, first, last int64) (copyMark, error) {
	var m copyMark
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// This changes nothing but holds, until the commit, the lock that
		// nextval waits for: no id is handed out between reading the
		// sequence and moving it on.
		if _, err := tx.Exec(ctx, `ALTER SEQUENCE events_id_seq INCREMENT BY 1`); err != nil {
			return fmt.Errorf("locking the event ids: %w", err)
		}
		var err error
		if m, err = p.copyMark(ctx, tx, logID); err != nil || last <= m.Reserved {
			return err
		}
		var lastValue int64
		var called bool
		if err := tx.QueryRow(ctx, `SELECT last_value, is_called FROM events_id_seq`).Scan(&lastValue, &called); err != nil {
			return fmt.Errorf("reading the event ids: %w", err)
		}
		handedOut := lastValue
		if !called {
			handedOut--
		}
		from := max(first, m.Reserved+1)
		var off int64
		if n := len(m.Segments); n > 0 {
			off = m.Segments[n-1][1]
		}
		if from+off <= handedOut {
			off = handedOut - from + 1
			m.Segments = append(m.Segments, [2]int64{from, off})
		} else if len(m.Segments) == 0 {
			m.Segments = append(m.Segments, [2]int64{from, off})
		}
		if _, err := tx.Exec(ctx, `SELECT setval('events_id_seq', $1)`, last+off); err != nil {
			return fmt.Errorf("reserving event ids: %w", err)
		}
		m.Reserved = last
		return setCopyMark(ctx, tx, logID, m)
	})
	if err != nil {
		return m, fmt.Errorf("copying into %s: %w", p.url, err)
	}
	return m, nil
}

// importEvents stores a batch of the file log's events, in id order, with
// their marks and their shared ids, and moves the copy's mark past them in
// the same transaction.
func (p *PGStore) importEvents(ctx context.Context, logID string, m copyMark, evs []Event) (copyMark, error) {
	reqs := make([]*pgReq, len(evs))
	for i := range evs {
		ev := evs[i]
		ev.ID = m.target(ev.ID)
		if ev.DuplicateOf != 0 {
			ev.DuplicateOf = m.target(ev.DuplicateOf)
		}
		req, err := newPGReq(ctx, &ev)
		if err != nil {
			return m, err
		}
		reqs[i] = req
	}
	next := m
	next.Copied, next.Count = evs[len(evs)-1].ID, m.Count+int64(len(evs))
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := p.insertEvents(ctx, tx, reqs); err != nil {
			return err
		}
		return setCopyMark(ctx, tx, logID, next)
	})
	if err != nil {
		return m, fmt.Errorf("copying into %s: %w", p.url, err)
	}
	return next, nil
}
