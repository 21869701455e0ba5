package tui

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/iwb-dev/iwb/tui/pages/events"
)

// relayEvery is how often the relay wakes the page with new events.
const relayEvery = 50 * time.Millisecond

// watchEvery is how often the store is asked whether another process (iwb
// listen, iwb trigger add) committed to it.
const watchEvery = 250 * time.Millisecond

// Run opens the workbench in the terminal and returns when the user quits
// (nil), when ctx ends, or with ErrStartDemo when the user chose the demo.
func Run(ctx context.Context, deps Deps) error {
	if os.Getenv("NO_COLOR") != "" {
		deps.NoColor = true
	}
	m := New(deps)
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if deps.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(m, opts...)

	relayCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var changed chan struct{}
	// An SQLite log is watched for other processes' commits; a shared
	// PostgreSQL log's subscription already carries every process's events.
	if w, ok := deps.Store.(watcher); ok {
		changed = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Watch(relayCtx, watchEvery, func() {
				select {
				case changed <- struct{}{}:
				default: // one pending change stands for any number
				}
			})
			if err != nil && deps.Log != nil {
				deps.Log.Warn("watching the event log for other processes' changes", "err", err)
			}
		}()
	}
	if deps.Events != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			relay(relayCtx, deps.Events, changed, p.Send, relayEvery)
		}()
	}
	_, err := p.Run()
	stop()
	wg.Wait()
	switch {
	case err != nil && ctx.Err() != nil:
		return nil // the caller ended the session
	case err != nil:
		return fmt.Errorf("running the workbench: %w", err)
	case m.StartDemo():
		return ErrStartDemo
	}
	return nil
}

// watcher is an event log that tells when it was committed to.
type watcher interface {
	Watch(ctx context.Context, every time.Duration, changed func()) error
}

// relay is the one goroutine that carries live events to the program: it
// counts what the subscription delivers and, at most every `every`, sends one
// EventsMsg. Program.Send blocks, so nothing else calls it. The pages then
// re-read from the store, so a dropped event is only late, never lost. A
// value on changed (the store was committed to, maybe by another process:
// events, triggers, schemas) also sends one, so the pages re-read what
// another process wrote.
func relay(ctx context.Context, src events.Source, changed <-chan struct{}, send func(tea.Msg), every time.Duration) {
	events, dropped := src.Subscribe(ctx)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var fresh int
	var sentDropped uint64
	outside := false
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil // closed: keep flushing drops until ctx ends
				continue
			}
			fresh++
		case <-changed:
			outside = true
		case <-tick.C:
			d := dropped()
			if fresh == 0 && d == sentDropped && !outside {
				continue
			}
			send(EventsMsg{New: fresh, Dropped: d})
			fresh, sentDropped, outside = 0, d, false
		}
	}
}
