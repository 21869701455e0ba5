// Package webhook is iwb's embedded listener: HTTP intake of Iterable's
// system and journey webhooks, the durable event log (SQLite), the New Object
// and New Workflow triggers, live fan-out to readers, and forwarding.
//
// The TUI embeds it exactly as `iwb listen` does:
//
//	st, err := webhook.Open(dbPath, webhook.StoreOptions{Logger: log})
//	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: "127.0.0.1:8787"})
//	sub := st.Subscribe()            // live copies; sub.TakeDropped() > 0 → re-read st.List(Query{AfterID: last})
//	err = srv.Start(ctx)             // srv.URL(), srv.Stats() for the status bar
//	...
//	srv.Shutdown(ctx); st.Close()
//
// An event is answered 200 only once it is stored: in the SQLite log's
// spool (one write per batch of concurrent requests), from which a flusher
// goroutine inserts it into the tables in large transactions, or, in a
// PostgreSQL log, after the transaction holding it commits.
package webhook
