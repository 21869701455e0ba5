package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// appendAll stores events directly, as the listener would.
func appendAll(t testing.TB, st EventLog, bodies ...[]byte) []Event {
	t.Helper()
	var out []Event
	for _, b := range bodies {
		parsed, err := ParseBody("application/json", b)
		if err != nil {
			t.Fatal(err)
		}
		c := Classify(parsed, "/h", nil)
		ev := &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Kind: c.Kind, EventName: c.EventName,
			WorkflowID: c.WorkflowID, Email: c.Email, UserID: c.UserID, Method: "POST", Path: "/h", Body: b, Payload: parsed.Payload,
			dupKey: duplicateKey(c, b)}
		if err := st.Append(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		// Read back: the log decides triggers, duplicate marks and schema
		// problems as it inserts (see EventLog.Append).
		stored, err := st.Get(context.Background(), ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stored)
	}
	return out
}

func ids(evs []Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, fmt.Sprint(e.ID))
	}
	return strings.Join(s, ",")
}

func contractListPagesAndFilters(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Clicks", Kind: TriggerObject, EventNames: []string{"emailClick"}}); err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for i := range 10 {
		name := "emailOpen"
		if i%2 == 1 {
			name = "emailClick"
		}
		bodies = append(bodies, systemBody(name, fmt.Sprintf("msg-%d", i)))
	}
	bodies = append(bodies, []byte(`{"workflowId": 1234, "email": "Needle@Example.com"}`))
	evs := appendAll(t, st, bodies...)
	mid := evs[5].ReceivedAt

	check := func(name string, q Query, want string) {
		t.Helper()
		page, err := st.List(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := ids(page); got != want {
			t.Errorf("%s = [%s], want [%s]", name, got, want)
		}
	}
	check("first page", Query{Limit: 3}, "1,2,3")
	check("next page", Query{AfterID: 3, Limit: 3}, "4,5,6")
	check("newest", Query{Desc: true, Limit: 3}, "11,10,9")
	check("older page", Query{Desc: true, BeforeID: 9, Limit: 3}, "8,7,6")
	check("by event name", Query{EventName: "emailClick"}, "2,4,6,8,10")
	check("by event name, paged", Query{EventName: "emailClick", AfterID: 4, Limit: 2}, "6,8")
	check("by kind", Query{Kind: KindWorkflow}, "11")
	check("by workflow", Query{WorkflowID: "1234"}, "11")
	check("by trigger", Query{Trigger: "Clicks", Desc: true, Limit: 2}, "10,8")
	check("by trigger, older", Query{Trigger: "Clicks", Desc: true, BeforeID: 8}, "6,4,2")
	check("by text, any case", Query{Text: "needle@"}, "11")
	check("by text in body", Query{Text: "msg-7"}, "8")
	check("text with a wildcard character is literal", Query{Text: "msg_7"}, "")
	check("since", Query{Since: mid, Limit: 2}, "6,7")
	check("until", Query{Until: evs[2].ReceivedAt}, "1,2")
	check("status", Query{Status: StatusRejected}, "")

	for q, want := range map[*Query]int64{
		{}:                       11,
		{EventName: "emailOpen"}: 5,
		{Trigger: "Clicks"}:      5,
		{Kind: KindSystem}:       10,
		{AfterID: 5}:             11, // paging is ignored by Count
	} {
		if n, err := st.Count(ctx, *q); err != nil || n != want {
			t.Errorf("Count(%+v) = %d %v, want %d", *q, n, err, want)
		}
	}
	if _, err := st.Get(ctx, 999); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Get(999) = %v", err)
	}
	v, err := st.Payload(ctx, 11)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(map[string]any); !ok || fmt.Sprintf("%T %v", m["workflowId"], m["workflowId"]) != "json.Number 1234" {
		t.Errorf("Payload = %#v", v)
	}
}

func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	st := openTestStore(t, StoreOptions{Durable: true})
	appendAll(t, st, systemBody("emailSend", "x"))
	for _, suffix := range []string{"", "-wal", "-shm", "-spool.0", "-spool.1", ".intake.lock"} {
		info, err := os.Stat(st.Path() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s%s has mode %o, want 600", st.Path(), suffix, perm)
		}
	}
}

func contractSlowReaderDropsLiveCopiesAndCatchesUpFromTheStore(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{SubscriberBuffer: 2})
	sub := st.Subscribe()
	defer sub.Close()
	var bodies [][]byte
	for i := range 10 {
		bodies = append(bodies, systemBody("pushSend", fmt.Sprint(i)))
	}
	appendAll(t, st, bodies...) // never blocks, although nobody reads
	if got := st.Stats().Dropped; got != 8 {
		t.Errorf("dropped = %d, want 8", got)
	}
	first, second := <-sub.C, <-sub.C
	if first.ID != 1 || second.ID != 2 {
		t.Errorf("live copies = %d, %d", first.ID, second.ID)
	}
	if n := sub.TakeDropped(); n != 8 {
		t.Fatalf("TakeDropped = %d, want 8", n)
	}
	if n := sub.TakeDropped(); n != 0 {
		t.Errorf("TakeDropped again = %d", n)
	}
	rest, err := st.List(ctx, Query{AfterID: second.ID})
	if err != nil || ids(rest) != "3,4,5,6,7,8,9,10" {
		t.Errorf("catch-up = [%s] %v", ids(rest), err)
	}
	// A fast reader misses nothing.
	fast := st.Subscribe()
	var wg sync.WaitGroup
	var got []int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range fast.C {
			got = append(got, ev.ID)
			if len(got) == 3 {
				return
			}
		}
	}()
	appendAll(t, st, systemBody("pushSend", "a"), systemBody("pushSend", "b"), systemBody("pushSend", "c"))
	wg.Wait()
	fast.Close()
	if fmt.Sprint(got) != "[11 12 13]" {
		t.Errorf("fast reader got %v", got)
	}
}

func contractSchemaOfATriggerIsCheckedOnItsEvents(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	sc := schema.Schema{{Name: "email", Type: schema.String}, {Name: "eventName", Type: schema.String}}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTriggerSchema(ctx, "Opens", sc); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTriggerSchema(ctx, "Nope", sc); err == nil {
		t.Error("set the schema of a missing trigger")
	}
	tr, err := st.Trigger(ctx, "Opens")
	if err != nil || len(tr.Schema) != 2 || tr.Schema[0].Name != "email" {
		t.Fatalf("stored schema = %+v %v", tr.Schema, err)
	}
	// schema.Validate is the schema room's; whatever it reports is stored
	// with the event, and a non-warning problem marks a mismatch.
	ev := appendAll(t, st, systemBody("emailOpen", "s1"))[0]
	stored, err := st.Get(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := schema.Validate(sc, mustValue(t, stored))
	if len(stored.Problems["Opens"]) != len(want) || stored.Mismatch != hasError(want) {
		t.Errorf("stored problems %v mismatch %v, schema.Validate says %v", stored.Problems, stored.Mismatch, want)
	}
}

func mustValue(t *testing.T, ev Event) any {
	v, err := ev.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func hasError(ps []schema.Problem) bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

func contractForwardingResendsAndRecords(t *testing.T, open openLog) {
	type got struct {
		method, path string
		header       http.Header
		body         []byte
	}
	received := make(chan got, 4)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- got{r.Method, r.URL.Path, r.Header.Clone(), b}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "thanks")
	}))
	defer target.Close()

	st := open(StoreOptions{})
	auth, _ := ParseAuth("header:X-Hook-Token:t0ken", "")
	srv := startListener(t, st, ServerOptions{Auth: auth, ForwardTo: target.URL + "/local/hook"})
	body := fixture(t, "system_email_open.json")
	a := post(t, srv, "/h", "application/json", body, "X-Hook-Token", "t0ken", "X-Trace", "abc")
	if a.Status != http.StatusOK {
		t.Fatalf("status %d", a.Status)
	}
	g := <-received
	if g.method != "POST" || g.path != "/local/hook" || string(g.body) != string(body) {
		t.Errorf("forwarded %s %s %q", g.method, g.path, g.body)
	}
	if g.header.Get("X-Trace") != "abc" || g.header.Get("Content-Type") != "application/json" {
		t.Errorf("forwarded headers lost: %v", g.header)
	}
	if g.header.Get("X-Hook-Token") != "" {
		t.Error("the listener's own auth header was forwarded")
	}
	var ev Event
	waitFor(t, "the forward result to be stored", func() bool {
		ev = mustGet(t, st, a.ID)
		return ev.Forward != nil
	})
	f := ev.Forward
	if f.Status != http.StatusAccepted || string(f.Response) != "thanks" || f.Latency <= 0 || f.Error != "" || f.URL != target.URL+"/local/hook" {
		t.Errorf("forward result = %+v", f)
	}

	// Replay re-sends the stored event; redacted headers are left out.
	res := Replay(context.Background(), http.DefaultClient, ev, target.URL+"/again")
	g = <-received
	if res.Status != http.StatusAccepted || g.path != "/again" || string(g.body) != string(body) || g.header.Get("X-Trace") != "abc" || g.header.Get("X-Hook-Token") != "" {
		t.Errorf("replay: %+v, target got %s %q %v", res, g.path, g.body, g.header)
	}
	// A dead target is recorded as an error, not a crash.
	res = Replay(context.Background(), http.DefaultClient, ev, "http://127.0.0.1:1/")
	if res.Error == "" {
		t.Error("replay to a closed port reported no error")
	}
}

func TestForwardResponseIsCappedAt64KiB(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("z", 100<<10)))
	}))
	defer target.Close()
	res := Send(context.Background(), http.DefaultClient, target.URL, "POST", nil, []byte("{}"))
	if len(res.Response) != 64<<10 || !res.Truncated || res.Status != 200 {
		t.Errorf("kept %d bytes, truncated %v, status %d", len(res.Response), res.Truncated, res.Status)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	st, err := Open(t.TempDir()+"/e.db", StoreOptions{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := st.Append(context.Background(), &Event{Status: StatusAccepted}); err != ErrClosed {
		t.Errorf("Append after Close = %v", err)
	}
}

func TestDurableMeansSynchronousFull(t *testing.T) {
	for durable, want := range map[bool]int{false: 1, true: 2} { // NORMAL=1, FULL=2
		st := openTestStore(t, StoreOptions{Durable: durable})
		var got int
		if err := st.wconn.QueryRowContext(context.Background(), "PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		var mode string
		st.wconn.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode)
		if got != want || mode != "wal" {
			t.Errorf("durable=%v: synchronous=%d journal_mode=%s, want %d wal", durable, got, mode, want)
		}
	}
}

// Under writes that never pause, the WAL is still restarted: it never holds
// more than journalLimit, where with passive checkpoints alone it holds all
// that was written (BenchmarkWALPeak's baseline: gigabytes in a minute).
func TestWALStaysBoundedUnderSustainedWrites(t *testing.T) {
	const events, size = 24_000, 4096 // about 100 MB through the WAL
	st := openTestStore(t, StoreOptions{})
	peak := sampleWAL(st.Path())
	appendMany(t, st, events, size, now)
	if got := peak(); got > journalLimit {
		t.Errorf("the WAL reached %d MB under sustained writes, over the %d MB bound", got>>20, journalLimit>>20)
	}
}

// sampleWAL samples the size of the WAL of the log at path every
// millisecond until the function it returns is called, which returns the
// largest size seen.
func sampleWAL(path string) func() int64 {
	var peak int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak = max(peak, fileSize(path+"-wal"))
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-sampled
		return peak
	}
}

// A list cuts long bodies; an event whose body names its email and user id
// past the cut still shows them, on a log made before they were kept too.
func TestACutBodyKeepsItsEmailAndUserID(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	long := []byte(`{"eventName":"emailSend","dataFields":{"note":"` + strings.Repeat("n", 20<<10) +
		`","email":"late@example.com","userId":"u-late"}}`)
	form := []byte("note=" + strings.Repeat("f", 20<<10) + "&email=form%40example.com")
	short := []byte(`{"eventName":"emailOpen","email":"early@example.com"}`)
	st := openStoreAt(t, path, StoreOptions{})
	for _, ev := range []Event{received("application/json", "/h", "", long, time.Now()),
		received("application/x-www-form-urlencoded", "/h", "", form, time.Now()),
		received("application/json", "/h", "", short, time.Now())} {
		if err := st.Append(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, st *Store) {
		t.Helper()
		got, err := st.List(ctx, Query{BodyLimit: 16 << 10})
		if err != nil || len(got) != 3 {
			t.Fatalf("%s: %d events, %v", when, len(got), err)
		}
		want := [][2]string{{"late@example.com", "u-late"}, {"form@example.com", ""}, {"early@example.com", ""}}
		for i, ev := range got {
			if ev.Email != want[i][0] || ev.UserID != want[i][1] || ev.Cut != (i < 2) {
				t.Errorf("%s: event %d lists email %q, user id %q, cut %v; want %q, %q, %v", when, ev.ID,
					ev.Email, ev.UserID, ev.Cut, want[i][0], want[i][1], i < 2)
			}
		}
	}
	check("listed", st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// The log as an iwb before the people column left it.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TABLE events DROP COLUMN people`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	check("after the upgrade", openStoreAt(t, path, StoreOptions{}))
}
