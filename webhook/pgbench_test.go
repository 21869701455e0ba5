package webhook

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/internal/pgtest"
)

// BenchmarkTeamIngest runs, in one run, the same load (50 connections, ~2 KB
// bodies, b.N requests, at least 4000) against a bare handler, the listener
// on the SQLite file, the listener on PostgreSQL, and two listeners on one
// PostgreSQL database sharing the connections, interleaved in slices so all
// meet the same machine. Reported: events/s of each, their ratio to the bare
// handler, p99 latencies, and the PostgreSQL commits' events/commit.
func BenchmarkTeamIngest(b *testing.B) {
	const conns, rounds = 50, 4
	total := max(b.N, 4000)
	db := pgtest.Fresh(b)
	bare := serveBare(b)
	file := startListener(b, openTestStore(b, StoreOptions{}), ServerOptions{}).URL() + "h"
	one := openLogAt(b, db, StoreOptions{}).(*PGStore)
	two := openLogAt(b, db, StoreOptions{}).(*PGStore)
	pgA := startListener(b, one, ServerOptions{}).URL() + "h"
	pgB := startListener(b, two, ServerOptions{}).URL() + "h"

	type target struct {
		name    string
		urls    []string
		clients []*http.Client // one per listener, kept: the listener counts open connections
		time    time.Duration
		lat     []time.Duration
	}
	targets := []*target{{name: "bare", urls: []string{bare}}, {name: "file", urls: []string{file}},
		{name: "pg1", urls: []string{pgA}}, {name: "pg2", urls: []string{pgA, pgB}}}
	for _, t := range targets {
		for range t.urls {
			t.clients = append(t.clients, loadClient(conns/len(t.urls)))
		}
	}
	per := total / rounds
	run := func(t *target, n int) (time.Duration, []time.Duration) {
		// Each listener takes its share of the connections and the events.
		var mu sync.Mutex
		var wg sync.WaitGroup
		var longest time.Duration
		var lat []time.Duration
		for i, u := range t.urls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, l := sendLoad(b, t.clients[i], u, n/len(t.urls), conns/len(t.urls))
				mu.Lock()
				longest, lat = max(longest, d), append(lat, l...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return longest, lat
	}
	for _, t := range targets {
		run(t, 1000) // warm up
	}
	b.ResetTimer()
	for range rounds {
		for _, t := range targets {
			d, l := run(t, per)
			t.time, t.lat = t.time+d, append(t.lat, l...)
		}
	}
	b.StopTimer()
	bareRate := float64(per*rounds) / targets[0].time.Seconds()
	for _, t := range targets {
		slices.Sort(t.lat)
		rate := float64(per*rounds) / t.time.Seconds()
		b.ReportMetric(rate, t.name+"-ev/s")
		if t.name != "bare" {
			b.ReportMetric(rate/bareRate, t.name+"-ratio")
		}
		b.ReportMetric(percentile(t.lat, 0.99), t.name+"-p99-ms")
	}
	events := one.Stats().Events
	b.ReportMetric(float64(events)/float64(one.commits.Load()+two.commits.Load()), "pg-events/commit")
}

// BenchmarkTeamLiveAppearance measures the time from an event's commit by
// one store to its arrival at another store on the same database (its own
// connections and LISTEN, as a workbench in another process has): p50 and
// p99 over b.N events (at least 1000), appended by 10 writers.
func BenchmarkTeamLiveAppearance(b *testing.B) {
	db := pgtest.Fresh(b)
	writer := openLogAt(b, db, StoreOptions{})
	reader := openLogAt(b, db, StoreOptions{SubscriberBuffer: 1 << 16})
	sub := reader.Subscribe()
	defer sub.Close()
	total := max(b.N, 1000)
	committed := make(map[int64]time.Time, total)
	arrived := make(map[int64]time.Time, total)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range sub.C {
			arrived[ev.ID] = time.Now()
			if len(arrived) == total {
				return
			}
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	bodies := newBodies(total)
	b.ResetTimer()
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += 10 {
				ev := &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Kind: KindSystem, Body: bodies[i], Payload: bodies[i]}
				if err := writer.Append(context.Background(), ev); err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				committed[ev.ID] = time.Now()
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // a steady stream, not one burst
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatalf("the reader saw %d of %d events", len(arrived), total)
	}
	b.StopTimer()
	var lat []time.Duration
	for id, at := range committed {
		lat = append(lat, max(0, arrived[id].Sub(at)))
	}
	slices.Sort(lat)
	b.ReportMetric(percentile(lat, 0.50), "appear-p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "appear-p99-ms")
}
