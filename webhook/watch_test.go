package webhook

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Another process's commits, events or triggers, reach a watcher.
func TestWatchSeesAnotherProcesssCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	mine := openStoreAt(t, path, StoreOptions{})
	other := openStoreAt(t, path, StoreOptions{}) // its own connections, as another process has
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var changes atomic.Int32
	done := make(chan error, 1)
	go func() { done <- mine.Watch(ctx, 10*time.Millisecond, func() { changes.Add(1) }) }()
	waitChange := func(what string, before int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for changes.Load() == before {
			if time.Now().After(deadline) {
				t.Fatalf("no change seen after %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	time.Sleep(30 * time.Millisecond) // the watcher has its first version
	before := changes.Load()
	appendStored(t, other, []byte(`{"eventName":"emailOpen"}`))
	waitChange("another store appended an event", before)

	before = changes.Load()
	if _, err := other.AddTrigger(ctx, Trigger{Name: "Opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	waitChange("another store added a trigger", before)
	if trig, err := mine.Triggers(ctx); err != nil || len(trig) != 1 {
		t.Errorf("after the change, this store reads triggers %v, %v", trig, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch: %v", err)
	}
}

// Watching costs nothing when nothing is written: its own count reloads
// are no commit that would wake it again.
func TestWatchIsQuietWhenNothingChanges(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	other := openStoreAt(t, st.Path(), StoreOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var changes atomic.Int32
	go st.Watch(ctx, 5*time.Millisecond, func() { changes.Add(1) })
	time.Sleep(20 * time.Millisecond)
	appendStored(t, other, []byte(`{"eventName":"emailOpen"}`))
	deadline := time.Now().Add(5 * time.Second)
	for st.Stats().Events != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("this store counts %d events after another appended one", st.Stats().Events)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The stores' idle upkeep (a WAL checkpoint) may count once or twice;
	// a watcher woken by its own count reloads would count every look.
	settled := changes.Load()
	time.Sleep(100 * time.Millisecond)
	if n := changes.Load() - settled; n > 2 {
		t.Errorf("%d changes reported in 20 looks with nothing written", n)
	}
}
