package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Watch calls changed each time the log's file was committed to since the
// previous look, by this process's writer or by another process (`iwb
// listen`, `iwb trigger add` while the workbench runs), looking every
// interval until ctx ends. It asks SQLite's PRAGMA data_version on a
// connection of its own (not one of the readers'), which changes with every
// commit made on any other connection, so a look costs no read of the data.
// The log's running counts (Stats) are brought up to date before changed is
// called; a reader that shows the log re-reads what it shows.
func (s *Store) Watch(ctx context.Context, every time.Duration, changed func()) error {
	db, err := sql.Open("sqlite", s.path+"?_pragma=busy_timeout(1000)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("watching the event log: %w", err)
	}
	defer db.Close()
	// data_version is per connection: always ask the same one.
	db.SetMaxOpenConns(1)
	version := func() (int64, error) {
		var v int64
		if err := db.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			return 0, fmt.Errorf("watching the event log: %w", err)
		}
		return v, nil
	}
	last, err := version()
	if err != nil {
		return err
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		v, err := version()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if v != last {
			last = v
			if err := s.reloadCounts(ctx); err != nil {
				s.log.Warn("reloading the event log's counts", "err", err)
			}
			changed()
		}
	}
}

// reloadCounts reads the persisted counts again, which other processes'
// commits add to. It runs in the writer, between its commits, so that no
// count of this process is lost or counted twice.
func (s *Store) reloadCounts(ctx context.Context) error {
	return s.exec(ctx, false, func(ctx context.Context, _ *sql.Conn) error { return s.loadCounters(ctx) })
}
