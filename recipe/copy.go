package recipe

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CopyResult says what Copy did.
type CopyResult struct {
	Recipes     []string // recipes added, disarmed
	WereArmed   []string // of those, the ones armed where they came from
	KeptRecipes []string // recipes the target had by that name, left as they were
	Jobs        int      // jobs added
	Before      int      // jobs an earlier copy had added
}

// copiedUnfinished is the reason of a job copied before it had finished.
const copiedUnfinished = "copied from another event log before it finished: it does not run here by itself (iwb jobs rerun runs it again)"

// copyBatch is how many jobs one transaction of Copy adds.
const copyBatch = 200

// Copy copies the recipes and jobs of from into to, after from's events
// were copied into to's log: eventID gives a copied event's id there.
// Recipes come disarmed, so that nothing starts sending from the target's
// runner until someone arms them there. A job an earlier copy took (the
// same recipe, event and creation time) is not copied again; a job that
// had not finished comes as unknown, so that it does not run by itself.
func Copy(ctx context.Context, from, to *Store, eventID func(int64) int64) (CopyResult, error) {
	var res CopyResult
	recipes, err := from.List(ctx)
	if err != nil {
		return res, err
	}
	for _, r := range recipes {
		err := to.Add(ctx, r.Recipe)
		switch {
		case errors.Is(err, ErrExists):
			if have, err := to.Get(ctx, r.Name); err != nil || !sameRecipe(have.Recipe, r.Recipe) {
				res.KeptRecipes = append(res.KeptRecipes, r.Name)
			}
		case err != nil:
			return res, err
		default:
			res.Recipes = append(res.Recipes, r.Name)
			if r.Armed {
				res.WereArmed = append(res.WereArmed, r.Name)
			}
		}
	}
	copied := map[int64]int64{} // from's job ids to to's, for rerun_of
	for after := int64(0); ; {
		jobs, err := from.jobsAfter(ctx, after, copyBatch)
		if err != nil {
			return res, err
		}
		if len(jobs) == 0 {
			return res, nil
		}
		added, before, err := to.addCopies(ctx, jobs, eventID, copied)
		if err != nil {
			return res, err
		}
		res.Jobs, res.Before = res.Jobs+added, res.Before+before
		after = jobs[len(jobs)-1].ID
	}
}

// sameRecipe says whether two recipes are the same in their file form.
func sameRecipe(a, b Recipe) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// jobsAfter reads up to limit jobs with ids after after, in id order, with
// their steps.
func (s *Store) jobsAfter(ctx context.Context, after int64, limit int) ([]Job, error) {
	return s.jobsWithSteps(ctx, selectJobs+` WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// addCopies adds copies of jobs, in one transaction, but for those an
// earlier copy added; copied maps the ids of jobs seen so far to their
// copies' ids.
func (s *Store) addCopies(ctx context.Context, jobs []Job, eventID func(int64) int64, copied map[int64]int64) (added, before int, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("copying jobs: %w", err)
	}
	defer tx.Rollback()
	seen := map[int64]int64{}
	for _, j := range jobs {
		event := eventID(j.EventID)
		var id int64
		err := tx.QueryRowContext(ctx, s.tables.bind(`SELECT id FROM jobs WHERE event_id = ? AND recipe = ? AND created_at = ?`),
			event, j.Recipe, j.CreatedAt.UnixNano()).Scan(&id)
		if err == nil {
			seen[j.ID] = id
			before++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, fmt.Errorf("copying job %d: %w", j.ID, err)
		}
		status, reason, finished := j.Status, j.Reason, j.FinishedAt
		if !status.Finished() {
			status, reason, finished = StatusUnknown, copiedUnfinished, time.Now()
		}
		rerun := copied[j.RerunOf]
		if r, ok := seen[j.RerunOf]; ok {
			rerun = r
		}
		// A job the target's runner made for the same recipe and event
		// already (the jobs_once key) is the target's own: it stays.
		err = tx.QueryRowContext(ctx, s.tables.bind(`INSERT INTO jobs (recipe, event_id, status, reason, manual,
			rerun_of, created_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`),
			j.Recipe, event, string(status), dbText(reason), flag(j.Manual), rerun, j.CreatedAt.UnixNano(),
			unixOrZero(j.StartedAt), unixOrZero(finished)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("copying job %d: %w", j.ID, err)
		}
		for _, st := range j.Steps {
			_, err := tx.ExecContext(ctx, s.tables.bind(`INSERT INTO job_steps (job_id, n, action, sent, done, method,
				path, body, status, answer, error, duration_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				id, st.N, st.Action, flag(st.Sent), flag(st.Done), st.Method, st.Path, keepJSON(st.Body), st.Status,
				keepJSON(st.Answer), dbText(st.Error), int64(st.Duration))
			if err != nil {
				return 0, 0, fmt.Errorf("copying step %d of job %d: %w", st.N, j.ID, err)
			}
		}
		seen[j.ID] = id
		added++
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("copying jobs: %w", err)
	}
	for from, to := range seen {
		copied[from] = to
	}
	return added, before, nil
}

// unixOrZero is t in Unix nanoseconds as the job tables keep it: 0 for none.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
