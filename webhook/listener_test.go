package webhook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAcceptedEventIsStoredBeforeTheAnswer(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	body := fixture(t, "system_email_open.json")

	a := post(t, srv, "/hooks/iterable?campaign=7001", "application/json", body, "X-Custom", "kept")
	if a.Status != http.StatusOK || !a.OK || a.ID == "" {
		t.Fatalf("answer = %+v, want 200 {ok:true,id}", a)
	}
	// The answer came after the commit: the event is readable right away.
	ev := mustGet(t, st, a.ID)
	if ev.Status != StatusAccepted || ev.Kind != KindSystem || ev.EventName != "emailOpen" || ev.Email != "ada@example.com" {
		t.Errorf("stored %+v", ev)
	}
	if !bytes.Equal(ev.Body, body) || !bytes.Equal(ev.Payload, body) {
		t.Error("the raw body was not kept byte for byte")
	}
	if ev.Path != "/hooks/iterable" || ev.Query != "campaign=7001" || ev.Method != "POST" || ev.Headers.Get("X-Custom") != "kept" {
		t.Errorf("request details: path %q query %q method %q headers %v", ev.Path, ev.Query, ev.Method, ev.Headers)
	}
	if !strings.HasPrefix(ev.RemoteAddr, "127.0.0.1:") || time.Since(ev.ReceivedAt) > time.Minute {
		t.Errorf("remote %q received %v", ev.RemoteAddr, ev.ReceivedAt)
	}
	if s := st.Stats(); s.Events != 1 || s.Rejected != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestHealthz(t *testing.T) {
	srv := startListener(t, openTestStore(t, StoreOptions{}), ServerOptions{})
	if a := do(t, http.MethodGet, srv.URL()+"healthz", "", nil); a.Status != http.StatusOK {
		t.Fatalf("GET /healthz = %d", a.Status)
	}
}

func TestOtherMethodsAre405(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		a := do(t, m, srv.URL()+"hooks", "application/json", []byte(`{}`))
		if a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "POST" || a.Error == "" {
			t.Errorf("%s = %d allow %q error %q, want 405 with Allow: POST", m, a.Status, a.Header.Get("Allow"), a.Error)
		}
	}
	if n := st.Stats().Events; n != 0 {
		t.Errorf("%d events stored for wrong methods", n)
	}
}

func TestBadJSONIs400AndKeptAsRejected(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	body := []byte(`{"eventName": "emailOpen", "email": `)
	a := post(t, srv, "/workflows/77", "application/json; charset=utf-8", body)
	if a.Status != http.StatusBadRequest || a.OK || !strings.Contains(a.Error, "not valid JSON") || a.ID == "" {
		t.Fatalf("answer = %+v, want 400 with a JSON error and the stored id", a)
	}
	ev := mustGet(t, st, a.ID)
	if ev.Status != StatusRejected || !bytes.Equal(ev.Body, body) || ev.Payload != nil || ev.Error == "" {
		t.Errorf("rejected event = status %q body %q payload %q error %q", ev.Status, ev.Body, ev.Payload, ev.Error)
	}
	if ev.WorkflowID != "77" {
		t.Errorf("the URL's workflow id should still be recorded, got %q", ev.WorkflowID)
	}
	if s := st.Stats(); s.Events != 1 || s.Rejected != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestOversizeIs413AndKeptAsStub(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{MaxBody: 100})
	body := bytes.Repeat([]byte("x"), 101)
	a := post(t, srv, "/hooks", "application/json", body, "X-Sender", "iterable")
	if a.Status != http.StatusRequestEntityTooLarge || a.ID == "" {
		t.Fatalf("answer = %+v, want 413 with the stub's id", a)
	}
	ev := mustGet(t, st, a.ID)
	if ev.Status != StatusOversize || ev.Size != 101 || len(ev.Body) != 0 || ev.Headers.Get("X-Sender") != "iterable" || ev.ReceivedAt.IsZero() {
		t.Errorf("stub = status %q size %d body %d bytes headers %v", ev.Status, ev.Size, len(ev.Body), ev.Headers)
	}
	// Exactly at the limit is fine.
	if a := post(t, srv, "/hooks", "application/json", []byte(`{"k":"`+strings.Repeat("y", 92)+`"}`)); a.Status != http.StatusOK {
		t.Errorf("a body of exactly the limit = %d", a.Status)
	}
	// Without a declared length (chunked), the limit holds too.
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"hooks", struct{ *bytes.Reader }{bytes.NewReader(body)})
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversize = %d", resp.StatusCode)
	}
	settle(t, st)
	if s := st.Stats(); s.Rejected != 2 || s.Events != 3 {
		t.Errorf("stats = %+v", s)
	}
}

// TestALockedDatabaseDoesNotHoldIngest: another connection holding
// SQLite's write lock for longer than a request may wait no longer costs
// a 503: the event is answered from the spool and inserted once the lock
// goes.
func TestALockedDatabaseDoesNotHoldIngest(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	lock := holdWriteLock(t, st.Path())
	a := post(t, srv, "/hooks", "application/json", systemBody("emailOpen", "m-locked"))
	if a.Status != http.StatusOK {
		t.Fatalf("answer while the database is locked = %+v, want 200", a)
	}
	time.Sleep(storeTimeout + 100*time.Millisecond) // longer than a request could have waited
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if ev := mustGet(t, st, a.ID); ev.EventName != "emailOpen" {
		t.Errorf("after the lock went: %+v", ev)
	}
}

// TestStoreBusyIs503: while another process appends to the log too, an
// event is answered only once committed; another connection holding the
// write lock for longer than a request may wait costs a 503 with
// Retry-After, counted, and the event is not stored.
func TestStoreBusyIs503(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	other := openStoreAt(t, st.Path(), StoreOptions{}) // another process appending
	appendStored(t, other, []byte(`{"eventName":"emailOpen","n":0}`))
	lock := holdWriteLock(t, st.Path())
	a := post(t, srv, "/hooks", "application/json", systemBody("emailOpen", "m-busy"))
	if a.Status != http.StatusServiceUnavailable || a.Header.Get("Retry-After") == "" || a.Error == "" {
		t.Fatalf("answer = %+v, want 503 with Retry-After", a)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if a := post(t, srv, "/hooks", "application/json", systemBody("emailOpen", "m-after")); a.Status != http.StatusOK {
		t.Fatalf("after the lock: %d", a.Status)
	}
	if n, _ := st.Count(context.Background(), Query{}); n != 2 {
		t.Errorf("%d events stored, want the other process's and the one answered 200", n)
	}
	if s := st.Stats(); s.Busy != 1 {
		t.Errorf("busy = %d, want 1", s.Busy)
	}
}

func TestEveryDocumentedEventName(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	names := EventNames()
	if len(names) != 43 {
		t.Fatalf("%d documented event names, Iterable documents 43", len(names))
	}
	for _, name := range names {
		a := post(t, srv, "/iterable", "application/json", systemBody(name, "m-"+name))
		if a.Status != http.StatusOK {
			t.Fatalf("%s: %d", name, a.Status)
		}
		ev := mustGet(t, st, a.ID)
		if ev.Kind != KindSystem || ev.EventName != name || ev.Email != "ada@example.com" || ev.DuplicateOf != 0 {
			t.Errorf("%s stored as kind %q name %q email %q dup %d", name, ev.Kind, ev.EventName, ev.Email, ev.DuplicateOf)
		}
	}
	for _, name := range names {
		if n, _ := st.Count(context.Background(), Query{EventName: name}); n != 1 {
			t.Errorf("filter by %s: %d events", name, n)
		}
	}
}

func TestWorkflowIDInEachPlace(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	cases := []struct {
		name, path, contentType string
		body                    []byte
		want                    string
	}{
		{"top-level workflowId", "/hooks", "application/json", fixture(t, "journey_top_level.json"), "1234"},
		{"dataFields.workflowId", "/hooks", "application/json", fixture(t, "journey_datafields.json"), "5678"},
		{"workflowId query parameter", "/hooks?workflowId=91011&workflowName=Winback", "application/json", []byte(`{"email":"x@example.com"}`), "91011"},
		{"/workflows/<id> path segment", "/iterable/workflows/1213/called", "application/json", []byte(`{"email":"x@example.com"}`), "1213"},
		{"blank merge parameter", "/hooks?workflowId=", "application/json", []byte(`{"email":"x@example.com"}`), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := post(t, srv, c.path, c.contentType, c.body)
			if a.Status != http.StatusOK {
				t.Fatalf("status %d", a.Status)
			}
			ev := mustGet(t, st, a.ID)
			wantKind := KindWorkflow
			if c.want == "" {
				wantKind = KindUnknown
			}
			if ev.WorkflowID != c.want || ev.Kind != wantKind {
				t.Errorf("workflow id %q kind %q, want %q %q", ev.WorkflowID, ev.Kind, c.want, wantKind)
			}
		})
	}
	// A system event a journey sent stays a system event, with its workflow id recorded.
	a := post(t, srv, "/hooks", "application/json", fixture(t, "system_push_send_from_journey.json"))
	ev := mustGet(t, st, a.ID)
	if ev.Kind != KindSystem || ev.WorkflowID != "1234" || ev.UserID != "u-42" {
		t.Errorf("system event from a journey: kind %q workflow %q userId %q", ev.Kind, ev.WorkflowID, ev.UserID)
	}
}

func TestFormBodiesBecomeObjects(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	body := fixture(t, "journey_form.txt")
	a := post(t, srv, "/workflows/4321", "application/x-www-form-urlencoded", body)
	if a.Status != http.StatusOK {
		t.Fatalf("status %d", a.Status)
	}
	ev := mustGet(t, st, a.ID)
	var obj map[string]any
	if err := json.Unmarshal(ev.Payload, &obj); err != nil {
		t.Fatalf("payload %q: %v", ev.Payload, err)
	}
	if obj["email"] != "margaret@example.com" || obj["plan"] != "pro" || fmt.Sprint(obj["tags"]) != "[a b]" {
		t.Errorf("form object = %v", obj)
	}
	if !ev.Form || !bytes.Equal(ev.Body, body) || ev.Kind != KindWorkflow || ev.WorkflowID != "4321" || ev.Email != "margaret@example.com" {
		t.Errorf("form event: form %v kind %q workflow %q email %q", ev.Form, ev.Kind, ev.WorkflowID, ev.Email)
	}
	// The JSON shape shows the object as the body and keeps the raw form.
	out, _ := json.Marshal(ev)
	var shown map[string]any
	json.Unmarshal(out, &shown)
	if shown["body"].(map[string]any)["plan"] != "pro" || shown["rawBody"] != string(body) {
		t.Errorf("JSON shape: %s", out)
	}
	// A form with a workflowId field classifies too.
	a = post(t, srv, "/hooks", "application/x-www-form-urlencoded", []byte("workflowId=999&email=z%40example.com"))
	if ev := mustGet(t, st, a.ID); ev.WorkflowID != "999" || ev.Kind != KindWorkflow {
		t.Errorf("form workflowId: %q %q", ev.WorkflowID, ev.Kind)
	}
}

func TestHeaderAuth(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	auth, err := ParseAuth("header:Authorization:OAuth2 s3cret-token", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := startListener(t, st, ServerOptions{Auth: auth})
	body := systemBody("emailClick", "m-1")
	if a := post(t, srv, "/h", "application/json", body); a.Status != http.StatusUnauthorized {
		t.Errorf("missing header = %d", a.Status)
	}
	if a := post(t, srv, "/h", "application/json", body, "Authorization", "OAuth2 wrong"); a.Status != http.StatusUnauthorized {
		t.Errorf("wrong value = %d", a.Status)
	}
	a := post(t, srv, "/h", "application/json", body, "Authorization", "OAuth2 s3cret-token")
	if a.Status != http.StatusOK {
		t.Fatalf("right value = %d", a.Status)
	}
	ev := mustGet(t, st, a.ID)
	if got := ev.Headers.Get("Authorization"); got != "[redacted]" {
		t.Errorf("stored Authorization = %q, want it redacted", got)
	}
	s := st.Stats()
	if s.Unauthorized != 2 || s.Events != 1 {
		t.Errorf("stats = %+v, want 2 refusals counted and only the accepted event stored", s)
	}

	// A custom header works the same way.
	custom, _ := ParseAuth("header:X-Iterable-Token:abc:def", "")
	srv2 := startListener(t, st, ServerOptions{Auth: custom})
	if a := post(t, srv2, "/h", "application/json", body, "X-Iterable-Token", "abc"); a.Status != http.StatusUnauthorized {
		t.Errorf("prefix of the value = %d", a.Status)
	}
	a = post(t, srv2, "/h", "application/json", systemBody("emailClick", "m-2"), "X-Iterable-Token", "abc:def")
	if a.Status != http.StatusOK || mustGet(t, st, a.ID).Headers.Get("X-Iterable-Token") != "[redacted]" {
		t.Errorf("custom header: %d, stored %v", a.Status, mustGet(t, st, a.ID).Headers)
	}
}

func TestBasicAuth(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	auth, err := ParseAuth("basic:iterable:pa:ss", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := startListener(t, st, ServerOptions{Auth: auth})
	send := func(user, pass string, set bool) answer {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"h", strings.NewReader(`{"eventName":"smsSend"}`))
		if set {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a answer
		json.NewDecoder(resp.Body).Decode(&a)
		a.Status, a.Header = resp.StatusCode, resp.Header
		return a
	}
	if a := send("", "", false); a.Status != http.StatusUnauthorized || !strings.HasPrefix(a.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("no credentials = %d %q", a.Status, a.Header.Get("WWW-Authenticate"))
	}
	if a := send("iterable", "wrong", true); a.Status != http.StatusUnauthorized {
		t.Errorf("wrong password = %d", a.Status)
	}
	if a := send("someone", "pa:ss", true); a.Status != http.StatusUnauthorized {
		t.Errorf("wrong user = %d", a.Status)
	}
	a := send("iterable", "pa:ss", true)
	if a.Status != http.StatusOK {
		t.Fatalf("right credentials = %d", a.Status)
	}
	if got := mustGet(t, st, a.ID).Headers.Get("Authorization"); got != "[redacted]" {
		t.Errorf("stored Authorization = %q", got)
	}
	if s := st.Stats(); s.Unauthorized != 3 || s.Events != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestParseAuthRefusesBadSpecsWithoutEchoingSecrets(t *testing.T) {
	for _, spec := range []string{"header:", "header:Authorization", "header::v", "basic:user", "basic::pass", "token:abc123"} {
		_, err := ParseAuth(spec, "")
		if err == nil {
			t.Errorf("ParseAuth(%q) accepted", spec)
			continue
		}
		if strings.Contains(err.Error(), "abc123") {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}

func TestDuplicatesAreMarkedNotDropped(t *testing.T) {
	st := openTestStore(t, StoreOptions{DuplicateWindow: time.Hour})
	srv := startListener(t, st, ServerOptions{})
	body := fixture(t, "system_email_open.json")
	first := post(t, srv, "/h", "application/json", body)
	// Same event again, reformatted: same eventName, messageId, createdAt.
	var v any
	json.Unmarshal(body, &v)
	compact, _ := json.Marshal(v)
	second := post(t, srv, "/h", "application/json", compact)
	third := post(t, srv, "/h", "application/json", body)
	for _, a := range []answer{first, second, third} {
		if a.Status != http.StatusOK {
			t.Fatalf("status %d", a.Status)
		}
	}
	if d := mustGet(t, st, first.ID).DuplicateOf; d != 0 {
		t.Errorf("first copy marked duplicate of %d", d)
	}
	firstID := mustGet(t, st, first.ID).ID
	for _, a := range []answer{second, third} {
		if d := mustGet(t, st, a.ID).DuplicateOf; d != firstID {
			t.Errorf("copy %s: duplicate of %d, want %d", a.ID, d, firstID)
		}
	}
	// Another message of the same event name is not a duplicate.
	if a := post(t, srv, "/h", "application/json", systemBody("emailOpen", "other")); mustGet(t, st, a.ID).DuplicateOf != 0 {
		t.Error("a different message was marked duplicate")
	}
	// Without an identity, the same body within the window is a duplicate.
	journey := fixture(t, "journey_top_level.json")
	j1 := post(t, srv, "/h", "application/json", journey)
	j2 := post(t, srv, "/h", "application/json", journey)
	if d := mustGet(t, st, j2.ID).DuplicateOf; d != mustGet(t, st, j1.ID).ID {
		t.Errorf("same journey body: duplicate of %d", d)
	}
	if s := st.Stats(); s.Duplicates != 3 || s.Events != 6 {
		t.Errorf("stats = %+v", s)
	}
}

func TestSameBodyOutsideTheWindowIsNotADuplicate(t *testing.T) {
	st := openTestStore(t, StoreOptions{DuplicateWindow: time.Nanosecond})
	srv := startListener(t, st, ServerOptions{})
	journey := fixture(t, "journey_top_level.json")
	post(t, srv, "/h", "application/json", journey)
	a := post(t, srv, "/h", "application/json", journey)
	if d := mustGet(t, st, a.ID).DuplicateOf; d != 0 {
		t.Errorf("duplicate of %d outside the window", d)
	}
	// An event with an identity is a duplicate whatever the time.
	post(t, srv, "/h", "application/json", systemBody("pushOpen", "m-9"))
	a = post(t, srv, "/h", "application/json", systemBody("pushOpen", "m-9"))
	if mustGet(t, st, a.ID).DuplicateOf == 0 {
		t.Error("the same system event was not marked duplicate")
	}
}

func TestTriggersMatchExactlyTheirEvents(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Onboarding", Kind: TriggerWorkflow, WorkflowID: "1234"}); err != nil {
		t.Fatal(err)
	}
	srv := startListener(t, st, ServerOptions{})
	sends := []struct {
		path string
		body []byte
		want string
	}{
		{"/h", systemBody("emailOpen", "a"), "Opens"},
		{"/h", systemBody("emailClick", "b"), ""},
		{"/h", systemBody("emailOpen", "c"), "Opens"},
		{"/h", fixture(t, "journey_top_level.json"), "Onboarding"},
		{"/workflows/1234", []byte(`{"email":"q@example.com","n":1}`), "Onboarding"},
		{"/workflows/12345", []byte(`{"email":"q@example.com","n":2}`), ""},
		{"/h", fixture(t, "journey_datafields.json"), ""},
		{"/h", fixture(t, "system_push_send_from_journey.json"), ""}, // a system event, not the journey webhook
	}
	want := map[string][]int64{}
	for _, s := range sends {
		a := post(t, srv, s.path, "application/json", s.body)
		ev := mustGet(t, st, a.ID)
		got := strings.Join(ev.Triggers, ",")
		if got != s.want {
			t.Errorf("%s %s matched %q, want %q", s.path, s.body[:min(40, len(s.body))], got, s.want)
		}
		if s.want != "" {
			want[s.want] = append(want[s.want], ev.ID)
		}
	}
	for name, ids := range want {
		page, err := st.List(ctx, Query{Trigger: name})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, ev := range page {
			got = append(got, ev.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("events of trigger %s = %v, want %v", name, got, ids)
		}
		tr, err := st.Trigger(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Matched != int64(len(ids)) || tr.LastMatch.IsZero() {
			t.Errorf("trigger %s: matched %d last %v", name, tr.Matched, tr.LastMatch)
		}
	}
}

func TestTriggerAddedByAnotherProcessIsPickedUp(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	post(t, srv, "/h", "application/json", systemBody("smsClick", "before"))
	// A second Store on the same file stands for `iwb trigger add` run meanwhile.
	other := openStoreAt(t, st.Path(), StoreOptions{})
	if _, err := other.AddTrigger(ctx, Trigger{Name: "Clicks", Kind: TriggerObject, EventNames: []string{"smsClick"}}); err != nil {
		t.Fatal(err)
	}
	a := post(t, srv, "/h", "application/json", systemBody("smsClick", "after"))
	if got := mustGet(t, st, a.ID).Triggers; len(got) != 1 || got[0] != "Clicks" {
		t.Errorf("triggers = %v, want [Clicks]", got)
	}
}

func TestTriggerRules(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t, StoreOptions{})
	w, err := st.AddTrigger(ctx, Trigger{Name: "Unsubs", Kind: TriggerObject, EventNames: []string{"emailUnsubscribe", "myCustomThing"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || !strings.Contains(w[0], `did you mean "emailUnSubscribe"`) || strings.Contains(w[1], "did you mean") {
		t.Errorf("warnings = %q", w)
	}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "Unsubs", Kind: TriggerWorkflow, WorkflowID: "1"}); err == nil {
		t.Error("a second trigger with the same name was accepted")
	}
	for _, bad := range []Trigger{
		{Name: "", Kind: TriggerObject, EventNames: []string{"emailOpen"}},
		{Name: "x", Kind: TriggerObject},
		{Name: "x", Kind: TriggerWorkflow},
		{Name: "x", Kind: "other"},
	} {
		if _, err := st.AddTrigger(ctx, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if err := st.RemoveTrigger(ctx, "Unsubs"); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveTrigger(ctx, "Unsubs"); err == nil {
		t.Error("removed a trigger twice")
	}
	if all, _ := st.Triggers(ctx); len(all) != 0 {
		t.Errorf("triggers left: %v", all)
	}
}

func TestRestartKeepsHistory(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/events.db"
	st, err := Open(path, StoreOptions{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	st.AddTrigger(ctx, Trigger{Name: "Opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}})
	srv, _ := NewServer(st, ServerOptions{Addr: "127.0.0.1:0", Logger: quietLog})
	srv.Start(ctx)
	var ids []string
	for i := range 5 {
		ids = append(ids, post(t, srv, "/h", "application/json", systemBody("emailOpen", fmt.Sprint(i))).ID)
	}
	post(t, srv, "/h", "application/json", []byte("{nope"))
	srv.Shutdown(ctx)
	settle(t, st)
	before := st.Stats()
	st.Close()

	st2 := openStoreAt(t, path, StoreOptions{})
	for _, id := range ids {
		if ev := mustGet(t, st2, id); ev.EventName != "emailOpen" || len(ev.Triggers) != 1 {
			t.Errorf("after restart, event %s = %+v", id, ev)
		}
	}
	after := st2.Stats()
	if after.Events != before.Events || after.Rejected != before.Rejected || after.Events != 6 {
		t.Errorf("counts before %+v after %+v", before, after)
	}
	if tr, err := st2.Trigger(ctx, "Opens"); err != nil || tr.Matched != 5 {
		t.Errorf("trigger after restart: %+v %v", tr, err)
	}
	// New events continue the ids.
	srv2 := startListener(t, st2, ServerOptions{})
	if a := post(t, srv2, "/h", "application/json", []byte(`{}`)); a.ID != "7" {
		t.Errorf("next id = %s, want 7", a.ID)
	}
}

func TestShutdownLetsRequestsInFlightFinishAndBeStored(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv, err := NewServer(st, ServerOptions{Addr: "127.0.0.1:0", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	body := systemBody("emailSend", "in-flight")
	// A raw connection with Expect: 100-continue: the server's "100 Continue"
	// says the handler is running and waiting for the body.
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /h HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
	reader := bufio.NewReader(conn)
	status, err := reader.ReadString('\n')
	if err != nil || !strings.Contains(status, "100") {
		t.Fatalf("expected 100 Continue, got %q %v", status, err)
	}
	reader.ReadString('\n') // the blank line after it
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- srv.Shutdown(ctx)
	}()
	conn.Write(body)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("in-flight request: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := <-stopped; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n, _ := st.Count(context.Background(), Query{}); n != 1 {
		t.Errorf("%d events stored, want the in-flight one", n)
	}
	// After Shutdown nothing is accepted any more.
	if _, err := http.Post(srv.URL()+"h", "application/json", bytes.NewReader(body)); err == nil {
		t.Error("a request was accepted after Shutdown")
	}
}

// A connection that never sent a request (a sender that dialed ahead and
// was cancelled) must not hold up stopping the listener: net/http alone
// waits five seconds for it, past a quitting workbench's budget.
func TestShutdownDoesNotWaitForAConnectionWithoutARequest(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv, err := NewServer(st, ServerOptions{Addr: "127.0.0.1:0", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	silent, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// One answered request first, so the silent connection has surely been
	// accepted and counted by the time Shutdown runs.
	post(t, srv, "/h", "application/json", []byte(`{"eventName":"emailSend","email":"a@b.co"}`))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a connection that sent nothing: %v", err)
	}
}
