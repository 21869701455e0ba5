package recipe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iwb-dev/iwb/webhook"
)

// pruneBatch is how many jobs one transaction removes at most, so that the
// event log's writer never waits on it for more than a few milliseconds.
const pruneBatch = 500

// Prune removes finished jobs, with their steps, created before `before`
// (when not zero) or beyond the newest keep jobs (when keep > 0), oldest
// first, a batch per transaction, and says how many went. The jobs of a
// pinned event stay, as the event does. It is the event log's pruner for
// the jobs tables (webhook.Pruner), so they age with the events.
func (s *Store) Prune(ctx context.Context, before time.Time, keep int64) (int64, error) {
	if s.events == nil {
		return 0, errors.New("pruning jobs: the store was not opened for an event log, so pinned events are unknown")
	}
	var upTo, cut int64 // jobs with an id up to upTo, or created before cut, go
	if keep > 0 {
		err := s.queryRow(ctx, `SELECT coalesce((SELECT id FROM jobs ORDER BY id DESC LIMIT 1 OFFSET ?), 0)`, keep).Scan(&upTo)
		if err != nil {
			return 0, fmt.Errorf("pruning jobs: %w", err)
		}
	}
	if !before.IsZero() {
		cut = before.UnixNano()
	}
	var removed, after int64
	for {
		gone, last, more, err := s.pruneCandidates(ctx, after, upTo, cut)
		if err != nil {
			return removed, err
		}
		if len(gone) > 0 {
			if err := s.deleteJobs(ctx, gone); err != nil {
				return removed, err
			}
			removed += int64(len(gone))
		}
		if !more {
			return removed, nil
		}
		after = last
	}
}

// pruneCandidates reads up to pruneBatch jobs after id `after`, oldest
// first, and returns those that may go; more says whether older-than-the-
// limits jobs may follow.
func (s *Store) pruneCandidates(ctx context.Context, after, upTo, cut int64) (gone []int64, last int64, more bool, err error) {
	rows, err := s.queryRows(ctx, `SELECT id, event_id, status, created_at FROM jobs WHERE id > ? ORDER BY id LIMIT ?`, after, pruneBatch)
	if err != nil {
		return nil, 0, false, fmt.Errorf("pruning jobs: %w", err)
	}
	type row struct{ id, event int64 }
	var due []row
	n := 0
	for rows.Next() {
		var r row
		var status Status
		var created int64
		if err := rows.Scan(&r.id, &r.event, &status, &created); err != nil {
			rows.Close()
			return nil, 0, false, fmt.Errorf("pruning jobs: %w", err)
		}
		n++
		last = r.id
		if r.id > upTo && created >= cut {
			// Ids follow creation: the jobs from here on are within the limits.
			rows.Close()
			n = 0
			break
		}
		if status.Finished() {
			due = append(due, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, false, fmt.Errorf("pruning jobs: %w", err)
	}
	pinned := map[int64]bool{}
	for _, r := range due {
		if _, seen := pinned[r.event]; seen {
			continue
		}
		ev, err := s.events.Get(ctx, r.event)
		switch {
		case errors.Is(err, webhook.ErrNotFound):
			pinned[r.event] = false
		case err != nil:
			return nil, 0, false, fmt.Errorf("pruning jobs: %w", err)
		default:
			pinned[r.event] = ev.Pinned
		}
	}
	for _, r := range due {
		if !pinned[r.event] {
			gone = append(gone, r.id)
		}
	}
	return gone, last, n == pruneBatch, nil
}

// deleteJobs removes jobs and their steps in one transaction.
func (s *Store) deleteJobs(ctx context.Context, ids []int64) error {
	list, args := inList(ids)
	err := s.inTx(ctx, func(exec execer) error {
		if _, err := exec(ctx, `DELETE FROM job_steps WHERE job_id IN `+list, args...); err != nil {
			return err
		}
		_, err := exec(ctx, `DELETE FROM jobs WHERE id IN `+list, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("pruning jobs: %w", err)
	}
	return nil
}
