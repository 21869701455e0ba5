package webhook

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"
)

// AddPruner registers a table's pruner; the process that prunes the shared
// log calls it with the log's limits about once a minute.
func (p *PGStore) AddPruner(name string, pr Pruner) {
	p.prunersMu.Lock()
	defer p.prunersMu.Unlock()
	p.pruneHook[name] = pr
}

// pgPruneBounds selects the unpinned events a prune removes, never the
// newest one: $1 received before (0: no bound), $2 at or below id (0: no bound).
const pgPruneBounds = `NOT e.pinned AND e.id < (SELECT max(id) FROM events)
	AND (($1::bigint > 0 AND e.received_at < $1) OR ($2::bigint > 0 AND e.id <= $2))`

// Prune removes the events req selects, a batch per transaction, each
// batch taking its counts off the log's totals.
func (p *PGStore) Prune(ctx context.Context, req PruneRequest) (PruneResult, error) {
	var res PruneResult
	if req.Before.IsZero() && req.KeepEvents <= 0 {
		return res, errors.New("say what to prune: a date to prune before, or how many events to keep")
	}
	var before, upTo int64
	if !req.Before.IsZero() {
		before = req.Before.UnixNano()
	}
	if req.KeepEvents > 0 {
		err := p.pool.QueryRow(ctx, `SELECT coalesce((SELECT id FROM events ORDER BY id DESC OFFSET $1 LIMIT 1), 0)`,
			req.KeepEvents).Scan(&upTo)
		if err != nil {
			return res, fmt.Errorf("finding the events to keep: %w", err)
		}
		if upTo == 0 && before == 0 {
			return res, nil
		}
	}
	var err error
	if res.FileBefore, err = p.usedBytes(ctx); err != nil {
		return res, err
	}
	if req.DryRun {
		err := p.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(pg_column_size(e.*)), 0) FROM events e WHERE `+pgPruneBounds,
			before, upTo).Scan(&res.Events, &res.Bytes)
		if err != nil {
			return res, fmt.Errorf("counting the events to prune: %w", err)
		}
		res.FileAfter = res.FileBefore
		return res, nil
	}
	for {
		var n, bytes int64
		err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			var c struct{ events, rejected, duplicates, mismatches int64 }
			err := tx.QueryRow(ctx, `WITH gone AS (
					DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE `+pgPruneBounds+` ORDER BY e.id LIMIT $3)
					RETURNING id, status, duplicate_of, mismatch, pg_column_size(events.*) AS size),
				matches AS (DELETE FROM event_triggers WHERE event_id IN (SELECT id FROM gone))
				SELECT count(*), count(*) FILTER (WHERE status <> 'accepted'), count(*) FILTER (WHERE duplicate_of <> 0),
					count(*) FILTER (WHERE mismatch), coalesce(sum(size), 0) FROM gone`,
				before, upTo, pruneBatch).Scan(&c.events, &c.rejected, &c.duplicates, &c.mismatches, &bytes)
			if err != nil {
				return err
			}
			n = c.events
			b := &pgx.Batch{}
			for name, k := range map[string]int64{"events": c.events, "rejected": c.rejected, "duplicates": c.duplicates, "mismatches": c.mismatches} {
				b.Queue(`UPDATE counters SET n = n - $1 WHERE name = $2`, k, name)
			}
			return tx.SendBatch(ctx, b).Close()
		})
		if err != nil {
			return res, fmt.Errorf("pruning events: %w", err)
		}
		res.Events += n
		res.Bytes += bytes
		if n < pruneBatch {
			break
		}
	}
	p.setCounts(ctx)
	if res.FileAfter, err = p.usedBytes(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// setCounts re-reads the totals after a prune took some off, which
// readCounts (totals only grow) would not take.
func (p *PGStore) setCounts(ctx context.Context) {
	var e, r, d, m int64
	err := p.pool.QueryRow(ctx, `SELECT
		(SELECT n FROM counters WHERE name = 'events'), (SELECT n FROM counters WHERE name = 'rejected'),
		(SELECT n FROM counters WHERE name = 'duplicates'), (SELECT n FROM counters WHERE name = 'mismatches')`).Scan(&e, &r, &d, &m)
	if err != nil {
		p.log.Warn("reading the event log's counts", "err", err)
		return
	}
	p.events.Store(e)
	p.rejected.Store(r)
	p.duplicates.Store(d)
	p.mismatches.Store(m)
}

// Pin keeps an event whatever the retention limits say (or, with pinned
// false, lets it age again).
func (p *PGStore) Pin(ctx context.Context, id int64, pinned bool) error {
	tag, err := p.pool.Exec(ctx, `UPDATE events SET pinned = $1 WHERE id = $2`, pinned, id)
	if err != nil {
		return fmt.Errorf("pinning event %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("event %d: %w", id, ErrNotFound)
	}
	return nil
}

// Usage reports the log's size on the server and its limits.
func (p *PGStore) Usage(ctx context.Context) (Usage, error) {
	used, err := p.usedBytes(ctx)
	if err != nil {
		return Usage{}, err
	}
	return Usage{FileBytes: used, UsedBytes: used, Events: p.events.Load(), Retention: p.opts.Retention}, nil
}

func (p *PGStore) usedBytes(ctx context.Context) (int64, error) {
	var n int64
	err := p.pool.QueryRow(ctx, `SELECT pg_total_relation_size('events') + pg_total_relation_size('event_triggers')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reading the log's size: %w", err)
	}
	return n, nil
}

// retain keeps the shared log within the retention limits: every
// retentionEvery, the one process holding the retention lock prunes what
// KeepDays and KeepEvents let go (MaxBytes is the file store's: a
// database server's size is its operator's), and about once a minute runs
// the registered pruners.
func (p *PGStore) retain(ctx context.Context) {
	defer close(p.retainDone)
	r := p.opts.Retention
	if r.KeepDays <= 0 && r.KeepEvents <= 0 {
		return
	}
	tick := time.NewTicker(retentionEvery)
	defer tick.Stop()
	var lastHooks time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// The pruners' tables are this process's own: every process runs them.
		if time.Since(lastHooks) >= prunersEvery {
			lastHooks = time.Now()
			p.prunersMu.Lock()
			hooks := maps.Clone(p.pruneHook)
			p.prunersMu.Unlock()
			callPruners(p.log, r, hooks)
		}
		if err := p.pruneIfFirst(ctx, r); err != nil && ctx.Err() == nil {
			p.log.Warn("keeping the retention limits", "err", err)
		}
	}
}

// pruneIfFirst prunes to the limits unless another process is doing so.
func (p *PGStore) pruneIfFirst(ctx context.Context, r Retention) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, pgLockRetention).Scan(&got); err != nil || !got {
		return err
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, pgLockRetention)
	}()
	res, err := p.Prune(ctx, PruneRequest{Before: r.cutoff(time.Now()), KeepEvents: r.KeepEvents})
	if res.Events > 0 {
		p.log.Info("pruned by the retention limits", "events", res.Events)
	}
	return err
}
