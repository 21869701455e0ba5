package recipe

import (
	"context"
	"fmt"
)

// JobsForEvents reads the jobs of the events ids, in one query, without
// their steps: a list of events marks those that started jobs and shows
// each job's recipe, status and reason. Each event's jobs are newest first;
// events without jobs are absent.
func (s *Store) JobsForEvents(ctx context.Context, ids []int64) (map[int64][]Job, error) {
	out := map[int64][]Job{}
	if len(ids) == 0 {
		return out, nil
	}
	list, args := inList(ids)
	q := selectJobs + ` WHERE event_id IN ` + list + ` ORDER BY id DESC`
	rows, err := s.queryRows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the events' jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the events' jobs: %w", err)
		}
		out[j.EventID] = append(out[j.EventID], j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the events' jobs: %w", err)
	}
	return out, nil
}
