package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/internal/pgtest"
	"github.com/iwb-dev/iwb/schema"
)

// fileLogWithEverything is a file log whose events came through a listener:
// trigger matches (one with a schema some events miss), a duplicate, a
// rejected body, a form, a pin and a forward; and both settings.
func fileLogWithEverything(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{DuplicateWindow: time.Hour})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "journey", Kind: TriggerWorkflow, WorkflowID: "42"}); err != nil {
		t.Fatal(err)
	}
	// systemBody's messageId is a string: its events miss the schema.
	sc := schema.Schema{{Name: "email", Type: schema.String}, {Name: "dataFields", Type: schema.Object,
		Properties: schema.Schema{{Name: "messageId", Type: schema.Integer}}}}
	if err := st.SetTriggerSchema(ctx, "opens", sc); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetPublicURL(ctx, "https://team.example.com"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetListenerToken(ctx, "tok-123"); err != nil {
		t.Fatal(err)
	}
	srv := startListener(t, st, ServerOptions{})
	for _, b := range [][]byte{systemBody("emailOpen", "m1"), systemBody("emailOpen", "m2"), systemBody("emailOpen", "m1"),
		[]byte(`{"email":"bo@example.com","eventName":"emailOpen","dataFields":{"score":3}}`)} {
		if a := post(t, srv, "/", "application/json", b, "Authorization", "tok-123"); a.Status != 200 {
			t.Fatalf("posting an event: %d %s", a.Status, a.Error)
		}
	}
	post(t, srv, "/workflows/42", "application/json", []byte(`{"email":"cy@example.com"}`), "Authorization", "tok-123")
	post(t, srv, "/", "application/json", []byte(`{"broken`), "Authorization", "tok-123")
	post(t, srv, "/form", "application/x-www-form-urlencoded", []byte("email=di%40example.com&eventName=emailClick"), "Authorization", "tok-123")
	if err := st.Pin(ctx, 2, true); err != nil {
		t.Fatal(err)
	}
	if err := st.setForward(ctx, 1, ForwardResult{URL: "http://127.0.0.1:9/", At: time.Unix(1700000000, 0), Status: 202, Response: []byte("ok")}); err != nil {
		t.Fatal(err)
	}
	return st
}

// allEvents reads a log's events in id order.
func allEvents(t *testing.T, st EventLog) []Event {
	t.Helper()
	var out []Event
	for after := int64(0); ; {
		page, err := st.List(context.Background(), Query{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

// eventJSONs is each event's one JSON shape, what `iwb events show` prints.
func eventJSONs(t *testing.T, evs []Event) []string {
	t.Helper()
	out := make([]string, len(evs))
	for i, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

func copyInto(t *testing.T, from *Store, to *PGStore) CopyResult {
	t.Helper()
	res, err := Copy(context.Background(), from, to, nil)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	return res
}

func TestCopyKeepsEventsTriggersAndSettings(t *testing.T) {
	ctx := context.Background()
	src := fileLogWithEverything(t)
	to := openLogAt(t, pgtest.Fresh(t), StoreOptions{}).(*PGStore)

	var seen []CopyProgress
	res, err := Copy(ctx, src, to, func(p CopyProgress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	want := allEvents(t, src)
	if res.Events != int64(len(want)) || res.Before != 0 || res.Triggers != 2 || res.Settings != 2 || !res.IDsKept {
		t.Errorf("result %+v; want %d events, 2 triggers, 2 settings, ids kept", res, len(want))
	}
	if last := seen[len(seen)-1]; last.Copied != int64(len(want)) || last.Total != int64(len(want)) {
		t.Errorf("the last progress is %+v; want %d of %d", last, len(want), len(want))
	}
	got := allEvents(t, to)
	if !slices.Equal(eventJSONs(t, got), eventJSONs(t, want)) {
		t.Errorf("the copied events differ:\n got %s\nwant %s", eventJSONs(t, got), eventJSONs(t, want))
	}
	var dup, pinned, forwarded, mismatch, rejected bool
	for _, ev := range got {
		dup = dup || ev.DuplicateOf != 0
		pinned = pinned || ev.Pinned
		forwarded = forwarded || ev.Forward != nil
		mismatch = mismatch || ev.Mismatch
		rejected = rejected || ev.Status == StatusRejected
	}
	if !dup || !pinned || !forwarded || !mismatch || !rejected {
		t.Errorf("the test log lacks a mark: duplicate %v, pinned %v, forwarded %v, mismatch %v, rejected %v", dup, pinned, forwarded, mismatch, rejected)
	}
	if s, d := to.Stats(), src.Stats(); s.Events != d.Events || s.Duplicates != d.Duplicates || s.Rejected != d.Rejected || s.Mismatches != d.Mismatches {
		t.Errorf("the shared log counts %+v; the file %+v", s, d)
	}

	srcTriggers, _ := src.Triggers(ctx)
	toTriggers, _ := to.Triggers(ctx)
	if len(toTriggers) != len(srcTriggers) {
		t.Fatalf("triggers %v; want %v", toTriggers, srcTriggers)
	}
	for i, tr := range toTriggers {
		want := srcTriggers[i]
		if tr.Name != want.Name || tr.Matched != want.Matched || !tr.CreatedAt.Equal(want.CreatedAt) ||
			!tr.LastMatch.Equal(want.LastMatch) || !reflectJSONEqual(t, tr.Schema, want.Schema) {
			t.Errorf("trigger %+v; want %+v", tr, want)
		}
		gotMis, err1 := to.Mismatches(ctx, tr.Name, 0)
		wantMis, err2 := src.Mismatches(ctx, tr.Name, 0)
		if err1 != nil || err2 != nil || !reflectJSONEqual(t, gotMis, wantMis) {
			t.Errorf("mismatches of %s: %v (%v); want %v (%v)", tr.Name, gotMis, err1, wantMis, err2)
		}
	}
	if u, _ := to.PublicURL(ctx); u != "https://team.example.com" {
		t.Errorf("public URL %q", u)
	}
	if tok, _ := to.ListenerToken(ctx); tok != "tok-123" {
		t.Errorf("listener token %q", tok)
	}

	// Again: nothing new. Then two more events: only they are copied.
	if again := copyInto(t, src, to); again.Events != 0 || again.Before != int64(len(want)) || again.Triggers != 0 || again.Settings != 0 || len(again.KeptTriggers) != 0 {
		t.Errorf("a second copy: %+v; want nothing new", again)
	}
	appendAll(t, src, systemBody("emailOpen", "m3"), systemBody("emailOpen", "m1"))
	if more := copyInto(t, src, to); more.Events != 2 {
		t.Errorf("after two more events the copy took %d", more.Events)
	}
	if got, want := eventJSONs(t, allEvents(t, to)), eventJSONs(t, allEvents(t, src)); !slices.Equal(got, want) {
		t.Errorf("after the third copy:\n got %s\nwant %s", got, want)
	}
	// The shared log's next event is numbered after the copied ones.
	next := appendAll(t, to, systemBody("emailOpen", "m9"))
	if newest := allEvents(t, src); next[0].ID <= newest[len(newest)-1].ID {
		t.Errorf("a new event got id %d, not after the copied %d", next[0].ID, newest[len(newest)-1].ID)
	}
}

func reflectJSONEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// A shared log that has events of its own keeps their ids: the copied
// events are numbered after them, in their order, their duplicate marks
// pointing at the copies.
func TestCopyIntoALogWithEventsOfItsOwn(t *testing.T) {
	src := openTestStore(t, StoreOptions{DuplicateWindow: time.Hour})
	fileEvs := appendAll(t, src, systemBody("emailOpen", "a"), systemBody("emailOpen", "b"), systemBody("emailOpen", "a"))
	to := openLogAt(t, pgtest.Fresh(t), StoreOptions{}).(*PGStore)
	own := appendAll(t, to, systemBody("emailClick", "x"), systemBody("emailClick", "y"), systemBody("emailClick", "z"), systemBody("emailClick", "w"))
	ctx := context.Background()
	for _, st := range []EventLog{src, to} {
		if _, err := st.AddTrigger(ctx, Trigger{Name: "same", Kind: TriggerWorkflow, WorkflowID: "7"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.AddTrigger(ctx, Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := to.AddTrigger(ctx, Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailClick"}}); err != nil {
		t.Fatal(err)
	}

	res := copyInto(t, src, to)
	if res.Events != 3 || res.IDsKept || res.Triggers != 0 || !slices.Equal(res.KeptTriggers, []string{"opens"}) {
		t.Errorf("result %+v; want 3 events, renumbered, the shared log's own trigger opens kept", res)
	}
	if tr, _ := to.Trigger(ctx, "opens"); !slices.Equal(tr.EventNames, []string{"emailClick"}) {
		t.Errorf("the shared log's trigger became %+v", tr)
	}
	got := allEvents(t, to)
	if len(got) != 7 {
		t.Fatalf("the shared log has %d events; want 7", len(got))
	}
	for i, ev := range got[:4] {
		if ev.ID != own[i].ID || !bytes.Equal(ev.Body, own[i].Body) {
			t.Errorf("the shared log's own event %d changed: %d %s", i, ev.ID, ev.Body)
		}
	}
	copied := got[4:]
	for i, ev := range copied {
		if !bytes.Equal(ev.Body, fileEvs[i].Body) || ev.ID <= own[3].ID {
			t.Errorf("copied event %d: id %d body %s; want after %d, body %s", i, ev.ID, ev.Body, own[3].ID, fileEvs[i].Body)
		}
	}
	if copied[2].DuplicateOf != copied[0].ID || copied[0].DuplicateOf != 0 {
		t.Errorf("the duplicate points at %d; want %d", copied[2].DuplicateOf, copied[0].ID)
	}
	if n := appendAll(t, to, systemBody("emailClick", "v")); n[0].ID <= copied[2].ID {
		t.Errorf("a new event got id %d, not after the copied %d", n[0].ID, copied[2].ID)
	}
}

// An interrupted copy resumes: every event is copied exactly once.
func TestCopyResumesWhereItStopped(t *testing.T) {
	src := openTestStore(t, StoreOptions{})
	bodies := make([][]byte, 1500)
	for i := range bodies {
		bodies[i] = systemBody("emailOpen", "m"+strconv.Itoa(i))
	}
	appendAll(t, src, bodies...)
	url := pgtest.Fresh(t)
	to := openLogAt(t, url, StoreOptions{})

	ctx, cancel := context.WithCancel(context.Background())
	_, err := Copy(ctx, src, to.(*PGStore), func(p CopyProgress) {
		if p.Copied > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted copy ended with %v", err)
	}
	part, _ := to.Count(context.Background(), Query{})
	if part == 0 || part == int64(len(bodies)) {
		t.Fatalf("the interrupted copy left %d events; want some of %d", part, len(bodies))
	}
	res := copyInto(t, src, to.(*PGStore))
	if res.Before != part || res.Events != int64(len(bodies))-part {
		t.Errorf("the resumed copy: %+v; want %d before and the other %d", res, part, int64(len(bodies))-part)
	}
	if got, want := eventJSONs(t, allEvents(t, to)), eventJSONs(t, allEvents(t, src)); !slices.Equal(got, want) {
		t.Errorf("after resuming, the shared log differs from the file (%d events, want %d)", len(got), len(want))
	}
}

// Two copies into one log at once: the second is refused, not interleaved.
// A copy into another log meanwhile goes ahead.
func TestCopyRefusesASecondCopyAtOnce(t *testing.T) {
	src := openTestStore(t, StoreOptions{})
	to := openLogAt(t, pgtest.Fresh(t), StoreOptions{}).(*PGStore)
	unlock, err := to.lockCopy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := Copy(context.Background(), src, to, nil); err == nil {
		t.Error("a second copy at once was not refused")
	}
	// A log in another schema of the same database is another log.
	other := openLogAt(t, pgtest.Fresh(t), StoreOptions{}).(*PGStore)
	if _, err := Copy(context.Background(), src, other, nil); err != nil {
		t.Errorf("a copy into another schema was refused: %v", err)
	}
}

func TestOpenExistingRefusesWhatIsNotALog(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "events.db")
	if _, err := OpenExisting(missing, StoreOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing file: %v; want not found", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("opening a missing log created it")
	}
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello, this is not a database at all"), 0o600)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, path := range []string{text, empty, other} {
		if _, err := OpenExisting(path, StoreOptions{}); !errors.Is(err, ErrNotALog) {
			t.Errorf("%s: %v; want not a log", filepath.Base(path), err)
		}
	}
	st := openStoreAt(t, filepath.Join(dir, "real.db"), StoreOptions{})
	st.Close()
	real, err := OpenExisting(filepath.Join(dir, "real.db"), StoreOptions{Logger: quietLog})
	if err != nil {
		t.Fatalf("an iwb log: %v", err)
	}
	real.Close()
}

// A listener appending to the shared log while the copy runs: both its
// events and the copied ones are stored, each once, the copies in their
// order.
func TestCopyWhileAListenerAppends(t *testing.T) {
	src := openTestStore(t, StoreOptions{})
	bodies := make([][]byte, 2000)
	for i := range bodies {
		bodies[i] = systemBody("emailOpen", "f"+strconv.Itoa(i))
	}
	appendAll(t, src, bodies...)
	url := pgtest.Fresh(t)
	listener := openLogAt(t, url, StoreOptions{})
	appendAll(t, listener, systemBody("emailClick", "before"))
	to := openLogAt(t, url, StoreOptions{}).(*PGStore)

	stop := make(chan struct{})
	appended := make(chan int)
	go func() {
		n := 0
		defer func() { appended <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ev := &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Kind: KindSystem, EventName: "emailClick",
				Body: systemBody("emailClick", "l"+strconv.Itoa(n))}
			if err := listener.Append(context.Background(), ev); err != nil {
				t.Errorf("the listener's append failed during the copy: %v", err)
				return
			}
			n++
		}
	}()
	res := copyInto(t, src, to)
	close(stop)
	n := <-appended
	if res.Events != int64(len(bodies)) || n == 0 {
		t.Fatalf("copied %d events, the listener appended %d meanwhile", res.Events, n)
	}
	all := allEvents(t, to)
	if len(all) != len(bodies)+1+n {
		t.Fatalf("the shared log has %d events; want %d copied + %d appended", len(all), len(bodies), n+1)
	}
	var copied []string
	for _, ev := range all {
		var v struct{ DataFields struct{ MessageID string } }
		json.Unmarshal(ev.Body, &v)
		if strings.HasPrefix(v.DataFields.MessageID, "f") {
			copied = append(copied, v.DataFields.MessageID)
		}
	}
	for i, id := range copied {
		if id != "f"+strconv.Itoa(i) {
			t.Fatalf("copy %d is %s: out of order", i, id)
		}
	}
}
