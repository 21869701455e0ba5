package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// seen is one request the sandbox received.
type seen struct {
	Method, Path, Query string
	Body                []byte
}

// recorder keeps every request on its way to the sandbox.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.URL.RawQuery, body})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

// last is the last request to path; it fails the test when there is none.
func (r *recorder) last(t *testing.T, method, path string) seen {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Method == method && r.reqs[i].Path == path {
			return r.reqs[i]
		}
	}
	t.Fatalf("the sandbox received no %s %s; it got %+v", method, path, r.reqs)
	return seen{}
}

func (r *recorder) count(method, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if q.Method == method && q.Path == path {
			n++
		}
	}
	return n
}

// sandboxEnv is a workbench on a sandbox over loopback, with a real history.
type sandboxEnv struct {
	sb   *sandbox.Sandbox
	rec  *recorder
	c    *client.Client
	hist *history.Store
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Unlimited: true})
	t.Cleanup(sb.Close)
	rec := &recorder{next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: sb.Key(), Unlimited: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := history.Open(filepath.Join(t.TempDir(), "iwb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return &sandboxEnv{sb: sb, rec: rec, c: c, hist: h}
}

func (e *sandboxEnv) deps() Deps {
	return Deps{Connections: twoConns(), Events: eventstest.NewSource(0), Client: e.c, History: e.hist, Connection: "sandbox (us)"}
}

// openAction goes to the Actions tab and opens the action titled title.
func (h *harness) openAction(title string) {
	h.TB().Helper()
	h.Press("2", "home")
	for _, a := range client.Actions {
		if a.Title == title {
			h.Press("enter")
			return
		}
		h.Press("down")
	}
	h.TB().Fatalf("no action titled %q", title)
}

// actionForm says the form of the action titled title has the keys.
func (h *harness) actionForm(title string) bool {
	return h.m.Mode() == ModeForm && h.m.form != nil && h.m.form.Title == title
}

// clipboardOf runs cmd's batch and returns the text it puts on the
// clipboard by OSC 52.
func clipboardOf(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatal("the copy is not a batch")
	}
	for _, c := range batch {
		if c == nil {
			continue
		}
		// tea.SetClipboard's message is an unexported string type.
		if v := reflect.ValueOf(c()); v.Kind() == reflect.String {
			return v.String()
		}
	}
	t.Fatal("nothing was put on the clipboard")
	return ""
}

// addField adds a data field in the builder: name, optionally a type
// reached with right presses, and the value.
func (h *harness) addField(name string, typeSteps int, value string) {
	h.TB().Helper()
	h.Press("+")
	h.Paste(name)
	h.Press("tab")
	for range typeSteps {
		h.Press("right")
	}
	h.Press("tab")
	h.Paste(value)
	h.Press("enter")
}

func bodyOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUpsertUserWithDataFieldThenGetUserShowsIt(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.MustShow("Email", "User ID", "Merge nested objects")
	if hs.m.Mode() != ModeForm {
		t.Fatalf("the form should have the keys, mode is %v", hs.m.Mode())
	}
	hs.Paste("ana@acme.io")
	hs.Press("enter", "enter", "enter", "enter", "enter") // user id, toggles, create new fields
	hs.MustShow("Data fields", "+ add field", "preview")
	hs.addField("plan", 0, "pro")
	hs.addField("age", 1, "42")
	hs.addField("address.city", 0, "Oslo")
	hs.MustShow("new field ⚠", "(project)", "address.city is new")
	hs.Press("tab", "enter")
	hs.MustShow("Review: POST /api/users/update", `"email": "ana@acme.io"`, "enter send", "c copy as curl")
	hs.Press("enter")
	got := env.rec.last(t, "POST", "/api/users/update")
	want := `{"dataFields":{"address":{"city":"Oslo"},"age":42,"plan":"pro"},"email":"ana@acme.io"}`
	if s := mustJSON(t, bodyOf(t, got.Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK", `"code": "Success"`)

	hs.Press("esc")
	hs.openAction("Get user by email")
	hs.Paste("ana@acme.io")
	hs.Press("enter")
	hs.MustShow("Review: GET /api/users/getByEmail", "query: email=ana@acme.io")
	hs.Press("enter")
	if q := env.rec.last(t, "GET", "/api/users/getByEmail").Query; q != "email=ana%40acme.io" {
		t.Fatalf("query %q", q)
	}
	hs.MustShow("dataFields", "└ city  Oslo", "plan  pro", "age  42", "lists", "subscriptions")
}

func TestHistoryKeepsRunsAndRunsAgain(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.Paste("VIP")
	hs.Press("enter")
	hs.Paste("big spenders")
	hs.Press("enter")
	hs.MustShow(`"name": "VIP"`)
	hs.Press("enter")
	hs.MustShow("200 OK", `"listId"`)
	recs, err := env.hist.Recent(context.Background(), 10)
	if err != nil || len(recs) != 1 || recs[0].Action != "create-list" || recs[0].Status != 200 || recs[0].Connection != "sandbox (us)" {
		t.Fatalf("history %+v, %v", recs, err)
	}
	hs.Press("esc", "h")
	hs.MustShow("History", "Create list", "sandbox (us)", "200")
	hs.Press("enter")
	hs.MustShow("Request", `"name": "VIP"`, "Answer", `"listId"`)
	hs.Press("R")
	hs.MustShow("Name *", "VIP", "big spenders")
	hs.Press("enter", "enter", "enter")
	if n := env.rec.count("POST", "/api/lists"); n != 2 {
		t.Fatalf("create list was sent %d times, want 2", n)
	}
	if !strings.Contains(hs.Screen(), "200 OK") {
		t.Fatalf("the run again did not answer:\n%s", hs.Screen())
	}
}

func TestAddSubscribersTypedRowsWithDataFieldsAndAFailedUser(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.MustShow("List *", "Newsletter (2001)", "Users from", "Update existing users only")
	hs.Press("enter", "enter", "enter") // the list, typed users, the toggle
	hs.MustShow("Users", "one per line")
	hs.Paste("ana@acme.io")
	hs.Press("ctrl+j")
	hs.Paste("bo@nowhere")
	hs.Press("enter")
	hs.addField("plan", 0, "pro")
	hs.Press("tab", "enter")
	hs.MustShow("Review: POST /api/lists/subscribe", `"listId": 2001`, "2 users in 1 request(s)")
	hs.Press("enter")
	got := bodyOf(t, env.rec.last(t, "POST", "/api/lists/subscribe").Body)
	want := `{"listId":2001,"subscribers":[{"dataFields":{"plan":"pro"},"email":"ana@acme.io"},{"dataFields":{"plan":"pro"},"email":"bo@nowhere"}]}`
	if s := mustJSON(t, got); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("2 sent in 1 request(s) · 1 succeeded · 1 failed", "Failed users", "bo@nowhere", "invalid email")
}

func TestAddSubscribersDegradesToATypedListIDWhenListsFail(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/lists", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.MustShow("List ID *", "the lists could not be loaded", "Forbidden")
	hs.Paste("2001")
	hs.Press("enter", "enter", "enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "tab", "enter")
	hs.MustShow(`"listId": 2001`)
	// A second opening reads the cached pick lists: no second call.
	hs.Press("esc", "esc")
	hs.MustShow("Discard this Add subscribers to list?")
	hs.Press("y")
	hs.openAction("Add subscribers to list")
	if n := env.rec.count("GET", "/api/lists"); n != 1 {
		t.Fatalf("the lists were read %d times, want once per connection", n)
	}
}

// failing answers status to one endpoint ("METHOD /path"), as Iterable does
// when a key lacks a right.
func failing(next http.Handler, endpoint string, status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method+" "+r.URL.Path == endpoint {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"msg":"Forbidden: this key cannot read lists","code":"Forbidden","params":null}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeUsersCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,plan,score\n")
	for i := range n {
		fmt.Fprintf(&b, "user%d@acme.io,pro,%d\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBulkUpsertUsersFromACSVFile(t *testing.T) {
	env := newSandboxEnv(t)
	path := writeUsersCSV(t, 2500)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Bulk upsert users")
	hs.Press("down", "enter") // users from a file
	hs.Press("enter")         // create new fields: the project's setting
	hs.MustShow("File", "JSON Lines")
	hs.Paste(filepath.Join(t.TempDir(), "missing.csv"))
	hs.Press("enter")
	hs.MustShow("reading the users: opening the users file")
	if !hs.actionForm("Bulk upsert users") {
		t.Fatalf("a file that cannot be read should reopen the form:\n%s", hs.Screen())
	}
	hs.Press("enter", "enter")
	hs.MustShow("✗ opening the users file", "missing.csv")
	hs.Press("ctrl+u")
	hs.Paste(path)
	hs.Press("enter")
	hs.MustShow("Review: POST /api/users/bulkUpdate", "up to 1000 users from", "2,500 users in 3 request(s)",
		"this writes 2,500 users: more than 100")
	hs.Press("y")
	hs.MustShow("2,500 sent in 3 request(s) · 2,500 succeeded · 0 failed")
	if n := env.rec.count("POST", "/api/users/bulkUpdate"); n != 3 {
		t.Fatalf("2,500 users went out in %d requests, want 3 of at most 1,000", n)
	}
	got := env.rec.last(t, "POST", "/api/users/bulkUpdate")
	var req client.BulkUpdateUsersRequest
	if err := json.Unmarshal(got.Body, &req); err != nil || len(req.Users) != 500 {
		t.Fatalf("the last request had %d users (%v), want 500", len(req.Users), err)
	}
	// score is a long in the project: the CSV text went out as a number.
	if v, ok := req.Users[2].DataFields["score"].(float64); !ok || v != 2002 {
		t.Fatalf("score went out as %#v, want the number 2002", req.Users[2].DataFields["score"])
	}
}

func TestBulkOverAHundredUsersNeedsAnExplicitYes(t *testing.T) {
	env := newSandboxEnv(t)
	path := writeUsersCSV(t, 101)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Bulk upsert users")
	hs.Press("down", "enter", "enter")
	hs.Paste(path)
	hs.Press("enter")
	hs.MustShow("101 users", "this writes 101 users: more than 100", "y yes, send")
	hs.Press("enter")
	if n := env.rec.count("POST", "/api/users/bulkUpdate"); n != 0 {
		t.Fatalf("enter sent a write that needs a yes")
	}
	hs.Press("y")
	hs.MustShow("101 sent in 1 request(s) · 101 succeeded")
}

func TestCreateListSendsNameAndDescription(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("Create list")
	hs.Press("enter")
	hs.MustShow("a name is required")
	hs.Paste("VIP")
	hs.Press("enter")
	hs.Paste("big spenders")
	hs.Press("enter", "enter")
	want := `{"description":"big spenders","name":"VIP"}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/lists").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK", `"listId": 2002`)
}

func TestGetUserUnknownEmailSaysSo(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("Get user by email")
	hs.Paste("nobody")
	hs.Press("enter")
	hs.MustShow(`"nobody" is not an email address`)
	hs.Paste("@acme.io")
	hs.Press("enter", "enter")
	hs.MustShow("user not found: nobody@acme.io")
}

func TestListChannelsShowsATable(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List channels")
	hs.MustShow("Review: GET /api/channels", "no body")
	hs.Press("enter")
	env.rec.last(t, "GET", "/api/channels")
	hs.MustShow("NAME", "MEDIUM", "101   Marketing Email", "Marketing      Email", "108   Transactional Web Push")
}

func TestListProjectListsOffersAddSubscribers(t *testing.T) {
	env := newSandboxEnv(t)
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "VIP"}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List project lists")
	hs.Press("enter")
	env.rec.last(t, "GET", "/api/lists")
	hs.MustShow("2001    Newsletter", "2002    VIP", "enter add subscribers to the list")
	hs.Press("down", "enter")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("enter on a list should open Add subscribers on it:\n%s", hs.Screen())
	}
	hs.MustShow("Add subscribers to list", "> VIP (2002)")
}

func TestSendSMSNeedsAnExplicitYes(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Send SMS")
	hs.Paste(fmt.Sprint(sandbox.SMSCampaignID))
	hs.Press("enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter")
	hs.addField("code", 0, "X1")
	hs.Press("tab", "enter")
	hs.MustShow("Review: POST /api/sms/target", "this sends an SMS to a real person", "y yes, send")
	hs.Press("enter")
	if n := env.rec.count("POST", "/api/sms/target"); n != 0 {
		t.Fatal("enter sent an SMS without the explicit yes")
	}
	hs.Press("y")
	want := `{"campaignId":73003,"dataFields":{"code":"X1"},"recipientEmail":"ada@example.com"}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/sms/target").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK")
}

func TestTrackEventWithADoubleField(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Track event")
	hs.Paste("purchase")
	hs.Press("enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter") // userId, event id
	hs.Paste("1764237600")
	hs.Press("enter")
	hs.Paste("73001")
	hs.Press("enter", "enter", "enter")
	hs.addField("total", 2, "42")
	hs.MustNotShow("new field ⚠") // event fields are not the profile's
	hs.Press("tab", "enter")
	hs.Press("enter")
	want := `{"campaignId":73001,"createdAt":1764237600,"dataFields":{"total":42.0},"email":"ada@example.com","eventName":"purchase"}`
	got := env.rec.last(t, "POST", "/api/events/track").Body
	var m map[string]json.RawMessage
	_ = json.Unmarshal(got, &m)
	if string(m["dataFields"]) != `{"total":42.0}` {
		t.Fatalf("a double must go out as 42.0 so the field is typed double: got %s (want %s)", got, want)
	}
	if ev := env.sb.Events("ada@example.com"); len(ev) != 1 || ev[0].EventName != "purchase" {
		t.Fatalf("the sandbox kept %+v", ev)
	}
	hs.MustShow("200 OK")
}

func TestUpdateSubscriptionPicksListsAndChannels(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	hs.MustShow("Email lists", "Newsletter (2001)", "Unsubscribed channels")
	hs.Press("x", "enter") // the newsletter
	hs.Press("x", "enter") // Marketing Email
	hs.Press("enter")      // no unsubscribed message types
	hs.Press("down", "down", "x", "enter")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("Review: POST /api/users/updateSubscriptions")
	hs.Press("enter")
	want := `{"email":"ada@example.com","emailListIds":[2001],"subscribedMessageTypeIds":[203],"unsubscribedChannelIds":[101]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK")
}

func TestEmailAndUserIDNeverBoth(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Press("enter", "enter")
	hs.MustShow("give an email or a userId")
	hs.Press("shift+tab")
	hs.Paste("ana@acme.io")
	hs.Press("enter")
	hs.Paste("u-9")
	hs.Press("enter")
	hs.MustShow("give an email or a userId, not both")
	if !hs.actionForm("Upsert user") {
		t.Fatalf("the form must not go on with both:\n%s", hs.Screen())
	}
}

func TestAWrongTypeForAKnownFieldIsRefusedBeforeSending(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("score", 0, "high")
	hs.MustShow("long", "(project)", `score: "high" is not a number; a long takes whole numbers like 42`)
	hs.Press("tab", "enter")
	hs.MustShow("fix the data fields first")
	if n := env.rec.count("POST", "/api/users/update"); n != 0 {
		t.Fatalf("a wrong type was sent")
	}
}

func TestATypeClashFromIterableIsShownOnTheField(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	// Someone else makes vip a boolean after the workbench read the fields.
	if _, err := env.c.UpdateUser(context.Background(), client.ApiUserUpdateRequest{Email: "grace@example.com", DataFields: map[string]any{"vip": true}}); err != nil {
		t.Fatal(err)
	}
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("vip", 0, "gold")
	hs.Press("tab", "enter", "enter")
	env.rec.last(t, "POST", "/api/users/update")
	hs.MustShow("HTTP 400 RequestFieldsTypesMismatched", "Field 'vip' already", "✗ vip: Iterable expects boolean, got string")
	if hs.m.Mode() != ModeForm || hs.m.form != nil {
		t.Fatalf("the builder should reopen, mode %v", hs.m.Mode())
	}
	hs.MustShow("gold")
}

func TestGetUserThenEditOpensUpsertPrefilled(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Get user by email")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	hs.MustShow("firstName  Ada", "└ 2001 Newsletter")
	hs.Press("e")
	if !hs.actionForm("Upsert user") {
		t.Fatalf("e should open Upsert user on the profile:\n%s", hs.Screen())
	}
	hs.MustShow("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.MustShow("firstName", "Ada", "(project)")
	// What Iterable keeps itself is not offered for editing.
	hs.MustNotShow("signupDate", "profileUpdatedAt", "emailListIds", "itblInternal")
}

func TestFilterNarrowsTheActions(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.Press("2", "/")
	if hs.m.Mode() != ModeFilter {
		t.Fatalf("/ should open the filter, mode %v", hs.m.Mode())
	}
	hs.Type("subscri")
	hs.MustShow("Add subscribers to list", "Update user subscription")
	hs.MustNotShow("Upsert user", "Track event")
	hs.Press("enter", "down", "enter")
	if !hs.actionForm("Update user subscription") {
		t.Fatalf("enter should open the second match:\n%s", hs.Screen())
	}
	hs.Press("esc") // nothing typed: no question
	if hs.m.form != nil || hs.m.Mode() != ModeNormal {
		t.Fatal("esc on an untouched form should close it")
	}
	hs.Press("esc")
	hs.MustShow("Upsert user", "Track event")
}

func TestReviewCopiesTheCurlWithTheKeyMasked(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.Paste("VIP")
	hs.Press("enter", "enter")
	_, cmd := hs.m.Update(tuitest.KeyPress("c"))
	if cmd == nil {
		t.Fatal("c gave no command")
	}
	curl := clipboardOf(t, cmd)
	hs.Run(cmd)
	hs.MustShow("copied the curl command (key masked)")
	key := env.sb.Key()
	if strings.Contains(curl, key) || !strings.Contains(curl, "••••"+key[len(key)-4:]) {
		t.Fatalf("the curl must carry the key masked: %s", curl)
	}
	if !strings.Contains(curl, "-X 'POST'") && !strings.Contains(curl, "-X POST") || !strings.Contains(curl, `{"name":"VIP"}`) {
		t.Fatalf("the curl lacks the request: %s", curl)
	}
	if n := env.rec.count("POST", "/api/lists"); n != 0 {
		t.Fatal("copying sent the request")
	}
}

func TestBulkSendingCanBeStopped(t *testing.T) {
	env := newSandboxEnv(t)
	cancelled := make(chan struct{})
	next := env.rec.next
	env.rec.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/users/bulkUpdate" {
			// Iterable is slow today: the request waits until the client gives up.
			<-r.Context().Done()
			close(cancelled)
			return
		}
		next.ServeHTTP(w, r)
	})
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Bulk upsert users")
	hs.Press("enter", "enter")
	hs.Paste("ana@acme.io")
	hs.Press("enter", "tab", "enter", "enter")
	hs.MustShow("sending POST /api/users/bulkUpdate", "sent 0 of 1", "esc stops sending")
	hs.Press("esc")
	hs.MustShow("Stop sending?")
	hs.Press("y")
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("stopping did not cancel the request in flight")
	}
}

func TestResizeKeepsTheFormInItsPane(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("ana@acme.io")
	hs.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.CheckFrame(80, 24)
	hs.MustShow("ana@acme.io", "Upsert user")
	hs.MustNotShow("Add subscribers to list") // the list gives way below 110 columns
}

func TestPickListsLoadWithASpinnerAndEscCancels(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.Press("2", "home")
	hs.MustShow("▶Add subscribers to list")
	// The load and the spinner's ticks are left unrun: the screen while
	// the account is read.
	if _, cmd := hs.m.Update(tuitest.KeyPress("enter")); cmd == nil {
		t.Fatal("opening should start the load")
	}
	hs.MustShow("loading the account's lists, channels, message types and fields")
	if hs.m.Mode() == ModeForm {
		t.Fatal("no field has the keys while loading")
	}
	hs.Press("esc")
	if env.rec.count("GET", "/api/lists") != 0 {
		t.Fatal("esc should leave the loading action before it reads")
	}
	hs.MustNotShow("loading the account's lists")
}

func TestAFileBulkRunIsKeptWithItsPathAndRunsAgain(t *testing.T) {
	env := newSandboxEnv(t)
	path := writeUsersCSV(t, 2)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Bulk upsert users")
	hs.Press("down", "enter", "enter")
	hs.Paste(path)
	hs.Press("enter", "enter")
	hs.MustShow("2 sent in 1 request(s)")
	recs, err := env.hist.Recent(context.Background(), 1)
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	if !strings.Contains(string(recs[0].Request), path) || !strings.Contains(string(recs[0].Answer), `"succeeded": 2`) {
		t.Fatalf("the history kept %s → %s", recs[0].Request, recs[0].Answer)
	}
	hs.Press("R")
	if !hs.actionForm("Bulk upsert users") {
		t.Fatalf("run again should reopen the form:\n%s", hs.Screen())
	}
	hs.MustShow("> a .jsonl or .csv file")
}

func TestAnEmailIterableRefusesIsShownOnTheEmailField(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("bo@nowhere")
	hs.Press("enter", "enter", "enter", "enter", "enter", "tab", "enter", "enter")
	env.rec.last(t, "POST", "/api/users/update")
	hs.MustShow("HTTP 400 InvalidEmailAddressError", "✗ Invalid email: bo@nowhere", "> bo@nowhere")
	if !hs.actionForm("Upsert user") {
		t.Fatalf("the form should reopen:\n%s", hs.Screen())
	}
}

func TestAReadThatFailsShowsCodeAndMessage(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/lists", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List project lists")
	hs.Press("enter")
	hs.MustShow("403", "✗ Forbidden Forbidden: this key cannot read lists")
	recs, _ := env.hist.Recent(context.Background(), 1)
	if len(recs) != 1 || recs[0].Status != 403 {
		t.Fatalf("the history should keep the 403: %+v", recs)
	}
}

func TestQuitFromAFormAsksFirst(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.Press("q") // a letter in a field is text
	hs.MustShow("> q")
	hs.Press("ctrl+k")
	hs.Paste("Quit")
	hs.Press("enter")
	hs.MustShow("Quit and lose the action you are filling in?")
	hs.Press("n")
	if hs.Quit() {
		t.Fatal("n should keep the workbench open")
	}
}

// An untouched form closes on esc, and q quits from it, without a question:
// the list Add subscribers chooses by default is not input a user could lose.
func TestUntouchedFormClosesWithoutAsking(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.MustShow("> Newsletter (2001)")
	hs.Press("esc")
	hs.MustNotShow("Discard this")
	if hs.m.form != nil || hs.m.Mode() != ModeNormal {
		t.Fatalf("esc on an untouched form: mode %v; want it closed", hs.m.Mode())
	}

	hs.openAction("Add subscribers to list")
	hs.Press("ctrl+k")
	hs.Paste("Quit")
	hs.Press("enter")
	if !hs.Quit() {
		t.Fatalf("quitting from an untouched form asked first:\n%s", hs.Screen())
	}
}

// Choosing another list than the default is input: esc and quit ask.
func TestChoosingAnotherListIsInputToKeep(t *testing.T) {
	env := newSandboxEnv(t)
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "VIP"}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.Press("down")
	hs.MustShow("> VIP (2002)")
	hs.Press("esc")
	hs.MustShow("Discard this Add subscribers to list?")
	hs.Press("n")
	hs.Press("ctrl+k")
	hs.Paste("Quit")
	hs.Press("enter")
	hs.MustShow("Quit and lose the action you are filling in?")
	hs.Press("n")
	if hs.Quit() || !hs.actionForm("Add subscribers to list") {
		t.Fatalf("n should keep the form and its choice: quit=%v", hs.Quit())
	}
	hs.MustShow("> VIP (2002)")
}

func TestUnknownProjectFieldsAreSaidInTheBuilder(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/users/getFields", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("score", 0, "high")
	hs.MustShow("the project's fields could not be read", "types are not checked before sending")
	hs.MustNotShow("(project)")
}

func TestWithoutAConnectionTheActionsSaySo(t *testing.T) {
	hs := newHarness(t, Deps{Connections: twoConns(), Events: eventstest.NewSource(0)}, 80, 24)
	hs.Press("2", "enter")
	hs.MustShow("Add subscribers to list", "no connection in this session")
	if hs.m.Mode() != ModeNormal {
		t.Fatalf("no form should open, mode %v", hs.m.Mode())
	}
}

func TestARunTheHistoryCannotKeepIsSaid(t *testing.T) {
	env := newSandboxEnv(t)
	env.hist.Close() // the database went away under the workbench
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List channels")
	hs.Press("enter")
	hs.MustShow("200 OK", "keeping the list-channels run in the history")
}
