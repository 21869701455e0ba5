package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestTwoAppendersShareALog: a second process appending to the same log
// (`iwb listen` beside the workbench) makes the first stop spooling; both
// then append straight to the table. Every answered event is there once,
// with its own body, and a third process paging by id while they append
// (as the recipe runner does) misses none: ids follow the commits.
func TestTwoAppendersShareALog(t *testing.T) {
	ctx := context.Background()
	a := openTestStore(t, StoreOptions{})
	b := openStoreAt(t, a.Path(), StoreOptions{})
	reader := openStoreAt(t, a.Path(), StoreOptions{})
	const each = 300
	sent := map[int64]string{}
	var mu sync.Mutex
	appendFrom := func(st *Store, name string, i int) bool {
		body := fmt.Sprintf(`{"eventName":"emailOpen","from":%q,"n":%d}`, name, i)
		ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/h", Status: StatusAccepted,
			Kind: KindSystem, EventName: "emailOpen", Body: []byte(body), Payload: []byte(body), Size: int64(len(body))}
		if err := st.Append(ctx, ev); err != nil {
			t.Error(err)
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if prev, dup := sent[ev.ID]; dup {
			t.Errorf("id %d answered twice: %s and %s", ev.ID, prev, body)
		}
		sent[ev.ID] = body
		return true
	}
	// a spools on its own, then b comes while a goes on appending: the
	// change happens in the middle of a's stream.
	var wg sync.WaitGroup
	bStarted, bDone := make(chan struct{}), make(chan struct{})
	total := 0
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if i == 50 {
				close(bStarted)
			}
			select {
			case <-bDone:
				total += i
				return
			default:
			}
			if !appendFrom(a, "a", i) {
				total += i
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer close(bDone)
		<-bStarted
		for i := range each {
			if !appendFrom(b, "b", i) {
				return
			}
		}
	}()
	appended := make(chan struct{})
	go func() { wg.Wait(); close(appended) }()
	seen := map[int64]bool{}
	var cursor int64
	page := func() int {
		evs, err := reader.List(ctx, Query{AfterID: cursor, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			seen[ev.ID] = true
			cursor = max(cursor, ev.ID)
		}
		return len(evs)
	}
	for done := false; !done; {
		select {
		case <-appended:
			done = true
		default:
			page()
		}
	}
	settle(t, a)
	settle(t, b)
	for page() > 0 {
	}
	if len(sent) != total+each {
		t.Fatalf("%d events answered, want %d", len(sent), total+each)
	}
	for id, body := range sent {
		if !seen[id] {
			t.Errorf("event %d was answered but the reader paging by id never saw it", id)
		}
		if ev, err := reader.Get(ctx, id); err != nil || string(ev.Body) != body {
			t.Errorf("event %d = %q, %v; want %q", id, ev.Body, err, body)
		}
	}
	if n, _ := reader.Count(ctx, Query{}); n != int64(len(sent)) {
		t.Errorf("%d events in the log, want %d", n, len(sent))
	}
}

// TestACrashLeavesTheSpoolToTheNextOpen: what a listener answered from the
// spool but had not inserted when it died is inserted by whoever opens the
// log next, once, with its ids, marks and counts; a record the crash cut
// short is left out, and the files go.
func TestACrashLeavesTheSpoolToTheNextOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStoreAt(t, filepath.Join(dir, "events.db"), StoreOptions{})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	first := appendAll(t, st, systemBody("emailOpen", "m-1"))[0]
	// Another connection holds the write lock: the flusher inserts nothing
	// more, and the events answered now are only in the spool.
	lock := holdWriteLock(t, st.Path())
	var ids []int64
	for _, body := range [][]byte{systemBody("emailOpen", "m-2"), systemBody("emailOpen", "m-1"), []byte(`{"plain":1}`)} {
		ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/h", Status: StatusAccepted, Body: body, Payload: body, Size: int64(len(body))}
		parsed, err := ParseBody("application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		c := Classify(parsed, "/h", nil)
		ev.Kind, ev.EventName, ev.dupKey = c.Kind, c.EventName, duplicateKey(c, body)
		if err := st.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	// The crash: the files as they are now, and a last record cut short.
	crashed := filepath.Join(t.TempDir(), "events.db")
	for _, suffix := range []string{"", "-wal", "-spool.0", "-spool.1"} {
		copyFile(t, st.Path()+suffix, crashed+suffix)
	}
	spool, err := os.OpenFile(crashed+"-spool.0", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	cut := appendRecord(nil, &Event{ID: ids[2] + 1, Body: []byte(`{"cut":true}`)}, requestShape{})
	spool.Write(cut[:len(cut)-3])
	spool.Close()
	lock.Rollback()

	again := openStoreAt(t, crashed, StoreOptions{})
	for i, id := range ids {
		ev, err := again.Get(ctx, id)
		if err != nil {
			t.Fatalf("event %d answered before the crash: %v", id, err)
		}
		if i < 2 && (len(ev.Triggers) != 1 || ev.Triggers[0] != "Opens") {
			t.Errorf("event %d matched %v after the crash", id, ev.Triggers)
		}
		if i == 1 && ev.DuplicateOf != first.ID {
			t.Errorf("the copy of event %d is marked duplicate of %d", first.ID, ev.DuplicateOf)
		}
	}
	if n, _ := again.Count(ctx, Query{}); n != 4 {
		t.Errorf("%d events after the crash, want 4 (the cut record left out)", n)
	}
	if s := again.Stats(); s.Events != 4 || s.Duplicates != 1 {
		t.Errorf("counts after the crash: %+v", s)
	}
	if tr, _ := again.Trigger(ctx, "Opens"); tr.Matched != 3 {
		t.Errorf("Opens matched %d, want 3", tr.Matched)
	}
	for _, suffix := range []string{"-spool.0", "-spool.1"} {
		if _, err := os.Stat(crashed + suffix); !os.IsNotExist(err) {
			t.Errorf("%s is left after its events went in: %v", suffix, err)
		}
	}
	// And new events go on from the last id answered.
	if next := appendAll(t, again, []byte(`{"after":1}`))[0]; next.ID != ids[2]+1 {
		t.Errorf("the next event got id %d, want %d", next.ID, ids[2]+1)
	}
}

// TestTheSpoolTakesTurnsBetweenItsFiles: past a file's length the intake
// goes on in the other file from its start, and a reopen after a crash
// there still finds every event.
func TestTheSpoolTakesTurnsBetweenItsFiles(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	body := bytes.Repeat([]byte("x"), 64<<10)
	n := 2*spoolSegment/len(body) + 20 // both files, and into the first again
	for i := range n {
		b := fmt.Appendf(nil, `{"n":%d,"pad":"%s"}`, i, body)
		ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/h", Status: StatusAccepted, Body: b, Payload: b, Size: int64(len(b))}
		if err := st.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		info, err := os.Stat(spoolPath(st.Path(), i))
		if err != nil || info.Size() > spoolSegment+int64(len(body))*2 {
			t.Errorf("spool file %d: %v, %v (at most a little over %d bytes)", i, info, err, spoolSegment)
		}
	}
	if c, _ := st.Count(ctx, Query{}); c != int64(n) {
		t.Errorf("%d events, want %d", c, n)
	}
}

// holdWriteLock takes the log's write lock on a connection of its own.
func holdWriteLock(t *testing.T, path string) *sql.Tx {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMegabyteBodiesMakeSmallTransactions: batches stop growing at
// maxBatchBytes, so that even 64 senders of megabyte bodies, each waiting
// for its commit (two processes appending), keep the WAL within its bound.
func TestMegabyteBodiesMakeSmallTransactions(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	other := openStoreAt(t, st.Path(), StoreOptions{})
	appendStored(t, other, []byte(`{"eventName":"emailOpen"}`)) // st appends straight to the table from now on
	peak := sampleWAL(st.Path())
	body := bytes.Repeat([]byte("m"), 1<<20)
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 {
				b := fmt.Appendf(nil, `{"w":%d,"i":%d,"pad":"%s"}`, w, i, body)
				ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/h", Status: StatusAccepted, Body: b, Payload: b, Size: int64(len(b))}
				if err := st.Append(ctx, ev); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := peak(); got > journalLimit {
		t.Errorf("the WAL reached %d MB, over the %d MB bound", got>>20, journalLimit>>20)
	}
	if n, _ := st.Count(ctx, Query{}); n != 1+64*3 {
		t.Errorf("%d events, want %d", n, 1+64*3)
	}
}

// TestAloneAgainItSpoolsAgain: once the other appender is gone, a listener
// goes back to the spool within a second or two, which a locked database
// then no longer holds up.
func TestAloneAgainItSpoolsAgain(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	appendStored(t, st, []byte(`{"eventName":"emailOpen","n":1}`))
	other := openStoreAt(t, st.Path(), StoreOptions{})
	appendStored(t, other, []byte(`{"eventName":"emailOpen","n":2}`))
	// Shared: an append waits for its commit, which the lock holds up.
	spools := func() bool {
		lock := holdWriteLock(t, st.Path())
		defer lock.Rollback()
		quick, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		b := []byte(`{"eventName":"emailOpen","probe":true}`)
		ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/h", Status: StatusAccepted, Body: b, Payload: b, Size: int64(len(b))}
		return st.Append(quick, ev) == nil
	}
	if spools() {
		t.Fatal("an append while another process appends too did not wait for its commit")
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the listener to spool again", spools)
	settle(t, st)
	if n, _ := st.Count(ctx, Query{}); n < 3 {
		t.Errorf("%d events, want the two appended and the probe that went through", n)
	}
}

// TestSpoolRecordsRoundTrip: what the flusher inserts after a crash is
// what it would have inserted: every field the insert uses comes back.
func TestSpoolRecordsRoundTrip(t *testing.T) {
	at := time.Unix(0, 1_764_000_000_123_456_789)
	form := []byte("email=a%40example.com&n=1")
	cases := []Event{
		{ID: 1, ReceivedAt: at, Status: StatusAccepted, Kind: KindSystem, EventName: "emailOpen", Email: "a@example.com",
			UserID: "u-1", RemoteAddr: "10.0.0.1:5", Method: "POST", Path: "/h", Query: "a=1", ContentType: "application/json",
			Headers: http.Header{"X-A": {"1", "2"}}, Body: []byte(`{"eventName":"emailOpen"}`), dupKey: 77},
		{ID: 2, ReceivedAt: at, Status: StatusAccepted, Kind: KindUnknown, Method: "POST", Path: "/f", Form: true,
			ContentType: "application/x-www-form-urlencoded", Headers: http.Header{}, Body: form, Payload: []byte(`{"email":"a@example.com","n":"1"}`)},
		{ID: 3, ReceivedAt: at, Status: StatusRejected, Kind: KindUnknown, Method: "POST", Path: "/h", Headers: http.Header{},
			Body: []byte("{nope"), Error: "not JSON"},
		{ID: 4, ReceivedAt: at, Status: StatusOversize, Kind: KindWorkflow, WorkflowID: "4101", Method: "POST", Path: "/workflows/4101",
			Headers: http.Header{}, Size: 5 << 20, Error: "over the limit"},
	}
	cases[0].Payload = cases[0].Body
	for i := range cases {
		if cases[i].Size == 0 {
			cases[i].Size = int64(len(cases[i].Body))
		}
	}
	var b []byte
	for i := range cases {
		b = appendRecord(b, &cases[i], newRequestShape(&cases[i]))
	}
	got, err := readRecords(bytes.NewReader(b), int64(len(b)), 0, nil)
	if err != nil || len(got) != len(cases) {
		t.Fatalf("read %d records, %v; want %d", len(got), err, len(cases))
	}
	for i, req := range got {
		want := cases[i]
		ev := req.ev
		if ev.ID != want.ID || ev.Size != want.Size || !ev.ReceivedAt.Equal(want.ReceivedAt) || ev.Status != want.Status || ev.Kind != want.Kind ||
			ev.EventName != want.EventName || ev.WorkflowID != want.WorkflowID || ev.Email != want.Email || ev.UserID != want.UserID ||
			ev.RemoteAddr != want.RemoteAddr || ev.Error != want.Error || ev.Form != want.Form || ev.dupKey != want.dupKey ||
			!bytes.Equal(ev.Body, want.Body) || !bytes.Equal(ev.Payload, want.Payload) || (ev.Payload == nil) != (want.Payload == nil) ||
			ev.Method != want.Method || ev.Path != want.Path || ev.Query != want.Query || ev.ContentType != want.ContentType ||
			fmt.Sprint(ev.Headers) != fmt.Sprint(want.Headers) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, *ev, want)
		}
		if shape := newRequestShape(&cases[i]); req.req.hash != shape.hash || !bytes.Equal(req.req.shape, shape.shape) || req.req.length != shape.length {
			t.Errorf("record %d: request shape differs", i)
		}
	}
	// Only those past the newest id the table holds.
	if got, _ := readRecords(bytes.NewReader(b), int64(len(b)), 2, nil); len(got) != 2 || got[0].ev.ID != 3 {
		t.Errorf("past id 2: %d records", len(got))
	}
}

// FuzzSpoolRecords: whatever a damaged spool holds, reading it neither
// panics nor takes more memory than the file's size.
func FuzzSpoolRecords(f *testing.F) {
	ev := Event{ID: 9, ReceivedAt: time.Now(), Status: StatusAccepted, Method: "POST", Path: "/h", Headers: http.Header{}, Body: []byte(`{"a":1}`)}
	f.Add(appendRecord(nil, &ev, newRequestShape(&ev)))
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		readRecords(bytes.NewReader(b), int64(len(b)), 0, nil)
	})
}
