package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// loadSeq numbers the bodies driveLoad sends.
var loadSeq atomic.Int64

// driveLoad sends total requests from conns concurrent connections, each
// with a ~2 KB body, and returns events/s and the sorted latencies.
func driveLoad(b *testing.B, url string, total, conns int) (float64, []time.Duration) {
	b.Helper()
	client := loadClient(conns)
	defer client.CloseIdleConnections()
	elapsed, lat := sendLoad(b, client, url, total, conns)
	slices.Sort(lat)
	return float64(total) / elapsed.Seconds(), lat
}

// newBodies is n new ~2 KB bodies: each has its own message id, so no event
// duplicates one sent before, in this call or an earlier one.
func newBodies(n int) [][]byte {
	first := int(loadSeq.Add(int64(n))) - n
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = loadBody(first+i, 2048)
	}
	return bodies
}

// sendLoad sends total new events from conns goroutines and returns how
// long that took and each request's latency.
func sendLoad(b *testing.B, client *http.Client, url string, total, conns int) (time.Duration, []time.Duration) {
	b.Helper()
	bodies := newBodies(total)
	lat := make([]time.Duration, total)
	var next atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1)) - 1
				if n >= total {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[n]))
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
				lat[n] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d of %d requests were not answered 200", f, total)
	}
	return elapsed, lat
}

// processCPU is the CPU time this process has used, user and system: with
// the wall time it tells a slice that waited from one that worked.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func percentile(sorted []time.Duration, p float64) float64 {
	i := min(len(sorted)-1, int(float64(len(sorted))*p))
	return float64(sorted[i].Microseconds()) / 1000
}

// serveBare serves a handler that only reads the body and answers 200: the
// ceiling the listener is measured against.
func serveBare(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"ok":true,"id":"0"}`)
	})}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/h"
}

// BenchmarkListenerVsBare runs the same load (50 connections, ~2 KB bodies,
// b.N requests, at least 5000) against a bare handler and against the full
// listener (parse, classify, the spool, the flusher's SQLite transactions,
// publish to a live reader), in one process, interleaved: eight
// alternating slices, so both meet the same machine. Reported: events/s of
// both, their ratio, the listener's p50/p99 latency, events per SQLite
// transaction and heap in use after the run.
func BenchmarkListenerVsBare(b *testing.B) {
	const conns, rounds = 50, 8
	total := max(b.N, 5000)
	bareURL := serveBare(b)
	st := openTestStore(b, StoreOptions{})
	srv := startListener(b, st, ServerOptions{})
	sub := st.Subscribe()
	go func() {
		for range sub.C {
		}
	}()
	defer sub.Close()
	bareClient, client := loadClient(conns), loadClient(conns)
	sendLoad(b, bareClient, bareURL, 2000, conns) // warm both up
	sendLoad(b, client, srv.URL()+"h", 2000, conns)

	b.ResetTimer()
	var bareTime, listenerTime, bareCPU, listenerCPU time.Duration
	var bareLat, lat []time.Duration
	per := total / rounds
	for range rounds {
		c0 := processCPU()
		d, l := sendLoad(b, bareClient, bareURL, per, conns)
		c1 := processCPU()
		bareTime, bareLat, bareCPU = bareTime+d, append(bareLat, l...), bareCPU+c1-c0
		d, l = sendLoad(b, client, srv.URL()+"h", per, conns)
		listenerTime, lat, listenerCPU = listenerTime+d, append(lat, l...), listenerCPU+processCPU()-c1
	}
	b.StopTimer()
	slices.Sort(bareLat)
	slices.Sort(lat)
	bareRate := float64(per*rounds) / bareTime.Seconds()
	rate := float64(per*rounds) / listenerTime.Seconds()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(st.Stats().Events)/float64(st.commits.Load()), "events/commit")
	b.ReportMetric(bareRate, "bare-ev/s")
	b.ReportMetric(rate, "listener-ev/s")
	b.ReportMetric(rate/bareRate, "ratio")
	b.ReportMetric(float64(bareCPU.Microseconds())/float64(per*rounds), "bare-cpu-µs/ev")
	b.ReportMetric(float64(listenerCPU.Microseconds())/float64(per*rounds), "listener-cpu-µs/ev")
	b.ReportMetric(percentile(bareLat, 0.99), "bare-p99-ms")
	b.ReportMetric(percentile(lat, 0.50), "p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

// BenchmarkAppend measures the store alone: 50 goroutines appending ~2 KB
// events through the group-committing writer.
func BenchmarkAppend(b *testing.B) {
	st := openTestStore(b, StoreOptions{})
	body := loadBody(1, 2048)
	parsed, _ := ParseBody("application/json", body)
	b.SetParallelism(25)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			ev := &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Kind: KindSystem, EventName: "emailSend",
				Method: "POST", Path: "/h", Headers: http.Header{"Content-Type": {"application/json"}},
				Body: body, Payload: parsed.Payload, dupKey: duplicateKey(Classification{identity: string(rune(i))}, body)}
			if err := st.Append(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ev/s")
	b.ReportMetric(float64(st.Stats().Events)/float64(st.commits.Load()), "events/commit")
}

// BenchmarkMillionEventsResident fills a log with 1,000,000 events (override
// with IWB_BENCH_EVENTS), then starts a listener process on it with a live
// reader attached, sends it 2,000 more events over HTTP, and reports that
// process's resident memory and what reading a page and counting cost there.
// Run it with -benchtime 1x: the fill takes a minute or two.
func BenchmarkMillionEventsResident(b *testing.B) {
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("IWB_BENCH_EVENTS")); err == nil && v > 0 {
		total = v
	}
	path := filepath.Join(b.TempDir(), "events.db")
	st, err := Open(path, StoreOptions{Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"emailSend", "emailOpen", "emailClick", "pushSend", "smsSend", "inAppOpen"}
	var next atomic.Int64
	var wg sync.WaitGroup
	fillStart := time.Now()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1))
				if n > total {
					return
				}
				body := []byte(fmt.Sprintf(`{"email":"user%d@example.com","eventName":%q,"dataFields":{"messageId":"fill-%d","createdAt":"2026-03-14 09:26:53 +00:00","campaignId":%d,"templateId":8002,"emailSubject":"A subject line of ordinary length","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","ip":"203.0.113.%d"}}`,
					n%5000, names[n%len(names)], n, 7000+n%50, n%250))
				parsed, _ := ParseBody("application/json", body)
				c := Classify(parsed, "/h", nil)
				ev := &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Kind: c.Kind, EventName: c.EventName,
					Email: c.Email, Method: "POST", Path: "/h", Headers: http.Header{"Content-Type": {"application/json"}},
					Body: body, Payload: parsed.Payload, Size: int64(len(body)), dupKey: duplicateKey(c, body)}
				if err := st.Append(context.Background(), ev); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fillRate := float64(total) / time.Since(fillStart).Seconds()
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)

	_, addr, stdin, out := startChild(b, path)
	b.ResetTimer()
	var report string
	for range b.N {
		rate, _ := driveLoad(b, "http://"+addr+"/h", 2000, 10)
		b.ReportMetric(rate, "live-ev/s")
		fmt.Fprintln(stdin, "measure")
		if !out.Scan() {
			b.Fatal("the child did not report")
		}
		report = out.Text()
	}
	b.StopTimer()
	fields := strings.Fields(report)
	value := func(key string) float64 {
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] == key {
				v, _ := strconv.ParseFloat(fields[i+1], 64)
				return v
			}
		}
		b.Fatalf("no %s in %q", key, report)
		return 0
	}
	if value("EVENTS") != float64(total+2000*b.N) || value("LAST_SEEN") != value("EVENTS") {
		b.Fatalf("the child's log or reader is not complete: %s", report)
	}
	b.ReportMetric(value("RSS_KB")/1024, "resident-MB")
	b.ReportMetric(value("HEAP_KB")/1024, "heap-MB")
	b.ReportMetric(value("NEWEST_US")/1000, "newest-page-ms")
	b.ReportMetric(value("FILTERED_US")/1000, "filtered-page-ms")
	b.ReportMetric(value("COUNT_US")/1000, "filtered-count-ms")
	b.ReportMetric(fillRate, "fill-ev/s")
	b.ReportMetric(float64(info.Size())/(1<<20), "db-MB")
	b.Logf("child: %s", report)
}

// BenchmarkParseAndClassify is the per-request work before the store: a ~2 KB
// system event parsed, classified and given its duplicate key.
func BenchmarkParseAndClassify(b *testing.B) {
	body := loadBody(1, 2048)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		parsed, err := ParseBody("application/json", body)
		if err != nil {
			b.Fatal(err)
		}
		c := Classify(parsed, "/h", nil)
		_ = duplicateKey(c, body)
	}
}

// BenchmarkBytesPerEvent stores 100,000 events (IWB_BENCH_EVENTS overrides)
// of about 300 B and 1 KB bodies through the store, closes it (which
// checkpoints), and reports the file's bytes per event; the same events
// written in the first layout, in batches of 16, are the baseline.
func BenchmarkBytesPerEvent(b *testing.B) {
	total := 100_000
	if v, err := strconv.Atoi(os.Getenv("IWB_BENCH_EVENTS")); err == nil && v > 0 {
		total = v
	}
	for _, size := range []int{300, 1024} {
		b.Run(fmt.Sprintf("body=%d", size), func(b *testing.B) {
			var bodyBytes int64
			for range b.N {
				dir := b.TempDir()
				st, err := Open(filepath.Join(dir, "events.db"), StoreOptions{Logger: quietLog})
				if err != nil {
					b.Fatal(err)
				}
				appendMany(b, st, total, size, func(int) time.Time { return time.Now() })
				if err := st.Close(); err != nil {
					b.Fatal(err)
				}
				w := newV1Writer(b, filepath.Join(dir, "v1.db"))
				bodyBytes = 0
				for i := 0; i < total; i += 16 {
					tx, err := w.db.Begin()
					if err != nil {
						b.Fatal(err)
					}
					for j := i; j < min(total, i+16); j++ {
						ev := received("application/json", "/h", "", loadBody(j, size), time.Now())
						bodyBytes += ev.Size
						w.add(b, tx, ev)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
					b.Fatal(err)
				}
				n := float64(total)
				b.ReportMetric(float64(fileSize(filepath.Join(dir, "events.db")))/n, "bytes/event")
				b.ReportMetric(float64(fileSize(filepath.Join(dir, "v1.db")))/n, "baseline-bytes/event")
				b.ReportMetric(float64(bodyBytes)/n, "body-bytes/event")
			}
		})
	}
}

// loadFor keeps conns connections sending ~2 KB events to url until stop is
// closed, and returns every request's latency.
func loadFor(b *testing.B, url string, conns int, stop <-chan struct{}) func() []time.Duration {
	client := loadClient(conns)
	var mu sync.Mutex
	var lat []time.Duration
	var failures atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
					return
				default:
				}
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(loadBody(int(loadSeq.Add(1)), 2048)))
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
				}
				mine = append(mine, time.Since(t0))
			}
		}()
	}
	return func() []time.Duration {
		wg.Wait()
		client.CloseIdleConnections()
		if f := failures.Load(); f > 0 {
			b.Errorf("%d requests were not answered 200", f)
		}
		slices.Sort(lat)
		return lat
	}
}

// BenchmarkWALPeak runs a 50-connection load for 60 seconds
// (IWB_BENCH_SECONDS overrides) against a listener and reports the largest
// size its WAL file reached, sampled every 20 ms, and its size after a clean
// close; and the largest its spool's two files reached together. The baseline, run right after on a fresh log, is the same load with
// passive checkpoints only (what the store did before it restarted the WAL).
func BenchmarkWALPeak(b *testing.B) {
	seconds := 60
	if v, err := strconv.Atoi(os.Getenv("IWB_BENCH_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	run := func(passiveOnly bool) (peak, spool, events int64, p99 float64, after int64) {
		path := filepath.Join(b.TempDir(), "events.db")
		st, err := Open(path, StoreOptions{Logger: quietLog})
		if err != nil {
			b.Fatal(err)
		}
		st.passiveOnly = passiveOnly
		srv := startListener(b, st, ServerOptions{})
		stop := make(chan struct{})
		wait := loadFor(b, srv.URL()+"h", 50, stop)
		deadline := time.Now().Add(time.Duration(seconds) * time.Second)
		for time.Now().Before(deadline) {
			peak = max(peak, fileSize(path+"-wal"))
			spool = max(spool, fileSize(spoolPath(path, 0))+fileSize(spoolPath(path, 1)))
			time.Sleep(20 * time.Millisecond)
		}
		close(stop)
		lat := wait()
		events = st.Stats().Events
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(ctx)
		cancel()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		after = -1 // no -wal file
		if _, err := os.Stat(path + "-wal"); err == nil {
			after = fileSize(path + "-wal")
		}
		return peak, spool, events, percentile(lat, 0.99), after
	}
	for range b.N {
		peak, spool, events, p99, after := run(false)
		b.ReportMetric(float64(peak)/(1<<20), "wal-peak-MB")
		b.ReportMetric(float64(spool)/(1<<20), "spool-peak-MB")
		b.ReportMetric(float64(events)/float64(seconds), "ev/s")
		b.ReportMetric(p99, "p99-ms")
		b.ReportMetric(float64(after), "wal-after-close-bytes")
		peak, _, events, _, _ = run(true)
		b.ReportMetric(float64(peak)/(1<<20), "baseline-wal-peak-MB")
		b.ReportMetric(float64(events)/float64(seconds), "baseline-ev/s")
	}
}

// BenchmarkPrune fills a log with 200,000 ~1 KB events (IWB_BENCH_EVENTS
// overrides), then, under a steady 10-connection load, prunes all but the
// newest 10,000 and reports events pruned per second and the ingest
// latencies while it ran: the longest request (the longest pause pruning
// caused) and p99. The baseline is the same load for as long with no
// prune, right before.
func BenchmarkPrune(b *testing.B) {
	total := 200_000
	if v, err := strconv.Atoi(os.Getenv("IWB_BENCH_EVENTS")); err == nil && v > 0 {
		total = v
	}
	for range b.N {
		st := openTestStore(b, StoreOptions{})
		appendMany(b, st, total, 1024, func(int) time.Time { return time.Now() })
		srv := startListener(b, st, ServerOptions{})
		load := func(during func()) []time.Duration {
			stop := make(chan struct{})
			wait := loadFor(b, srv.URL()+"h", 10, stop)
			during()
			close(stop)
			return wait()
		}
		var took time.Duration
		var res PruneResult
		pruneLat := load(func() {
			start := time.Now()
			var err error
			if res, err = st.Prune(context.Background(), PruneRequest{KeepEvents: 10_000}); err != nil {
				b.Fatal(err)
			}
			took = time.Since(start)
		})
		baseLat := load(func() { time.Sleep(took) })
		b.ReportMetric(float64(res.Events)/took.Seconds(), "pruned-ev/s")
		b.ReportMetric(float64(res.Bytes)/(1<<20), "freed-MB")
		b.ReportMetric(float64(pruneLat[len(pruneLat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(percentile(pruneLat, 0.99), "p99-ms")
		b.ReportMetric(float64(baseLat[len(baseLat)-1].Microseconds())/1000, "baseline-max-ms")
		b.ReportMetric(percentile(baseLat, 0.99), "baseline-p99-ms")
	}
}
