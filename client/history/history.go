// Package history keeps the actions run from the workbench and from
// `iwb action run`: when, from where, which, on which connection, Iterable's
// status, how long it took, the request body and the answer. It lives in its
// own table of the iwb database file, on its own connection, and keeps the
// newest MaxRecords runs.
package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/iwb-dev/iwb/client"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Where a run came from.
const (
	SourceWorkbench = "workbench"
	SourceCLI       = "cli"
)

// Record is one action run.
type Record struct {
	ID         int64
	At         time.Time
	Source     string // SourceWorkbench (when empty) or SourceCLI
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

// MaxRecords is how many runs the history keeps by default; past it the
// oldest go first.
const MaxRecords = 10_000

// ErrNotFound is Get's error for an id the history does not hold.
var ErrNotFound = errors.New("no such run in the history")

// Store is the history table.
type Store struct {
	db  *sql.DB
	max int
}

const schemaSQL = `CREATE TABLE IF NOT EXISTS action_history (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at_ns       INTEGER NOT NULL,
	action      TEXT NOT NULL,
	connection  TEXT NOT NULL,
	status      INTEGER NOT NULL,
	duration_ns INTEGER NOT NULL,
	request     BLOB NOT NULL,
	answer      BLOB NOT NULL,
	source      TEXT NOT NULL DEFAULT 'workbench'
)`

// addSource brings a table made before runs had a source up to date.
const addSource = `ALTER TABLE action_history ADD COLUMN source TEXT NOT NULL DEFAULT 'workbench'`

// Open opens (creating it 0600 if needed) the database file at path and the
// history table in it, in WAL mode so the listener's writes never wait on
// it, keeping MaxRecords runs.
func Open(path string) (*Store, error) { return OpenMax(path, MaxRecords) }

// OpenMax is Open keeping at most max runs.
func OpenMax(path string, max int) (*Store, error) {
	if max < 1 {
		return nil, fmt.Errorf("the history must keep at least one run, not %d", max)
	}
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
	var hasSource int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info('action_history') WHERE name = 'source'`).Scan(&hasSource); err == nil && hasSource == 0 {
		if _, err := db.Exec(addSource); err != nil {
			db.Close()
			return nil, fmt.Errorf("adding the source column to the history in %s: %w", path, err)
		}
	}
	// SQLite makes the -wal and -shm files with the main file's mode; keep
	// them private even if the file was made by someone else's umask.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("making %s private: %w", p, err)
		}
	}
	return &Store{db: db, max: max}, nil
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

// Add keeps one record, drops the oldest past the store's maximum, and
// returns the record's id.
func (s *Store) Add(ctx context.Context, r Record) (int64, error) {
	if r.Source == "" {
		r.Source = SourceWorkbench
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO action_history (at_ns, source, action, connection, status, duration_ns, request, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.At.UnixNano(), r.Source, r.Action, r.Connection, r.Status, int64(r.Duration), clip(r.Request), clip(r.Answer))
	if err != nil {
		return 0, fmt.Errorf("keeping the %s run in the history: %w", r.Action, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("keeping the %s run in the history: %w", r.Action, err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM action_history WHERE id <= ?`, id-int64(s.max)); err != nil {
		return id, fmt.Errorf("dropping the oldest runs from the history: %w", err)
	}
	return id, nil
}

const columns = `id, at_ns, source, action, connection, status, duration_ns, request, answer`

// Recent returns up to limit records, the newest first.
func (s *Store) Recent(ctx context.Context, limit int) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM action_history ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the action history: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
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

// Get returns one record by id; an id the history does not hold is ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Record, error) {
	r, err := scan(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM action_history WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	return r, err
}

func scan(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var at, took int64
	if err := row.Scan(&r.ID, &at, &r.Source, &r.Action, &r.Connection, &r.Status, &took, &r.Request, &r.Answer); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		return r, fmt.Errorf("reading the action history: %w", err)
	}
	r.At, r.Duration = time.Unix(0, at), time.Duration(took)
	return r, nil
}

// UsersFileKey stands in a request for users read from a file: the request
// keeps the file's path under it, so the run can be read and run again.
const UsersFileKey = "_usersFromFile"

// WithUsersFile is body (a JSON object) with the users file's path under UsersFileKey.
func WithUsersFile(body []byte, path string) []byte {
	env := map[string]any{}
	_ = json.Unmarshal(body, &env) // a body that is not an object keeps only the path
	env[UsersFileKey] = path
	b, _ := json.Marshal(env)
	return b
}

// Outcome is what a record keeps of a call's result: Iterable's status (200
// when it answered, also for an unknown user or a bulk call some users
// failed; 0 when no answer came) and the answer, or the error's text.
func Outcome(answer []byte, err error) (status int, stored []byte) {
	status, stored = http.StatusOK, answer
	var apiErr *client.Error
	var bulk *client.BulkFailure
	switch {
	case err == nil, errors.Is(err, client.ErrUserNotFound), errors.As(err, &bulk):
	case errors.As(err, &apiErr):
		status = apiErr.Status
	default:
		status = 0
	}
	if err != nil && len(stored) == 0 {
		stored = []byte(err.Error())
	}
	return status, stored
}
