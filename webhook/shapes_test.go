package webhook

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// withHeader is an event whose request carries one header of its own, so
// that each has a request shape of its own.
func withHeader(i int, value string) Event {
	ev := received("application/json", "/h", "", loadBody(i, 300), time.Now())
	ev.Headers.Set("X-Request-Id", value)
	return ev
}

func countShapes(t *testing.T, st *Store) int64 {
	t.Helper()
	settle(t, st)
	var n int64
	if err := st.read.QueryRow(`SELECT count(*) FROM requests`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneRemovesUnusedRequestShapes: pruning events also removes the
// request shapes only they used; the events left, and new ones with a
// shape removed before, read back with their headers.
func TestPruneRemovesUnusedRequestShapes(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	var ids []int64
	for i := range 100 {
		ev := withHeader(i, fmt.Sprint("r", i))
		if err := st.Append(ctx, &ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	if n := countShapes(t, st); n != 100 {
		t.Fatalf("%d shapes before pruning, want 100", n)
	}
	if err := st.Pin(ctx, ids[3], true); err != nil {
		t.Fatal(err)
	}
	res, err := st.Prune(ctx, PruneRequest{KeepEvents: 10})
	if err != nil || res.Events != 89 {
		t.Fatalf("pruned %d events, %v; want 89", res.Events, err)
	}
	if n := countShapes(t, st); n != 11 {
		t.Fatalf("%d shapes after pruning to 11 events, want 11", n)
	}
	for _, id := range append([]int64{ids[3]}, ids[90:]...) {
		ev, err := st.Get(ctx, id)
		if err != nil || ev.Headers.Get("X-Request-Id") == "" || ev.Method != "POST" || ev.Path != "/h" {
			t.Fatalf("event %d after pruning: %+v, %v", id, ev, err)
		}
	}
	// The writer had the first shape cached: a new event of that shape
	// still reads back whole.
	ev := withHeader(1000, "r0")
	if err := st.Append(ctx, &ev); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Get(ctx, ev.ID); err != nil || got.Headers.Get("X-Request-Id") != "r0" || got.ContentType != "application/json" {
		t.Fatalf("a new event of a pruned shape: %+v, %v", got, err)
	}
}

// TestShapesPrunedByAnotherProcessAreNotReused: a second process on the
// file prunes a shape this one has cached; this one's next event of that
// shape still reads back whole.
func TestShapesPrunedByAnotherProcessAreNotReused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	a := openStoreAt(t, path, StoreOptions{})
	b := openStoreAt(t, path, StoreOptions{})
	for i := range 21 {
		ev := withHeader(i, fmt.Sprint("r", i))
		if i == 0 {
			ev = withHeader(0, "cached")
		}
		if err := a.Append(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, a) // b prunes what a has inserted
	if _, err := b.Prune(ctx, PruneRequest{KeepEvents: 5}); err != nil {
		t.Fatal(err)
	}
	if n := countShapes(t, b); n != 5 {
		t.Fatalf("%d shapes left, want 5", n)
	}
	again := withHeader(100, "cached")
	if err := a.Append(ctx, &again); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{a, b} {
		if got, err := st.Get(ctx, again.ID); err != nil || got.Headers.Get("X-Request-Id") != "cached" || got.Method != "POST" {
			t.Fatalf("the event of a shape pruned elsewhere: %+v, %v", got, err)
		}
	}
}

// TestRetentionPrunesUnusedShapes: the retention's pruner for the shapes
// removes those left by the events retention pruned, once.
func TestRetentionPrunesUnusedShapes(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{Retention: Retention{KeepEvents: 10}})
	for i := range 60 {
		ev := withHeader(i, fmt.Sprint("r", i))
		if err := st.Append(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	}
	prune := st.shapesPruner()
	if n, err := prune(ctx, time.Time{}, 10); err != nil || n != 0 {
		t.Fatalf("before retention pruned any event: %d shapes removed, %v", n, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for st.Stats().Events > 10 {
		if time.Now().After(deadline) {
			t.Fatalf("retention left %d events", st.Stats().Events)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n, err := prune(ctx, time.Time{}, 10); err != nil || n != 50 {
		t.Fatalf("after retention pruned 50 events: %d shapes removed, %v; want 50", n, err)
	}
	if n := countShapes(t, st); n != 10 {
		t.Fatalf("%d shapes left, want 10", n)
	}
}
