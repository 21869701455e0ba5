package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// v1Schema is the event log as iwb wrote it before the packed layout: the
// fixture the conversion is tested on.
const v1Schema = `
CREATE TABLE events (
	id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL,
	event_name TEXT NOT NULL DEFAULT '', workflow_id TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
	user_id TEXT NOT NULL DEFAULT '', method TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '',
	query TEXT NOT NULL DEFAULT '', remote_addr TEXT NOT NULL DEFAULT '', content_type TEXT NOT NULL DEFAULT '',
	headers TEXT NOT NULL DEFAULT '{}', size INTEGER NOT NULL DEFAULT 0, body BLOB,
	body_format TEXT NOT NULL DEFAULT 'raw', payload BLOB, error TEXT NOT NULL DEFAULT '',
	triggers TEXT NOT NULL DEFAULT '', duplicate_of INTEGER NOT NULL DEFAULT 0, dup_key BLOB, problems TEXT,
	mismatch INTEGER NOT NULL DEFAULT 0, forward TEXT);
CREATE INDEX events_received ON events(received_at);
CREATE INDEX events_kind ON events(kind);
CREATE INDEX events_not_accepted ON events(status) WHERE status != 'accepted';
CREATE INDEX events_event_name ON events(event_name);
CREATE INDEX events_workflow ON events(workflow_id);
CREATE INDEX events_dup ON events(dup_key) WHERE dup_key IS NOT NULL;
CREATE TABLE event_triggers (trigger TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (trigger, event_id)) WITHOUT ROWID;
CREATE TABLE triggers (name TEXT PRIMARY KEY, kind TEXT NOT NULL, event_names TEXT NOT NULL DEFAULT '[]',
	workflow_id TEXT NOT NULL DEFAULT '', schema TEXT, created_at INTEGER NOT NULL, matched INTEGER NOT NULL DEFAULT 0,
	last_match INTEGER NOT NULL DEFAULT 0);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
`

// v1Writer writes events into a first-layout file as that iwb did.
type v1Writer struct {
	db     *sql.DB
	insert *sql.Stmt
}

func newV1Writer(t testing.TB, path string) *v1Writer {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(v1Schema); err != nil {
		t.Fatal(err)
	}
	insert, err := db.Prepare(`INSERT INTO events (received_at, status, kind, event_name, workflow_id,
		email, user_id, method, path, query, remote_addr, content_type, headers, size, body, body_format,
		payload, error, triggers, duplicate_of, dup_key, problems, mismatch)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		t.Fatal(err)
	}
	return &v1Writer{db: db, insert: insert}
}

// v1Key is the first layout's 16-byte duplicate key for the new one's k.
func v1Key(k dupKey) []byte {
	key := make([]byte, 16)
	key[0] = 'h'
	if k.identity() {
		key[0] = 'k'
	}
	for i := range 8 {
		key[1+i] = byte(k >> (56 - 8*i))
	}
	key[8] |= byte(k & 1) // the bit the new key spends on the kind was a hash bit
	return key
}

// add writes ev (as the listener filled it) and returns its id.
func (w *v1Writer) add(t testing.TB, tx *sql.Tx, ev Event) int64 {
	t.Helper()
	headers, _ := json.Marshal(ev.Headers)
	format, payload := "raw", []byte(nil)
	switch {
	case ev.Form:
		format, payload = "form", ev.Payload
	case ev.Payload != nil:
		format = "json"
	}
	var triggers, problems []byte
	if len(ev.Triggers) > 0 {
		triggers, _ = json.Marshal(ev.Triggers)
	}
	if len(ev.Problems) > 0 {
		problems, _ = json.Marshal(ev.Problems)
	}
	var key []byte
	if ev.dupKey != 0 {
		key = v1Key(ev.dupKey)
	}
	res, err := tx.Stmt(w.insert).Exec(ev.ReceivedAt.UnixNano(), string(ev.Status), string(ev.Kind),
		ev.EventName, ev.WorkflowID, ev.Email, ev.UserID, ev.Method, ev.Path, ev.Query, ev.RemoteAddr,
		ev.ContentType, string(headers), ev.Size, nonNil(ev.Body), format, payload, ev.Error, string(triggers),
		ev.DuplicateOf, key, nullString(problems), ev.Mismatch)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	for _, name := range ev.Triggers {
		if _, err := tx.Exec(`INSERT INTO event_triggers (trigger, event_id) VALUES (?, ?)`, name, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// received builds an event as the listener would from a request.
func received(contentType, path, query string, body []byte, at time.Time) Event {
	ev := Event{ReceivedAt: at, Method: "POST", Path: path, Query: query, RemoteAddr: "203.0.113.9:41234",
		ContentType: contentType, Body: body, Size: int64(len(body)),
		Headers: http.Header{"Content-Type": {contentType}, "User-Agent": {"Iterable-Webhooks/1.0"},
			"Content-Length": {fmt.Sprint(len(body))}, "X-Iterable-Token": {"[redacted]"}}}
	parsed, err := ParseBody(contentType, body)
	q, _ := url.ParseQuery(query)
	c := Classify(parsed, path, q)
	ev.Kind, ev.EventName, ev.WorkflowID, ev.Email, ev.UserID = c.Kind, c.EventName, c.WorkflowID, c.Email, c.UserID
	if err != nil {
		ev.Status, ev.Error = StatusRejected, err.Error()
		return ev
	}
	ev.Status, ev.Payload, ev.Form = StatusAccepted, parsed.Payload, parsed.Form
	ev.dupKey = duplicateKey(c, body)
	return ev
}

func TestFirstLayoutLogIsConverted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	w := newV1Writer(t, path)
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	open := received("application/json", "/h", "", systemBody("emailOpen", "m-1"), at)
	open.Triggers = []string{"Opens"}
	open.Problems = map[string][]schema.Problem{"Opens": {{Path: "dataFields.campaignId", Expected: "string", Found: "integer", Message: "campaignId is an integer, not a string"}}}
	open.Mismatch = true
	form := received("application/x-www-form-urlencoded", "/hooks/workflows/42", "src=x", []byte("email=f%40x.io&userId=u7"), at.Add(time.Second))
	bad := received("application/json", "/h", "", []byte(`{"a":`), at.Add(2*time.Second))
	text := received("text/plain", "/h", "", []byte("hello"), at.Add(3*time.Second))
	oversize := Event{ReceivedAt: at.Add(4 * time.Second), Status: StatusOversize, Kind: KindUnknown, Method: "POST",
		Path: "/h", Size: 5 << 20, Error: "the body is over the 1048576-byte limit (--max-body)", Headers: http.Header{}}
	dup := received("application/json", "/h", "", systemBody("emailOpen", "m-1"), at.Add(5*time.Second))
	dup.DuplicateOf = 1
	open.Forward = &ForwardResult{URL: "http://127.0.0.1:9/x", At: at.Add(time.Second), Status: 200, Latency: time.Microsecond}
	want := []Event{open, form, bad, text, oversize, dup}
	tx, _ := w.db.Begin()
	for i := range want {
		want[i].ID = w.add(t, tx, want[i])
	}
	if _, err := tx.Exec(`INSERT INTO triggers (name, kind, event_names, created_at) VALUES ('Opens', 'object', '["emailOpen"]', 1);
		INSERT INTO counters (name, n) VALUES ('events', 6), ('rejected', 2), ('duplicates', 1), ('mismatches', 1);
		UPDATE events SET forward = '{"url":"http://127.0.0.1:9/x","at":"2026-03-14T09:00:01Z","status":200,"latencyNs":1000,"latencyMs":0.001}' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.db.Close()

	st := openStoreAt(t, path, StoreOptions{})
	got, err := st.List(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d events after the conversion, want %d", len(got), len(want))
	}
	for i, ev := range got {
		w := want[i]
		w.dupKey = 0
		if w.Payload == nil && !w.Form {
			w.Payload = nil
		}
		gotJSON, _ := json.Marshal(ev)
		wantJSON, _ := json.Marshal(w)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("event %d after the conversion:\n got %s\nwant %s", w.ID, gotJSON, wantJSON)
		}
	}
	if n, _ := st.Count(ctx, Query{Trigger: "Opens"}); n != 1 {
		t.Errorf("%d events under the trigger Opens, want 1", n)
	}
	if s := st.Stats(); s.Events != 6 || s.Rejected != 2 || s.Duplicates != 1 || s.Mismatches != 1 {
		t.Errorf("counts after the conversion: %+v", s)
	}
	// The converted keys still catch a copy of a converted event.
	again := appendAll(t, st, systemBody("emailOpen", "m-1"))[0]
	if again.DuplicateOf != 1 {
		t.Errorf("a copy of converted event 1 is marked duplicate of %d", again.DuplicateOf)
	}
	var mode int
	var oldTables int
	st.read.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode)
	st.read.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'events_v1' OR name LIKE 'events_received%'`).Scan(&oldTables)
	if mode != 2 || oldTables != 0 || st.pageSize != pageSize {
		t.Errorf("auto_vacuum %d (want 2, incremental), page size %d, %d first-layout tables left", mode, st.pageSize, oldTables)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, it is converted already and reads the same.
	st2 := openStoreAt(t, path, StoreOptions{})
	if n, _ := st2.Count(ctx, Query{}); n != 7 {
		t.Errorf("%d events after reopening, want 7", n)
	}
	if ev, err := st2.Get(ctx, 2); err != nil || ev.Email != "f@x.io" || ev.UserID != "u7" || !ev.Form || ev.WorkflowID != "42" {
		t.Errorf("the form event after reopening: %+v %v", ev, err)
	}
}
