package recipe

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/webhook"
)

// Status is where a job stands.
type Status string

const (
	StatusQueued    Status = "queued"    // stored, not started
	StatusRunning   Status = "running"   // a step has been started
	StatusSucceeded Status = "succeeded" // every step answered 2xx
	StatusFailed    Status = "failed"    // a step failed, or could not be filled or sent
	StatusSkipped   Status = "skipped"   // nothing sent: a condition false, the payload not fitting, a missing pill
	StatusUnknown   Status = "unknown"   // iwb stopped while a step was in flight: it may have been sent
)

// Statuses lists every status, for flags and filters.
var Statuses = []Status{StatusQueued, StatusRunning, StatusSucceeded, StatusFailed, StatusSkipped, StatusUnknown}

// Finished says whether the job will not change by itself any more.
func (s Status) Finished() bool { return s != StatusQueued && s != StatusRunning }

// Job is one run of a recipe on one event.
type Job struct {
	ID         int64
	Recipe     string
	EventID    int64
	Status     Status
	Reason     string // why it was skipped, failed or is unknown
	Manual     bool   // started by hand
	RerunOf    int64
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Steps      []StepRun
}

// StepRun is one step of a job: the request as sent (no key: it travels in
// a header that is never kept) and the answer.
type StepRun struct {
	N        int
	Action   string
	Method   string
	Path     string
	Body     json.RawMessage // the body with its pills filled; nil for a GET
	Sent     bool            // the request may have left
	Done     bool            // its outcome is kept
	Status   int             // the HTTP status; 0 when none came
	Answer   json.RawMessage // Iterable's answer when it was JSON
	Error    string
	Duration time.Duration
}

type stepJSON struct {
	N          int             `json:"n"`
	Action     string          `json:"action"`
	Status     int             `json:"status"`
	Request    requestJSON     `json:"request"`
	Answer     json.RawMessage `json:"answer"`
	Error      string          `json:"error,omitempty"`
	DurationMS float64         `json:"duration_ms"`
}

type requestJSON struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
}

type jobJSON struct {
	ID         int64      `json:"id"`
	Recipe     string     `json:"recipe"`
	EventID    int64      `json:"event_id"`
	Status     Status     `json:"status"`
	Reason     string     `json:"reason"`
	Manual     bool       `json:"manual,omitempty"`
	RerunOf    int64      `json:"rerun_of,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  time.Time  `json:"started_at,omitzero"`
	FinishedAt time.Time  `json:"finished_at,omitzero"`
	Steps      []stepJSON `json:"steps"`
}

// MarshalJSON is the job's one JSON shape, as `iwb jobs` prints it.
func (j Job) MarshalJSON() ([]byte, error) {
	v := jobJSON{ID: j.ID, Recipe: j.Recipe, EventID: j.EventID, Status: j.Status, Reason: j.Reason,
		Manual: j.Manual, RerunOf: j.RerunOf, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt,
		FinishedAt: j.FinishedAt, Steps: make([]stepJSON, len(j.Steps))}
	for i, s := range j.Steps {
		v.Steps[i] = stepJSON{N: s.N, Action: s.Action, Status: s.Status, Error: s.Error,
			Request:    requestJSON{Method: s.Method, Path: s.Path, Body: orNull(s.Body)},
			Answer:     orNull(s.Answer),
			DurationMS: float64(s.Duration.Microseconds()) / 1000}
	}
	return json.Marshal(v)
}

func orNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// maxKept bounds what one step keeps of a body or an answer.
const maxKept = 1 << 20

// keepJSON is b when it is JSON small enough to keep, else the text of it
// as a JSON string, cut.
func keepJSON(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) <= maxKept && json.Valid(b) {
		return b
	}
	s := strings.ToValidUTF8(string(b[:min(len(b), maxKept)]), "?")
	out, _ := json.Marshal(s)
	return out
}

const selectJobs = `SELECT id, recipe, event_id, status, reason, manual, rerun_of, created_at, started_at, finished_at FROM jobs`

func scanJob(r interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var created, started, finished int64
	if err := r.Scan(&j.ID, &j.Recipe, &j.EventID, &j.Status, &j.Reason, &j.Manual, &j.RerunOf, &created, &started, &finished); err != nil {
		return Job{}, err
	}
	j.CreatedAt = time.Unix(0, created)
	if started > 0 {
		j.StartedAt = time.Unix(0, started)
	}
	if finished > 0 {
		j.FinishedAt = time.Unix(0, finished)
	}
	return j, nil
}

// Job reads one job with its steps.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.queryRow(ctx, selectJobs+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("reading job %d: %w", id, err)
	}
	if j.Steps, err = s.steps(ctx, id); err != nil {
		return Job{}, err
	}
	return j, nil
}

func (s *Store) steps(ctx context.Context, jobID int64) ([]StepRun, error) {
	rows, err := s.queryRows(ctx, `SELECT n, action, sent, done, method, path, body, status, answer, error, duration_ns
		FROM job_steps WHERE job_id = ? ORDER BY n`, jobID)
	if err != nil {
		return nil, fmt.Errorf("reading the steps of job %d: %w", jobID, err)
	}
	defer rows.Close()
	var out []StepRun
	for rows.Next() {
		var st StepRun
		var took int64
		var body, answer []byte
		if err := rows.Scan(&st.N, &st.Action, &st.Sent, &st.Done, &st.Method, &st.Path, &body, &st.Status, &answer, &st.Error, &took); err != nil {
			return nil, fmt.Errorf("reading the steps of job %d: %w", jobID, err)
		}
		st.Body, st.Answer, st.Duration = body, answer, time.Duration(took)
		out = append(out, st)
	}
	return out, rows.Err()
}

// JobQuery selects jobs, newest first.
type JobQuery struct {
	Recipe  string
	Status  Status
	EventID int64
	Limit   int // default 50
}

// Jobs reads the jobs a query selects, newest first, with their steps.
func (s *Store) Jobs(ctx context.Context, q JobQuery) ([]Job, error) {
	var conds []string
	var args []any
	if q.Recipe != "" {
		conds, args = append(conds, "recipe = ?"), append(args, q.Recipe)
	}
	if q.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, string(q.Status))
	}
	if q.EventID != 0 {
		conds, args = append(conds, "event_id = ?"), append(args, q.EventID)
	}
	sqlText := selectJobs
	if len(conds) > 0 {
		sqlText += " WHERE " + strings.Join(conds, " AND ")
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	return s.jobsWithSteps(ctx, sqlText+" ORDER BY id DESC LIMIT ?", append(args, q.Limit)...)
}

// jobsWithSteps reads the jobs a query selects, each with its steps.
func (s *Store) jobsWithSteps(ctx context.Context, query string, args ...any) ([]Job, error) {
	rows, err := s.queryRows(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing jobs: %w", err)
		}
		out = append(out, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	for i := range out {
		if out[i].Steps, err = s.steps(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newJob is a job about to be stored: queued, or already skipped.
type newJob struct {
	recipe  string
	eventID int64
	status  Status
	reason  string
}

// addJobs stores new automatic jobs in one transaction. A recipe and event
// that already has one is left alone, so an event never starts a recipe twice.
func (s *Store) addJobs(ctx context.Context, jobs []newJob) (added int, err error) {
	now := time.Now().UnixNano()
	err = s.inTx(ctx, func(exec execer) error {
		for _, j := range jobs {
			finished := int64(0)
			if j.status.Finished() {
				finished = now
			}
			res, err := exec(ctx, `INSERT INTO jobs (recipe, event_id, status, reason, created_at, finished_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, j.recipe, j.eventID, string(j.status), dbText(j.reason), now, finished)
			if err != nil {
				return fmt.Errorf("a job of %q: %w", j.recipe, err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storing jobs: %w", err)
	}
	return added, nil
}

// addManual stores a job started by hand, queued, and returns its id.
func (s *Store) addManual(ctx context.Context, recipe string, eventID, rerunOf int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `INSERT INTO jobs (recipe, event_id, status, manual, rerun_of, created_at)
		VALUES (?, ?, 'queued', 1, ?, ?) RETURNING id`, recipe, eventID, rerunOf, time.Now().UnixNano()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing a job of %q: %w", recipe, err)
	}
	return id, nil
}

// startedSince counts a recipe's automatic jobs stored since t.
func (s *Store) startedSince(ctx context.Context, recipe string, t time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM jobs WHERE recipe = ? AND created_at >= ? AND manual = 0`,
		recipe, t.UnixNano()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting the jobs of %q: %w", recipe, err)
	}
	return n, nil
}

// lastEvent is the newest event a recipe has an automatic job for.
func (s *Store) lastEvent(ctx context.Context, recipe string) (int64, error) {
	var id sql.NullInt64
	if err := s.queryRow(ctx, `SELECT max(event_id) FROM jobs WHERE recipe = ? AND manual = 0`, recipe).Scan(&id); err != nil {
		return 0, fmt.Errorf("reading the jobs of %q: %w", recipe, err)
	}
	return id.Int64, nil
}

// queued lists the ids of up to limit jobs waiting to run, oldest first.
func (s *Store) queued(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.queryRows(ctx, `SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing queued jobs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("listing queued jobs: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// startStep keeps a step as sent, before its request leaves: a crash from
// here on leaves the job unknown rather than sending the step again.
func (s *Store) startStep(ctx context.Context, jobID int64, st StepRun) error {
	now := time.Now().UnixNano()
	err := s.inTx(ctx, func(exec execer) error {
		if _, err := exec(ctx, `UPDATE jobs SET status = 'running', started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END
			WHERE id = ?`, now, jobID); err != nil {
			return err
		}
		_, err := exec(ctx, `INSERT INTO job_steps (job_id, n, action, sent, done, method, path, body)
			VALUES (?, ?, ?, ?, 0, ?, ?, ?)
			ON CONFLICT (job_id, n) DO UPDATE SET action = excluded.action, sent = excluded.sent, done = 0,
				method = excluded.method, path = excluded.path, body = excluded.body, status = 0, answer = NULL,
				error = '', duration_ns = 0`,
			jobID, st.N, st.Action, flag(st.Sent), st.Method, st.Path, keepJSON(st.Body))
		return err
	})
	if err != nil {
		return fmt.Errorf("starting step %d of job %d: %w", st.N, jobID, err)
	}
	return nil
}

// flag is a boolean as the tables keep it.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// finishStep keeps a step's outcome and, when status is not empty, the
// job's with it, in one transaction.
func (s *Store) finishStep(ctx context.Context, jobID int64, st StepRun, status Status, reason string) error {
	err := s.inTx(ctx, func(exec execer) error {
		if _, err := exec(ctx, `UPDATE job_steps SET done = 1, status = ?, answer = ?, error = ?, duration_ns = ?
			WHERE job_id = ? AND n = ?`, st.Status, keepJSON(st.Answer), dbText(st.Error), int64(st.Duration), jobID, st.N); err != nil {
			return err
		}
		if status == "" {
			return nil
		}
		return finishJob(ctx, exec, jobID, status, reason)
	})
	if err != nil {
		return fmt.Errorf("keeping step %d of job %d: %w", st.N, jobID, err)
	}
	return nil
}

// finish sets a job's status.
func (s *Store) finish(ctx context.Context, jobID int64, status Status, reason string) error {
	if err := finishJob(ctx, s.exec, jobID, status, reason); err != nil {
		return fmt.Errorf("finishing job %d: %w", jobID, err)
	}
	return nil
}

func finishJob(ctx context.Context, exec execer, jobID int64, status Status, reason string) error {
	finished := int64(0)
	if status.Finished() {
		finished = time.Now().UnixNano()
	}
	_, err := exec(ctx, `UPDATE jobs SET status = ?, reason = ?, finished_at = ? WHERE id = ?`,
		string(status), dbText(reason), finished, jobID)
	return err
}

// dbText is text fit for both databases: a reason or an error may quote an
// answer holding what PostgreSQL refuses in text.
func dbText(s string) string { return webhook.PostgresText(s) }

// recoverJobs settles the jobs a runner that stopped left running: one
// whose step was in flight is unknown (it is not sent again by itself);
// one between steps goes back to the queue and resumes at its next step.
func (s *Store) recoverJobs(ctx context.Context) (unknown, requeued int, err error) {
	err = s.inTx(ctx, func(exec execer) error {
		res, err := exec(ctx, `UPDATE jobs SET status = 'unknown', finished_at = ?,
			reason = 'iwb stopped while step ' || (SELECT min(n) FROM job_steps WHERE job_id = jobs.id AND sent = 1 AND done = 0)
				|| ' was in flight: it may have been sent, so it is not sent again (jobs rerun sends it again)'
			WHERE status = 'running' AND EXISTS (SELECT 1 FROM job_steps WHERE job_id = jobs.id AND sent = 1 AND done = 0)`,
			time.Now().UnixNano())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		unknown = int(n)
		if res, err = exec(ctx, `UPDATE jobs SET status = 'queued' WHERE status = 'running'`); err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		requeued = int(n)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("recovering jobs: %w", err)
	}
	return unknown, requeued, nil
}

// jobEvents is the set of events from id lo to hi that already have an
// automatic job of the recipe.
func (s *Store) jobEvents(ctx context.Context, recipe string, lo, hi int64) (map[int64]bool, error) {
	rows, err := s.queryRows(ctx, `SELECT event_id FROM jobs WHERE recipe = ? AND manual = 0 AND event_id BETWEEN ? AND ?`, recipe, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("reading the jobs of %q: %w", recipe, err)
	}
	defer rows.Close()
	have := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading the jobs of %q: %w", recipe, err)
		}
		have[id] = true
	}
	return have, rows.Err()
}
