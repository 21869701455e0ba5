package webhook

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// appendMany stores n distinct events from 8 goroutines (1 when the ids
// must follow the times), received at the times at(i) gives.
func appendMany(t testing.TB, st *Store, n int, size int, at func(i int) time.Time) {
	t.Helper()
	workers := 8
	if n < 0 {
		n, workers = -n, 1
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				ev := received("application/json", "/h", "", loadBody(i, size), at(i))
				if err := st.Append(context.Background(), &ev); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

func now(int) time.Time { return time.Now() }

// checkPages reads the whole log newest first, 50 at a time, and checks the
// ids only go down and the count agrees.
func checkPages(t *testing.T, st *Store) []int64 {
	t.Helper()
	ctx := context.Background()
	var seen []int64
	before := int64(0)
	for {
		page, err := st.List(ctx, Query{Desc: true, BeforeID: before, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			if before != 0 && ev.ID >= before {
				t.Fatalf("page order broken at %d after %d", ev.ID, before)
			}
			if len(ev.Body) == 0 {
				t.Fatalf("event %d came back without its body", ev.ID)
			}
			before = ev.ID
			seen = append(seen, ev.ID)
		}
	}
	if n, err := st.Count(ctx, Query{}); err != nil || n != int64(len(seen)) {
		t.Fatalf("Count = %d %v, paging found %d", n, err, len(seen))
	}
	return seen
}

func TestRetentionKeepsTheNewestAndThePinned(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/events.db"
	st := openStoreAt(t, path, StoreOptions{Retention: Retention{KeepEvents: 1000}})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Sends", Kind: TriggerObject, EventNames: []string{"emailSend"}}); err != nil {
		t.Fatal(err)
	}
	appendMany(t, st, 100, 300, now)
	for _, id := range []int64{3, 50} {
		if err := st.Pin(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Pin(ctx, 99999, true); err == nil {
		t.Error("pinning an event that does not exist succeeded")
	}
	appendMany(t, st, 3000, 300, now)
	waitFor(t, "retention down to 1000 events and the 2 pinned", func() bool {
		n, _ := st.Count(ctx, Query{})
		return n == 1002
	})
	if s := st.Stats(); s.Events != 1002 || s.Pruned != 2098 {
		t.Errorf("stats after pruning: %+v", s)
	}
	for _, id := range []int64{3, 50} {
		ev, err := st.Get(ctx, id)
		if err != nil || !ev.Pinned {
			t.Errorf("pinned event %d: %+v %v", id, ev.Pinned, err)
		}
	}
	if n, _ := st.Count(ctx, Query{Trigger: "Sends"}); n != 1002 {
		t.Errorf("%d trigger records left, want 1002 (the pruned events' records go with them)", n)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("a -wal file is left after a clean close: %v", err)
	}
	st = openStoreAt(t, path, StoreOptions{})
	ids := checkPages(t, st)
	if len(ids) != 1002 || ids[len(ids)-1] != 3 || ids[len(ids)-2] != 50 || ids[0] != 3100 {
		t.Errorf("after reopening: %d events, newest %d, oldest %v", len(ids), ids[0], ids[len(ids)-2:])
	}
	// New events after a reopen continue the ids.
	if evs := appendAll(t, st, systemBody("emailOpen", "after")); evs[0].ID != 3101 {
		t.Errorf("the next event got id %d, want 3101", evs[0].ID)
	}
}

func TestRetentionByAge(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{Retention: Retention{KeepDays: 30}})
	start := time.Now().AddDate(0, 0, -40)
	// 600 events a day apart from 40 days ago... compressed: one every 100 minutes.
	appendMany(t, st, -600, 300, func(i int) time.Time { return start.Add(time.Duration(i) * 100 * time.Minute) })
	cut := time.Now().AddDate(0, 0, -30)
	waitFor(t, "events older than 30 days pruned", func() bool {
		n, _ := st.Count(ctx, Query{Until: cut})
		return n == 0
	})
	want := 600 - int64(cut.Sub(start)/(100*time.Minute)) - 1
	if n, _ := st.Count(ctx, Query{}); n < want-1 || n > want+1 {
		t.Errorf("%d events left, want about %d (those of the last 30 days)", n, want)
	}
}

func TestRetentionBySize(t *testing.T) {
	st := openTestStore(t, StoreOptions{Retention: Retention{MaxBytes: 2 << 20}})
	appendMany(t, st, 4000, 1024, now)
	waitFor(t, "the log under 2 MB", func() bool {
		u, err := st.Usage(context.Background())
		return err == nil && u.UsedBytes <= 2<<20
	})
	if s := st.Stats(); s.Pruned == 0 || s.Events+s.Pruned != 4000 {
		t.Errorf("stats after pruning by size: %+v", s)
	}
}

func TestPruneByHand(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/events.db"
	st := openStoreAt(t, path, StoreOptions{})
	start := time.Now().Add(-time.Hour)
	appendMany(t, st, -2000, 1024, func(i int) time.Time { return start.Add(time.Duration(i) * time.Second) })
	if err := st.Pin(ctx, 10, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Prune(ctx, PruneRequest{}); err == nil {
		t.Error("a prune with no bound succeeded")
	}
	dry, err := st.Prune(ctx, PruneRequest{Before: start.Add(1000 * time.Second), DryRun: true})
	if err != nil || dry.Events != 999 || dry.Bytes < 999*1024 {
		t.Fatalf("dry run: %+v %v, want 999 events (event 10 is pinned)", dry, err)
	}
	if n, _ := st.Count(ctx, Query{}); n != 2000 {
		t.Fatalf("a dry run removed events: %d left", n)
	}
	res, err := st.Prune(ctx, PruneRequest{Before: start.Add(1000 * time.Second)})
	if err != nil || res.Events != 999 {
		t.Fatalf("prune before: %+v %v", res, err)
	}
	if res.Bytes < 999*1024 || res.FileAfter >= res.FileBefore {
		t.Errorf("prune freed %d bytes, file %d -> %d: want at least the bodies back", res.Bytes, res.FileBefore, res.FileAfter)
	}
	res, err = st.Prune(ctx, PruneRequest{KeepEvents: 500})
	if err != nil || res.Events != 500 {
		t.Fatalf("prune keeping 500: %+v %v", res, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStoreAt(t, path, StoreOptions{})
	ids := checkPages(t, st)
	if len(ids) != 501 || ids[len(ids)-1] != 10 || ids[0] != 2000 || ids[len(ids)-2] != 1501 {
		t.Errorf("after prune and reopen: %d events, %v…%v", len(ids), ids[:2], ids[len(ids)-2:])
	}
	// The count of events follows from the newest id and the pruned count.
	if s := st.Stats(); s.Events != 501 || s.Pruned != 1499 {
		t.Errorf("after prune and reopen the status counts %d events, %d pruned; want 501 and 1499", s.Events, s.Pruned)
	}
}
