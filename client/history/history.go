// Package history keeps the actions run from the workbench: when, which,
// on which connection, Iterable's status, how long it took, the request
// body and the answer. It lives in its own table of the iwb database file,
// on its own connection.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Record is one action run.
type Record struct {
	ID         int64
	At         time.Time
	Action     string // the action's CLI name, e.g. upsert-user
	Connection string // the connection's label, e.g. "acme-prod (us)" or "demo"
	Status     int    // HTTP status of the answer; 0 when none came (network error, cancelled)
	Duration   time.Duration
	Request    []byte // the body sent (a GET's query as JSON)
	Answer     []byte // Iterable's answer, or the error text when there was none
}

// MaxStored bounds what one record keeps of a request or an answer, so a
// large bulk answer cannot grow the database without end.
const MaxStored = 1 << 20

// Store is the history table.
type Store struct{ db *sql.DB }

const schemaSQL = `CREATE TABLE IF NOT EXISTS action_history (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at_ns       INTEGER NOT NULL,
	action      TEXT NOT NULL,
	connection  TEXT NOT NULL,
	status      INTEGER NOT NULL,
	duration_ns INTEGER NOT NULL,
	request     BLOB NOT NULL,
	answer      BLOB NOT NULL
)`

// Open opens (creating it 0600 if needed) the database file at path and the
// history table in it, in WAL mode so the listener's writes never wait on it.
func Open(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the history database: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("opening the history database: %w", err)
	}
	// One connection: writes are one at a time anyway, and the pragmas hold.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the history table in %s: %w", path, err)
	}
	// SQLite makes the -wal and -shm files with the main file's mode; keep
	// them private even if the file was made by someone else's umask.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("making %s private: %w", p, err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the store's connection.
func (s *Store) Close() error { return s.db.Close() }

func clip(b []byte) []byte {
	if len(b) > MaxStored {
		return append(append([]byte(nil), b[:MaxStored]...), "…"...)
	}
	if b == nil {
		return []byte{}
	}
	return b
}

// Add keeps one record and returns its id.
func (s *Store) Add(ctx context.Context, r Record) (int64, error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO action_history (at_ns, action, connection, status, duration_ns, request, answer) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.At.UnixNano(), r.Action, r.Connection, r.Status, int64(r.Duration), clip(r.Request), clip(r.Answer))
	if err != nil {
		return 0, fmt.Errorf("keeping the %s run in the history: %w", r.Action, err)
	}
	return res.LastInsertId()
}

// Recent returns up to limit records, the newest first.
func (s *Store) Recent(ctx context.Context, limit int) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, at_ns, action, connection, status, duration_ns, request, answer FROM action_history ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the action history: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var at, took int64
		if err := rows.Scan(&r.ID, &at, &r.Action, &r.Connection, &r.Status, &took, &r.Request, &r.Answer); err != nil {
			return nil, fmt.Errorf("reading the action history: %w", err)
		}
		r.At, r.Duration = time.Unix(0, at), time.Duration(took)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the action history: %w", err)
	}
	return out, nil
}

// pruneBatch bounds one prune transaction, so the listener writing to the
// same file waits a few milliseconds at most.
const pruneBatch = 500

// Prune removes the records kept before `before` (unless zero) and those
// beyond the newest keep (unless keep <= 0), a batch per transaction, and
// says how many it removed. Its signature is the event log's Pruner.
func (s *Store) Prune(ctx context.Context, before time.Time, keep int64) (int64, error) {
	var bound int64 // records with an id up to bound go
	if keep > 0 {
		var last int64
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM action_history`).Scan(&last); err != nil {
			return 0, fmt.Errorf("pruning the action history: %w", err)
		}
		bound = last - keep
	}
	if !before.IsZero() {
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM action_history WHERE at_ns < ?`, before.UnixNano()).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("pruning the action history: %w", err)
		}
		bound = max(bound, id)
	}
	var removed int64
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM action_history WHERE id IN
			(SELECT id FROM action_history WHERE id <= ? ORDER BY id LIMIT ?)`, bound, pruneBatch)
		if err != nil {
			return removed, fmt.Errorf("pruning the action history: %w", err)
		}
		n, _ := res.RowsAffected()
		removed += n
		if n < pruneBatch {
			return removed, nil
		}
	}
}
