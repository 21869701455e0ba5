package recipe

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/iwb-dev/iwb/webhook"
)

var (
	// ErrNotFound is a recipe or job that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is a second recipe with a name already taken.
	ErrExists = errors.New("a recipe with that name already exists")
)

// Store keeps the recipes and their jobs in the database the event log is
// in: tables of its SQLite file (on their own connection), or of its
// PostgreSQL database, shared by every process on it. The SQL is the same
// for both; what differs is behind tables.
type Store struct {
	db     *sql.DB
	tables tables
	// events is the log the jobs' events are in, when the store was opened
	// for one: pruning keeps the jobs of its pinned events.
	events webhook.EventLog
}

// tables is what differs between the databases that keep recipes: how a
// query names its parameters, the runner lock, and how late an event may
// still appear below ids already read.
type tables interface {
	// bind rewrites a query's ? parameters for the database.
	bind(query string) string
	// lockRunner takes the log's runner lock without waiting; errLocked
	// when another process holds it, with holder naming that process.
	lockRunner(ctx context.Context) (l lease, holder string, err error)
	// lateAppends bounds how long after a later id was read an event with
	// a lower id may still be committed: 0 where ids commit in order.
	lateAppends() time.Duration
	// where names the database, fit to print.
	where() string
	close() error
}

// lease is a held runner lock.
type lease struct {
	// held says whether the lock is still this process's.
	held    func(ctx context.Context) error
	release func()
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS recipes (
	name          TEXT PRIMARY KEY,
	spec          TEXT NOT NULL,              -- the recipe's file form
	armed         INTEGER NOT NULL DEFAULT 0,
	armed_after   INTEGER NOT NULL DEFAULT 0, -- the newest event id when armed: only later events start jobs
	disarm_reason TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	recipe      TEXT NOT NULL,
	event_id    INTEGER NOT NULL,
	status      TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	manual      INTEGER NOT NULL DEFAULT 0, -- started by hand (a re-run, a run from a test)
	rerun_of    INTEGER NOT NULL DEFAULT 0, -- the job a re-run re-runs
	created_at  INTEGER NOT NULL,
	started_at  INTEGER NOT NULL DEFAULT 0,
	finished_at INTEGER NOT NULL DEFAULT 0
);
-- One job per recipe and event, but for the ones started by hand: what
-- makes a job never start twice for the same event.
CREATE UNIQUE INDEX IF NOT EXISTS jobs_once ON jobs(recipe, event_id) WHERE manual = 0;
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, id);
CREATE INDEX IF NOT EXISTS jobs_recent ON jobs(recipe, created_at);
CREATE INDEX IF NOT EXISTS jobs_event ON jobs(event_id);
CREATE TABLE IF NOT EXISTS job_steps (
	job_id      INTEGER NOT NULL,
	n           INTEGER NOT NULL,           -- from 1
	action      TEXT NOT NULL,
	sent        INTEGER NOT NULL DEFAULT 0, -- 1 from just before the request leaves
	done        INTEGER NOT NULL DEFAULT 0, -- 1 once its answer (or failure) is kept
	method      TEXT NOT NULL,
	path        TEXT NOT NULL,
	body        BLOB,
	status      INTEGER NOT NULL DEFAULT 0, -- the HTTP status; 0 when none came
	answer      BLOB,
	error       TEXT NOT NULL DEFAULT '',
	duration_ns INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (job_id, n)
) WITHOUT ROWID;
`

// Open opens the recipe tables in the SQLite file at path (the event
// log's), creating them if needed, in WAL mode like the event log.
func Open(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the recipe tables: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("opening the recipe tables: %w", err)
	}
	// One connection: writes are one at a time anyway, and the pragmas hold.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the recipe tables in %s: %w", path, err)
	}
	return &Store{db: db, tables: fileTables{path: path}}, nil
}

// OpenFor opens the recipe tables of the event log ev, in the same
// database: its SQLite file, or its PostgreSQL database (whose tables the
// log's migrations made).
func OpenFor(ev webhook.EventLog) (*Store, error) {
	var s *Store
	switch log := ev.(type) {
	case *webhook.Store:
		var err error
		if s, err = Open(log.Path()); err != nil {
			return nil, err
		}
	case *webhook.PGStore:
		s = openPostgres(log)
	default:
		return nil, fmt.Errorf("recipes cannot be kept beside an event log of type %T", ev)
	}
	s.events = ev
	return s, nil
}

// Close closes the store's connection.
func (s *Store) Close() error { return errors.Join(s.db.Close(), s.tables.close()) }

// Path is where the tables are, fit to print: the file, or the database's
// URL with its password masked.
func (s *Store) Path() string { return s.tables.where() }

// exec, query and queryRow run a query written with ? parameters.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.tables.bind(q), args...)
}

func (s *Store) queryRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.tables.bind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.tables.bind(q), args...)
}

// inTx runs fn in one transaction; fn's exec binds like Store.exec.
func (s *Store) inTx(ctx context.Context, fn func(exec execer) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(func(ctx context.Context, q string, args ...any) (sql.Result, error) {
		return tx.ExecContext(ctx, s.tables.bind(q), args...)
	}); err != nil {
		return err
	}
	return tx.Commit()
}

// execer runs one statement written with ? parameters.
type execer func(ctx context.Context, q string, args ...any) (sql.Result, error)

// Saved is a recipe as kept: the recipe and whether it runs.
type Saved struct {
	Recipe
	Armed bool
	// ArmedAfter is the newest event id when it was armed: older events start no jobs.
	ArmedAfter   int64
	DisarmReason string // why it disarmed itself, until it is armed again
	CreatedAt    time.Time
}

// Add saves a new recipe, disarmed.
func (s *Store) Add(ctx context.Context, r Recipe) error {
	spec, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding recipe %q: %w", r.Name, err)
	}
	_, err = s.exec(ctx, `INSERT INTO recipes (name, spec, created_at) VALUES (?, ?, ?)`,
		r.Name, string(spec), time.Now().UnixNano())
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("recipe %q: %w", r.Name, ErrExists)
		}
		return fmt.Errorf("saving recipe %q: %w", r.Name, err)
	}
	return nil
}

const selectRecipes = `SELECT name, spec, armed, armed_after, disarm_reason, created_at FROM recipes`

// Get reads one recipe by name.
func (s *Store) Get(ctx context.Context, name string) (Saved, error) {
	all, err := s.query(ctx, selectRecipes+` WHERE name = ?`, name)
	if err != nil {
		return Saved{}, err
	}
	if len(all) == 0 {
		return Saved{}, fmt.Errorf("recipe %q: %w", name, ErrNotFound)
	}
	return all[0], nil
}

// List reads every recipe, by name.
func (s *Store) List(ctx context.Context) ([]Saved, error) {
	return s.query(ctx, selectRecipes+` ORDER BY name`)
}

// Armed reads the armed recipes.
func (s *Store) Armed(ctx context.Context) ([]Saved, error) {
	return s.query(ctx, selectRecipes+` WHERE armed = 1 ORDER BY name`)
}

func (s *Store) query(ctx context.Context, q string, args ...any) ([]Saved, error) {
	rows, err := s.queryRows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading recipes: %w", err)
	}
	defer rows.Close()
	var out []Saved
	for rows.Next() {
		var r Saved
		var name, spec string
		var created int64
		if err := rows.Scan(&name, &spec, &r.Armed, &r.ArmedAfter, &r.DisarmReason, &created); err != nil {
			return nil, fmt.Errorf("reading recipes: %w", err)
		}
		if err := json.Unmarshal([]byte(spec), &r.Recipe); err != nil {
			return nil, fmt.Errorf("recipe %q: %w", name, err)
		}
		r.CreatedAt = time.Unix(0, created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading recipes: %w", err)
	}
	return out, nil
}

// Arm makes a recipe run for the events stored after event id after.
func (s *Store) Arm(ctx context.Context, name string, after int64) error {
	return s.update(ctx, name, `UPDATE recipes SET armed = 1, armed_after = ?, disarm_reason = '' WHERE name = ?`, after, name)
}

// Disarm stops a recipe; reason says why when it disarmed itself ("" by hand).
func (s *Store) Disarm(ctx context.Context, name, reason string) error {
	return s.update(ctx, name, `UPDATE recipes SET armed = 0, disarm_reason = ? WHERE name = ?`, reason, name)
}

// Replace saves a changed recipe under its name, disarmed: what was armed
// is not what would now run. Its jobs stay.
func (s *Store) Replace(ctx context.Context, r Recipe) error {
	spec, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding recipe %q: %w", r.Name, err)
	}
	return s.update(ctx, r.Name, `UPDATE recipes SET spec = ?, armed = 0, disarm_reason = '' WHERE name = ?`, string(spec), r.Name)
}

// Remove deletes a recipe; its jobs stay in the job log.
func (s *Store) Remove(ctx context.Context, name string) error {
	return s.update(ctx, name, `DELETE FROM recipes WHERE name = ?`, name)
}

func (s *Store) update(ctx context.Context, name, q string, args ...any) error {
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("recipe %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("recipe %q: %w", name, ErrNotFound)
	}
	return nil
}

// Tally is what a recipe's jobs came to.
type Tally struct {
	Succeeded int64     `json:"succeeded"`
	Failed    int64     `json:"failed"` // failed or unknown
	Skipped   int64     `json:"skipped"`
	Open      int64     `json:"open"` // queued or running
	LastRun   time.Time `json:"lastRun,omitzero"`
}

// Tallies counts the jobs of every recipe that has some.
func (s *Store) Tallies(ctx context.Context) (map[string]Tally, error) {
	rows, err := s.queryRows(ctx, `SELECT recipe, status, count(*), max(created_at) FROM jobs GROUP BY recipe, status`)
	if err != nil {
		return nil, fmt.Errorf("counting jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]Tally{}
	for rows.Next() {
		var name string
		var status Status
		var n, last int64
		if err := rows.Scan(&name, &status, &n, &last); err != nil {
			return nil, fmt.Errorf("counting jobs: %w", err)
		}
		t := out[name]
		switch status {
		case StatusSucceeded:
			t.Succeeded += n
		case StatusFailed, StatusUnknown:
			t.Failed += n
		case StatusSkipped:
			t.Skipped += n
		default:
			t.Open += n
		}
		if at := time.Unix(0, last); at.After(t.LastRun) {
			t.LastRun = at
		}
		out[name] = t
	}
	return out, rows.Err()
}

// inList is an IN list of ? parameters for ids, and ids as arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}
