package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// loadClient keeps up to n connections open to the listener.
func loadClient(n int) *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n},
	}
}

// loadBody is a system event with a unique message id, padded to about size bytes.
func loadBody(n int, size int) []byte {
	b, _ := json.Marshal(map[string]any{
		"email":     fmt.Sprintf("user%d@example.com", n),
		"eventName": "emailSend",
		"dataFields": map[string]any{
			"messageId":  fmt.Sprintf("load-%d", n),
			"createdAt":  "2026-03-14 09:26:53 +00:00",
			"campaignId": 7001, "templateId": 8002,
			"padding": strings.Repeat("p", max(0, size-190)),
		},
	})
	return b
}

func TestConcurrentSendersAreAllStored(t *testing.T) {
	const senders, perSender = 50, 400
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	client := loadClient(senders)
	var wg sync.WaitGroup
	var failures atomic.Int64
	answered := make([]string, senders*perSender)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				n := s*perSender + i
				resp, err := client.Post(srv.URL()+"h", "application/json", bytes.NewReader(loadBody(n, 300)))
				if err != nil {
					failures.Add(1)
					continue
				}
				var a answer
				json.NewDecoder(resp.Body).Decode(&a)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
					continue
				}
				answered[n] = a.ID
			}
		}()
	}
	wg.Wait()
	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d requests were not answered 200", f, senders*perSender)
	}
	seen := map[string]bool{}
	for _, id := range answered {
		if seen[id] {
			t.Fatalf("id %s answered twice", id)
		}
		seen[id] = true
	}
	if n, err := st.Count(context.Background(), Query{}); err != nil || n != senders*perSender {
		t.Fatalf("%d events in the log (%v), want %d", n, err, senders*perSender)
	}
	if d := st.Stats().Duplicates; d != 0 {
		t.Errorf("%d distinct events marked duplicate", d)
	}
}

// TestListenerChild is a listener process for the tests that need one apart:
// TestSIGKILLKeepsEveryAnsweredEvent kills it, BenchmarkMillionEventsResident
// measures it. It prints "ADDR host:port", attaches a live reader, and then
// answers "measure" lines on stdin with its resident memory.
func TestListenerChild(t *testing.T) {
	path := os.Getenv("IWB_CHILD_DB")
	if path == "" {
		t.Skip("runs only as a child of another test")
	}
	st, err := Open(path, StoreOptions{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(st, ServerOptions{Addr: "127.0.0.1:0", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	sub := st.Subscribe()
	var seen atomic.Int64
	go func() {
		for ev := range sub.C {
			seen.Store(ev.ID)
		}
	}()
	fmt.Printf("ADDR %s\n", srv.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "measure" {
			fmt.Println(measureReader(t, st, seen.Load()))
		}
	}
	select {} // until killed
}

// measureReader reads as the events page would, then reports the process's
// resident memory and what the reads cost.
func measureReader(t *testing.T, st *Store, lastSeen int64) string {
	ctx := context.Background()
	start := time.Now()
	newest, err := st.List(ctx, Query{Desc: true, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	newestPage := time.Since(start)
	start = time.Now()
	filtered, err := st.List(ctx, Query{EventName: "emailOpen", Desc: true, BeforeID: lastSeen / 2, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	filteredPage := time.Since(start)
	start = time.Now()
	n, err := st.Count(ctx, Query{EventName: "emailOpen"})
	if err != nil {
		t.Fatal(err)
	}
	count := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("RSS_KB %d HEAP_KB %d NEWEST_US %d FILTERED_US %d COUNT_US %d PAGES %d,%d COUNTED %d EVENTS %d LAST_SEEN %d",
		residentKB(), ms.HeapInuse>>10, newestPage.Microseconds(), filteredPage.Microseconds(), count.Microseconds(),
		len(newest), len(filtered), n, st.Stats().Events, lastSeen)
}

// residentKB is this process's resident set (VmRSS), in KiB.
func residentKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return -1
}

// startChild runs TestListenerChild on the database at path and returns its address.
func startChild(t testing.TB, path string) (*exec.Cmd, string, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^TestListenerChild$")
	child.Env = append(os.Environ(), "IWB_CHILD_DB="+path)
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	scan := bufio.NewScanner(stdout)
	for scan.Scan() {
		if a, ok := strings.CutPrefix(scan.Text(), "ADDR "); ok {
			return child, a, stdin, scan
		}
	}
	t.Fatal("the child never said where it listens")
	return nil, "", nil, nil
}

func TestSIGKILLKeepsEveryAnsweredEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "events.db")
	child, addr, _, _ := startChild(t, path)

	// 20 senders post until the child dies; each remembers what was answered 200.
	type ack struct {
		id      int64
		message string
	}
	var mu sync.Mutex
	var acks []ack
	var next atomic.Int64
	client := loadClient(20)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1))
				if n > 200000 { // a bound, should the kill never come
					return
				}
				resp, err := client.Post("http://"+addr+"/h", "application/json", bytes.NewReader(loadBody(n, 400)))
				if err != nil {
					return // the child is gone
				}
				var a answer
				json.NewDecoder(resp.Body).Decode(&a)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					id, _ := strconv.ParseInt(a.ID, 10, 64)
					mu.Lock()
					acks = append(acks, ack{id, fmt.Sprintf("load-%d", n)})
					mu.Unlock()
				}
			}
		}()
	}
	waitFor(t, "2000 answered events", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acks) >= 2000
	})
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	wg.Wait()

	st := openStoreAt(t, path, StoreOptions{})
	ctx := context.Background()
	for _, a := range acks {
		ev, err := st.Get(ctx, a.id)
		if err != nil {
			t.Fatalf("event %d was answered 200 but is not in the log after SIGKILL: %v", a.id, err)
		}
		if !bytes.Contains(ev.Body, []byte(`"`+a.message+`"`)) {
			t.Fatalf("event %d holds another body than the one answered", a.id)
		}
	}
	n, _ := st.Count(ctx, Query{})
	t.Logf("%d answered 200 before SIGKILL, %d in the log after restart", len(acks), n)
	if n < int64(len(acks)) {
		t.Errorf("log has %d events, fewer than the %d answered", n, len(acks))
	}
}
