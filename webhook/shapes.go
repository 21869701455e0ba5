package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The requests table keeps each distinct request shape (method, path,
// query, content type, headers) once, and events point at it. Pruning
// events leaves shapes that no event points at any more; with a header
// that differs per request, one per pruned event. pruneShapes removes
// them: a pass reads which shapes the events use, on a read connection and
// in chunks, so the flusher never waits on it; the flusher then deletes the
// others, a batch per transaction, keeping any that an event stored since
// the pass uses.

const (
	// shapeChunk is how many events one query of a pass reads.
	shapeChunk = 50_000
	// shapesEvery is how often retention looks for unused shapes, once it
	// has pruned events: a pass reads the whole events table.
	shapesEvery = time.Hour
)

// pruneShapes removes the request shapes no event uses and says how many
// went.
func (s *Store) pruneShapes(ctx context.Context) (int64, error) {
	var top int64
	if err := s.read.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&top); err != nil {
		return 0, fmt.Errorf("reading the request shapes: %w", err)
	}
	if top == 0 {
		return 0, nil
	}
	used := make([]uint64, top/64+1) // a bit per shape id up to top
	var seen int64                   // the newest event the pass read
	for {
		n, last, err := s.markShapes(ctx, used, top, seen)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			break
		}
		seen = last
		if n < shapeChunk {
			break
		}
	}
	unused, err := s.unusedShapes(ctx, used, top)
	if err != nil {
		return 0, err
	}
	var removed int64
	for len(unused) > 0 {
		batch := unused[:min(pruneBatch, len(unused))]
		unused = unused[len(batch):]
		err := s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
			n, err := s.deleteShapes(ctx, c, batch, seen)
			removed += n
			return err
		})
		if err != nil {
			return removed, fmt.Errorf("pruning request shapes: %w", err)
		}
	}
	return removed, nil
}

// markShapes sets the bits of the shapes used by the events after id
// `after`, up to shapeChunk of them; it returns how many it read and the
// last one's id.
func (s *Store) markShapes(ctx context.Context, used []uint64, top, after int64) (n int, last int64, err error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, request FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, shapeChunk)
	if err != nil {
		return 0, 0, fmt.Errorf("reading which request shapes are used: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var shape int64
		if err := rows.Scan(&last, &shape); err != nil {
			return 0, 0, fmt.Errorf("reading which request shapes are used: %w", err)
		}
		n++
		if shape > 0 && shape <= top {
			used[shape/64] |= 1 << (shape % 64)
		}
	}
	return n, last, rows.Err()
}

// unusedShapes lists the shapes up to top whose bit is not set.
func (s *Store) unusedShapes(ctx context.Context, used []uint64, top int64) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM requests WHERE id <= ? ORDER BY id`, top)
	if err != nil {
		return nil, fmt.Errorf("reading the request shapes: %w", err)
	}
	defer rows.Close()
	var unused []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reading the request shapes: %w", err)
		}
		if used[id/64]&(1<<(id%64)) == 0 {
			unused = append(unused, id)
		}
	}
	return unused, rows.Err()
}

// deleteShapes deletes the given shapes but those used by an event after
// `seen` (stored since the pass read the events), inside the flusher's
// transaction on c, and forgets them in the flusher's cache.
func (s *Store) deleteShapes(ctx context.Context, c *sql.Conn, ids []int64, seen int64) (int64, error) {
	rows, err := c.QueryContext(ctx, `SELECT DISTINCT request FROM events WHERE id > ?`, seen)
	if err != nil {
		return 0, err
	}
	recent := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		recent[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	args := make([]any, 0, len(ids))
	gone := map[int64]bool{}
	for _, id := range ids {
		if !recent[id] {
			args = append(args, id)
			gone[id] = true
		}
	}
	if len(args) == 0 {
		return 0, nil
	}
	res, err := c.ExecContext(ctx, `DELETE FROM requests WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
	if err != nil {
		return 0, err
	}
	// The flusher runs this: its cache is its own to change.
	for h, id := range s.requests {
		if gone[id] {
			delete(s.requests, h)
		}
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// shapesPruner is the retention's pruner for the request shapes: once
// events have been pruned, at most once per shapesEvery, it removes the
// shapes they left unused.
func (s *Store) shapesPruner() Pruner {
	var lastPass time.Time
	var prunedAt int64 // the pruned-events count at the last pass
	return func(ctx context.Context, _ time.Time, _ int64) (int64, error) {
		pruned := s.pruned.Load()
		if pruned == prunedAt || time.Since(lastPass) < shapesEvery {
			return 0, nil
		}
		lastPass, prunedAt = time.Now(), pruned
		return s.pruneShapes(ctx)
	}
}
