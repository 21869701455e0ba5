package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrate brings a log made by an earlier iwb up to the current tables. A
// log of the first layout has its events table renamed to events_v1 here;
// convertV1 then copies its rows over (resuming if a copy was cut short).
func (s *Store) migrate(ctx context.Context) error {
	oldLayout, err := s.hasColumn(ctx, "events", "kind")
	if err != nil {
		return err
	}
	if oldLayout {
		s.log.Info("converting the event log to the packed layout", "path", s.path)
		err := s.inTx(ctx, func() error {
			if _, err := s.wconn.ExecContext(ctx, `ALTER TABLE events RENAME TO events_v1`); err != nil {
				return err
			}
			for _, idx := range []string{"events_received", "events_kind", "events_not_accepted", "events_event_name", "events_workflow", "events_dup"} {
				if _, err := s.wconn.ExecContext(ctx, `DROP INDEX IF EXISTS `+idx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("converting the event log: %w", err)
		}
	}
	if _, err := s.wconn.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("creating the event log's tables: %w", err)
	}
	hasSchemaAt, err := s.hasColumn(ctx, "triggers", "schema_at")
	if err != nil {
		return err
	}
	if !hasSchemaAt {
		if _, err := s.wconn.ExecContext(ctx, `ALTER TABLE triggers ADD COLUMN schema_at INTEGER NOT NULL DEFAULT 0`); err != nil {
			return fmt.Errorf("upgrading the trigger table: %w", err)
		}
	}
	if err := s.addPeople(ctx); err != nil {
		return err
	}
	// Earlier logs kept the number of events as a counter; it now follows
	// from the newest id (see loadCounters).
	var eventsCounted int
	if err := s.wconn.QueryRowContext(ctx, `SELECT count(*) FROM counters WHERE name = 'events'`).Scan(&eventsCounted); err != nil {
		return fmt.Errorf("checking the event log's counts: %w", err)
	}
	if eventsCounted > 0 {
		if _, err := s.wconn.ExecContext(ctx, `DELETE FROM counters WHERE name = 'events'`); err != nil {
			return fmt.Errorf("upgrading the event log's counts: %w", err)
		}
	}
	return nil
}

// addPeople gives a log of the packed layout made before it had one the
// people column, filled in for its long bodies.
func (s *Store) addPeople(ctx context.Context) error {
	has, err := s.hasColumn(ctx, "events", "people")
	if err != nil || has {
		return err
	}
	err = s.inTx(ctx, func() error {
		if _, err := s.wconn.ExecContext(ctx, `ALTER TABLE events ADD COLUMN people TEXT`); err != nil {
			return err
		}
		rows, err := s.wconn.QueryContext(ctx, `SELECT id FROM events WHERE size > ?`, peopleInline)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids { // one body at a time
			var flags, size int64
			var body []byte
			if err := s.wconn.QueryRowContext(ctx, `SELECT flags, size, body FROM events WHERE id = ?`, id).Scan(&flags, &size, &body); err != nil {
				return err
			}
			if _, err := s.wconn.ExecContext(ctx, `UPDATE events SET people = ? WHERE id = ?`, storedPeople(flags, size, body), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("keeping the emails of long events: %w", err)
	}
	return nil
}

func (s *Store) hasColumn(ctx context.Context, table, column string) (bool, error) {
	var n int
	err := s.wconn.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, column).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking the event log's tables: %w", err)
	}
	return n > 0, nil
}

func (s *Store) inTx(ctx context.Context, fn func() error) error {
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		_, _ = s.wconn.ExecContext(ctx, "ROLLBACK")
		return err
	}
	_, err := s.wconn.ExecContext(ctx, "COMMIT")
	return err
}

// convertChunk is how many first-layout rows one transaction converts.
const convertChunk = 2000

// convertV1 copies the rows of a first-layout events table into the packed
// one, ids unchanged, then drops it. Each chunk commits on its own, so an
// interrupted conversion resumes where it stopped.
func (s *Store) convertV1(ctx context.Context) error {
	var n int
	if err := s.wconn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'events_v1'`).Scan(&n); err != nil {
		return fmt.Errorf("checking the event log's tables: %w", err)
	}
	if n == 0 {
		return nil
	}
	insert, err := s.wconn.PrepareContext(ctx, `INSERT INTO events (id, received_at, flags, event_name, workflow_id,
		dup_key, duplicate_of, request, remote_addr, size, body, error, triggers, problems, forward, people)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fmt.Errorf("converting the event log: %w", err)
	}
	defer insert.Close()
	var after int64
	if err := s.wconn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&after); err != nil {
		return fmt.Errorf("converting the event log: %w", err)
	}
	start, copied := time.Now(), 0
	for {
		var k int
		err := s.inTx(ctx, func() error {
			var err error
			k, after, err = s.convertV1Chunk(ctx, insert, after)
			return err
		})
		if err != nil {
			return fmt.Errorf("converting the event log: %w", err)
		}
		copied += k
		if k < convertChunk {
			break
		}
	}
	if _, err := s.wconn.ExecContext(ctx, `DROP TABLE events_v1`); err != nil {
		return fmt.Errorf("converting the event log: %w", err)
	}
	s.log.Info("converted the event log", "events", copied, "took", time.Since(start))
	return nil
}

func (s *Store) convertV1Chunk(ctx context.Context, insert *sql.Stmt, after int64) (int, int64, error) {
	rows, err := s.wconn.QueryContext(ctx, `SELECT id, received_at, status, event_name, workflow_id, method, path,
		query, remote_addr, content_type, headers, size, body, body_format, error, triggers, duplicate_of, dup_key,
		problems, mismatch, forward FROM events_v1 WHERE id > ? ORDER BY id LIMIT ?`, after, convertChunk)
	if err != nil {
		return 0, after, err
	}
	type oldRow struct {
		ev                Event
		received          int64
		format, headers   string
		triggers          string
		dupKey            []byte
		problems, forward sql.NullString
	}
	var chunk []oldRow
	for rows.Next() {
		var r oldRow
		ev := &r.ev
		if err := rows.Scan(&ev.ID, &r.received, &ev.Status, &ev.EventName, &ev.WorkflowID, &ev.Method, &ev.Path,
			&ev.Query, &ev.RemoteAddr, &ev.ContentType, &r.headers, &ev.Size, &ev.Body, &r.format, &ev.Error,
			&r.triggers, &ev.DuplicateOf, &r.dupKey, &r.problems, &ev.Mismatch, &r.forward); err != nil {
			rows.Close()
			return 0, after, err
		}
		chunk = append(chunk, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, after, err
	}
	tally := newBatchTally()
	for _, r := range chunk {
		ev := &r.ev
		if err := json.Unmarshal([]byte(r.headers), &ev.Headers); err != nil {
			return 0, after, fmt.Errorf("event %d: its headers: %w", ev.ID, err)
		}
		shape := newRequestShape(ev)
		requestID, err := s.requestID(ctx, shape, tally)
		if err != nil {
			return 0, after, err
		}
		flags := int64(max(0, slices.Index(statusCodes, ev.Status)))
		switch r.format {
		case "json":
			flags |= flagFormatJSON
		case "form":
			flags |= flagFormatForm
		}
		if ev.Mismatch {
			flags |= flagMismatch
		}
		if shape.length {
			flags |= flagLength
		}
		var key any
		if len(r.dupKey) == 16 {
			k := dupKey(0)
			for _, b := range r.dupKey[1:9] {
				k = k<<8 | dupKey(b)
			}
			k &^= 1
			if r.dupKey[0] == 'k' {
				k |= 1
			}
			key = int64(k)
		}
		var names []string
		if r.triggers != "" {
			if err := json.Unmarshal([]byte(r.triggers), &names); err != nil {
				return 0, after, fmt.Errorf("event %d: its triggers: %w", ev.ID, err)
			}
		}
		if _, err := insert.ExecContext(ctx, ev.ID, r.received, flags, ev.EventName, ev.WorkflowID, key, ev.DuplicateOf,
			requestID, ev.RemoteAddr, ev.Size, nonNil(ev.Body), nullString([]byte(ev.Error)),
			nullString([]byte(strings.Join(names, "\x00"))), r.problems, r.forward,
			storedPeople(flags, ev.Size, ev.Body)); err != nil {
			return 0, after, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		after = ev.ID
	}
	for h, id := range tally.requests {
		s.requests[h] = id
	}
	return len(chunk), after, nil
}

// repack gives a file made by an earlier iwb, or by another table's code
// first, the current page size and incremental auto_vacuum; both need a full
// VACUUM, and the page size a rollback journal for it. On a new file it
// costs nothing. Failing that (another process holds the file), the log
// still reuses the space it frees; it only cannot give it back.
func (s *Store) repack(ctx context.Context) {
	var mode, size int
	if err := s.wconn.QueryRowContext(ctx, `SELECT (SELECT auto_vacuum FROM pragma_auto_vacuum()), (SELECT page_size FROM pragma_page_size())`).Scan(&mode, &size); err != nil {
		s.log.Warn("reading the event log's page layout", "err", err)
		return
	}
	if mode == 2 && size == pageSize {
		return
	}
	start := time.Now()
	var err error
	for _, q := range []string{`PRAGMA journal_mode = DELETE`, `PRAGMA page_size = ` + strconv.Itoa(pageSize),
		`PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
		if _, err = s.wconn.ExecContext(ctx, q); err != nil {
			break
		}
	}
	if _, werr := s.wconn.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err == nil {
		err = werr
	}
	if err != nil {
		s.log.Warn("could not repack the event log; freed space is reused but not returned", "err", err)
		return
	}
	if time.Since(start) > time.Second {
		s.log.Info("repacked the event log", "took", time.Since(start))
	}
}
