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
)

var (
	// ErrNotFound is a recipe or job that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is a second recipe with a name already taken.
	ErrExists = errors.New("a recipe with that name already exists")
)

// Store keeps the recipes and their jobs in their own tables of the event
// log's database file, on their own connection.
type Store struct {
	db   *sql.DB
	path string
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

// Open opens the recipe tables in the database file at path (the event
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
	return &Store{db: db, path: path}, nil
}

// Close closes the store's connection.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

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
	_, err = s.db.ExecContext(ctx, `INSERT INTO recipes (name, spec, created_at) VALUES (?, ?, ?)`,
		r.Name, string(spec), time.Now().UnixNano())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
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
	rows, err := s.db.QueryContext(ctx, q, args...)
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

// Remove deletes a recipe; its jobs stay in the job log.
func (s *Store) Remove(ctx context.Context, name string) error {
	return s.update(ctx, name, `DELETE FROM recipes WHERE name = ?`, name)
}

func (s *Store) update(ctx context.Context, name, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
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
	rows, err := s.db.QueryContext(ctx, `SELECT recipe, status, count(*), max(created_at) FROM jobs GROUP BY recipe, status`)
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
