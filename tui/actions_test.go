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
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
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
	return Deps{Connections: twoConns(), Events: newFakeSource(0), Client: e.c, History: e.hist, Connection: "sandbox (us)"}
}

// openAction goes to the Actions tab and opens the action titled title.
func (h *harness) openAction(title string) {
	h.t.Helper()
	h.press("2", "home")
	for range client.Actions {
		if a, ok := h.m.actions.selectedAction(); ok && a.Title == title {
			h.press("enter")
			return
		}
		h.press("down")
	}
	h.t.Fatalf("no action titled %q", title)
}

// addField adds a data field in the builder: name, optionally a type
// reached with right presses, and the value.
func (h *harness) addField(name string, typeSteps int, value string) {
	h.t.Helper()
	h.press("+")
	h.paste(name)
	h.press("tab")
	for range typeSteps {
		h.press("right")
	}
	h.press("tab")
	h.paste(value)
	h.press("enter")
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
	hs.mustShow("Email", "User ID", "Merge nested objects")
	if hs.m.Mode() != ModeForm {
		t.Fatalf("the form should have the keys, mode is %v", hs.m.Mode())
	}
	hs.paste("ana@acme.io")
	hs.press("enter", "enter", "enter", "enter", "enter") // user id, toggles, create new fields
	hs.mustShow("Data fields", "+ add field", "preview")
	hs.addField("plan", 0, "pro")
	hs.addField("age", 1, "42")
	hs.addField("address.city", 0, "Oslo")
	hs.mustShow("new field ⚠", "(project)", "address.city is new")
	hs.press("tab", "enter")
	hs.mustShow("Review: POST /api/users/update", `"email": "ana@acme.io"`, "enter send", "c copy as curl")
	hs.press("enter")
	got := env.rec.last(t, "POST", "/api/users/update")
	want := `{"dataFields":{"address":{"city":"Oslo"},"age":42,"plan":"pro"},"email":"ana@acme.io"}`
	if s := mustJSON(t, bodyOf(t, got.Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.mustShow("200 OK", `"code": "Success"`)

	hs.press("esc")
	hs.openAction("Get user by email")
	hs.paste("ana@acme.io")
	hs.press("enter")
	hs.mustShow("Review: GET /api/users/getByEmail", "query: email=ana@acme.io")
	hs.press("enter")
	if q := env.rec.last(t, "GET", "/api/users/getByEmail").Query; q != "email=ana%40acme.io" {
		t.Fatalf("query %q", q)
	}
	hs.mustShow("dataFields", "└ city  Oslo", "plan  pro", "age  42", "lists", "subscriptions")
}

func TestHistoryKeepsRunsAndRunsAgain(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.paste("VIP")
	hs.press("enter")
	hs.paste("big spenders")
	hs.press("enter")
	hs.mustShow(`"name": "VIP"`)
	hs.press("enter")
	hs.mustShow("200 OK", `"listId"`)
	recs, err := env.hist.Recent(context.Background(), 10)
	if err != nil || len(recs) != 1 || recs[0].Action != "create-list" || recs[0].Status != 200 || recs[0].Connection != "sandbox (us)" {
		t.Fatalf("history %+v, %v", recs, err)
	}
	hs.press("esc", "h")
	hs.mustShow("History", "Create list", "sandbox (us)", "200")
	hs.press("enter")
	hs.mustShow("Request", `"name": "VIP"`, "Answer", `"listId"`)
	hs.press("R")
	hs.mustShow("Name *", "VIP", "big spenders")
	hs.press("enter", "enter", "enter")
	if n := env.rec.count("POST", "/api/lists"); n != 2 {
		t.Fatalf("create list was sent %d times, want 2", n)
	}
	if !strings.Contains(hs.screen(), "200 OK") {
		t.Fatalf("the run again did not answer:\n%s", hs.screen())
	}
}

func TestAddSubscribersTypedRowsWithDataFieldsAndAFailedUser(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.mustShow("List *", "Newsletter (2001)", "Users from", "Update existing users only")
	hs.press("enter", "enter", "enter") // the list, typed users, the toggle
	hs.mustShow("Users", "one per line")
	hs.paste("ana@acme.io")
	hs.press("ctrl+j")
	hs.paste("bo@nowhere")
	hs.press("enter")
	hs.addField("plan", 0, "pro")
	hs.press("tab", "enter")
	hs.mustShow("Review: POST /api/lists/subscribe", `"listId": 2001`, "2 users in 1 request(s)")
	hs.press("enter")
	got := bodyOf(t, env.rec.last(t, "POST", "/api/lists/subscribe").Body)
	want := `{"listId":2001,"subscribers":[{"dataFields":{"plan":"pro"},"email":"ana@acme.io"},{"dataFields":{"plan":"pro"},"email":"bo@nowhere"}]}`
	if s := mustJSON(t, got); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.mustShow("2 sent in 1 request(s) · 1 succeeded · 1 failed", "Failed users", "bo@nowhere", "invalid email")
}

func TestAddSubscribersDegradesToATypedListIDWhenListsFail(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/lists", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.mustShow("List ID *", "the lists could not be loaded", "Forbidden")
	hs.paste("2001")
	hs.press("enter", "enter", "enter")
	hs.paste("ada@example.com")
	hs.press("enter", "tab", "enter")
	hs.mustShow(`"listId": 2001`)
	// A second opening reads the cached pick lists: no second call.
	hs.press("esc", "esc")
	hs.mustShow("Discard this Add subscribers to list?")
	hs.press("y")
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
	hs.press("down", "enter") // users from a file
	hs.press("enter")         // create new fields: the project's setting
	hs.mustShow("File", "JSON Lines")
	hs.paste(filepath.Join(t.TempDir(), "missing.csv"))
	hs.press("enter")
	hs.mustShow("reading the users: opening the users file")
	if hs.m.actions.stage != stageForm {
		t.Fatalf("a file that cannot be read should reopen the form, stage %v", hs.m.actions.stage)
	}
	hs.press("enter", "enter")
	hs.mustShow("✗ opening the users file", "missing.csv")
	hs.press("ctrl+u")
	hs.paste(path)
	hs.press("enter")
	hs.mustShow("Review: POST /api/users/bulkUpdate", "up to 1000 users from", "2,500 users in 3 request(s)",
		"this writes 2,500 users: more than 100")
	hs.press("y")
	hs.mustShow("2,500 sent in 3 request(s) · 2,500 succeeded · 0 failed")
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
	hs.press("down", "enter", "enter")
	hs.paste(path)
	hs.press("enter")
	hs.mustShow("101 users", "this writes 101 users: more than 100", "y yes, send")
	hs.press("enter")
	if n := env.rec.count("POST", "/api/users/bulkUpdate"); n != 0 {
		t.Fatalf("enter sent a write that needs a yes")
	}
	hs.press("y")
	hs.mustShow("101 sent in 1 request(s) · 101 succeeded")
}

func TestCreateListSendsNameAndDescription(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("Create list")
	hs.press("enter")
	hs.mustShow("a name is required")
	hs.paste("VIP")
	hs.press("enter")
	hs.paste("big spenders")
	hs.press("enter", "enter")
	want := `{"description":"big spenders","name":"VIP"}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/lists").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.mustShow("200 OK", `"listId": 2002`)
}

func TestGetUserUnknownEmailSaysSo(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("Get user by email")
	hs.paste("nobody")
	hs.press("enter")
	hs.mustShow(`"nobody" is not an email address`)
	hs.paste("@acme.io")
	hs.press("enter", "enter")
	hs.mustShow("user not found: nobody@acme.io")
}

func TestListChannelsShowsATable(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List channels")
	hs.mustShow("Review: GET /api/channels", "no body")
	hs.press("enter")
	env.rec.last(t, "GET", "/api/channels")
	hs.mustShow("NAME", "MEDIUM", "101   Marketing Email", "Marketing      Email", "108   Transactional Web Push")
}

func TestListProjectListsOffersAddSubscribers(t *testing.T) {
	env := newSandboxEnv(t)
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "VIP"}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List project lists")
	hs.press("enter")
	env.rec.last(t, "GET", "/api/lists")
	hs.mustShow("2001    Newsletter", "2002    VIP", "enter add subscribers to the list")
	hs.press("down", "enter")
	if r := hs.m.actions.run; r == nil || r.action.Name != "add-subscribers" || r.values.listID != "2002" {
		t.Fatalf("enter on a list should open Add subscribers on it, got %+v", r)
	}
	hs.mustShow("Add subscribers to list", "> VIP (2002)")
}

func TestSendSMSNeedsAnExplicitYes(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Send SMS")
	hs.paste(fmt.Sprint(sandbox.SMSCampaignID))
	hs.press("enter")
	hs.paste("ada@example.com")
	hs.press("enter", "enter", "enter", "enter")
	hs.addField("code", 0, "X1")
	hs.press("tab", "enter")
	hs.mustShow("Review: POST /api/sms/target", "this sends an SMS to a real person", "y yes, send")
	hs.press("enter")
	if n := env.rec.count("POST", "/api/sms/target"); n != 0 {
		t.Fatal("enter sent an SMS without the explicit yes")
	}
	hs.press("y")
	want := `{"campaignId":73003,"dataFields":{"code":"X1"},"recipientEmail":"ada@example.com"}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/sms/target").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.mustShow("200 OK")
}

func TestTrackEventWithADoubleField(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Track event")
	hs.paste("purchase")
	hs.press("enter")
	hs.paste("ada@example.com")
	hs.press("enter", "enter", "enter") // userId, event id
	hs.paste("1764237600")
	hs.press("enter")
	hs.paste("73001")
	hs.press("enter", "enter", "enter")
	hs.addField("total", 2, "42")
	hs.mustNotShow("new field ⚠") // event fields are not the profile's
	hs.press("tab", "enter")
	hs.press("enter")
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
	hs.mustShow("200 OK")
}

func TestUpdateSubscriptionPicksListsAndChannels(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.paste("ada@example.com")
	hs.press("enter", "enter")
	hs.mustShow("Email lists", "Newsletter (2001)", "Unsubscribed channels")
	hs.press("x", "enter") // the newsletter
	hs.press("x", "enter") // Marketing Email
	hs.press("enter")      // no unsubscribed message types
	hs.press("down", "down", "x", "enter")
	hs.press("enter", "enter", "enter")
	hs.mustShow("Review: POST /api/users/updateSubscriptions")
	hs.press("enter")
	want := `{"email":"ada@example.com","emailListIds":[2001],"subscribedMessageTypeIds":[203],"unsubscribedChannelIds":[101]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.mustShow("200 OK")
}

func TestEmailAndUserIDNeverBoth(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.press("enter", "enter")
	hs.mustShow("give an email or a userId")
	hs.press("shift+tab")
	hs.paste("ana@acme.io")
	hs.press("enter")
	hs.paste("u-9")
	hs.press("enter")
	hs.mustShow("give an email or a userId, not both")
	if hs.m.actions.stage != stageForm {
		t.Fatalf("the form must not go on with both, stage %v", hs.m.actions.stage)
	}
}

func TestAWrongTypeForAKnownFieldIsRefusedBeforeSending(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.paste("ada@example.com")
	hs.press("enter", "enter", "enter", "enter", "enter")
	hs.addField("score", 0, "high")
	hs.mustShow("long", "(project)", `score: "high" is not a number; a long takes whole numbers like 42`)
	hs.press("tab", "enter")
	hs.mustShow("fix the data fields first")
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
	hs.paste("ada@example.com")
	hs.press("enter", "enter", "enter", "enter", "enter")
	hs.addField("vip", 0, "gold")
	hs.press("tab", "enter", "enter")
	env.rec.last(t, "POST", "/api/users/update")
	hs.mustShow("HTTP 400 RequestFieldsTypesMismatched", "Field 'vip' already", "✗ vip: Iterable expects boolean, got string")
	if hs.m.actions.stage != stageFields || hs.m.actions.run.editor.rows[0].Text != "gold" {
		t.Fatalf("the builder should reopen with the input kept")
	}
}

func TestGetUserThenEditOpensUpsertPrefilled(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Get user by email")
	hs.paste("ada@example.com")
	hs.press("enter", "enter")
	hs.mustShow("firstName  Ada", "└ 2001 Newsletter")
	hs.press("e")
	r := hs.m.actions.run
	if r == nil || r.action.Name != "upsert-user" || r.values.email != "ada@example.com" {
		t.Fatalf("e should open Upsert user on the profile, got %+v", r)
	}
	hs.press("enter", "enter", "enter", "enter", "enter")
	hs.mustShow("firstName", "Ada", "(project)")
	for _, row := range hs.m.actions.run.editor.rows {
		if systemField[row.Name] {
			t.Fatalf("the system field %s must not be offered for editing", row.Name)
		}
	}
}

func TestFilterNarrowsTheActions(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.press("2", "/")
	if hs.m.Mode() != ModeFilter {
		t.Fatalf("/ should open the filter, mode %v", hs.m.Mode())
	}
	hs.typeText("subscri")
	hs.mustShow("Add subscribers to list", "Update user subscription")
	hs.mustNotShow("Upsert user", "Track event")
	hs.press("enter", "down", "enter")
	if r := hs.m.actions.run; r == nil || r.action.Name != "update-subscription" {
		t.Fatalf("enter should open the second match, got %+v", r)
	}
	hs.press("esc") // nothing typed: no question
	if hs.m.actions.run != nil {
		t.Fatal("esc on an untouched form should close it")
	}
	hs.press("esc")
	hs.mustShow("Upsert user", "Track event")
}

func TestReviewCopiesTheCurlWithTheKeyMasked(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.paste("VIP")
	hs.press("enter", "enter")
	_, cmd := hs.m.Update(keyPress("c"))
	if cmd == nil {
		t.Fatal("c gave no command")
	}
	hs.run(cmd)
	hs.mustShow("copied the curl command (key masked)")
	curl := hs.m.actions.run.curl
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
	hs.press("enter", "enter")
	hs.paste("ana@acme.io")
	hs.press("enter", "tab", "enter", "enter")
	hs.mustShow("sending POST /api/users/bulkUpdate", "sent 0 of 1", "esc stops sending")
	hs.press("esc")
	hs.mustShow("Stop sending?")
	hs.press("y")
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
	hs.paste("ana@acme.io")
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.checkFrame(80, 24)
	hs.mustShow("ana@acme.io", "Upsert user")
	hs.mustNotShow("Add subscribers to list") // the list gives way below 110 columns
}

func lookupActionForTest(name string) (client.Action, bool) { return client.LookupAction(name) }

func TestPickListsLoadWithASpinnerAndEscCancels(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.press("2")
	a, _ := client.LookupAction("add-subscribers")
	// The load and the spinner's ticks are left unrun: the screen while
	// the account is read.
	if cmd := hs.m.openAction(a, nil); cmd == nil {
		t.Fatal("opening should start the load")
	}
	hs.mustShow("loading the account's lists, channels, message types and fields")
	if hs.m.Mode() == ModeForm {
		t.Fatal("no field has the keys while loading")
	}
	hs.press("esc")
	if hs.m.actions.stage != stageList || env.rec.count("GET", "/api/lists") != 0 {
		t.Fatalf("esc should leave the loading action, stage %v", hs.m.actions.stage)
	}
}

func TestAFileBulkRunIsKeptWithItsPathAndRunsAgain(t *testing.T) {
	env := newSandboxEnv(t)
	path := writeUsersCSV(t, 2)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Bulk upsert users")
	hs.press("down", "enter", "enter")
	hs.paste(path)
	hs.press("enter", "enter")
	hs.mustShow("2 sent in 1 request(s)")
	recs, err := env.hist.Recent(context.Background(), 1)
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	if !strings.Contains(string(recs[0].Request), path) || !strings.Contains(string(recs[0].Answer), `"succeeded": 2`) {
		t.Fatalf("the history kept %s → %s", recs[0].Request, recs[0].Answer)
	}
	hs.press("R")
	if v := hs.m.actions.run.values; v.usersFrom != usersFile || v.filePath != path {
		t.Fatalf("run again should reopen on the file, got %+v", v)
	}
}

func TestAnEmailIterableRefusesIsShownOnTheEmailField(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.paste("bo@nowhere")
	hs.press("enter", "enter", "enter", "enter", "enter", "tab", "enter", "enter")
	env.rec.last(t, "POST", "/api/users/update")
	hs.mustShow("HTTP 400 InvalidEmailAddressError", "✗ Invalid email: bo@nowhere", "> bo@nowhere")
	if hs.m.actions.stage != stageForm {
		t.Fatalf("the form should reopen, stage %v", hs.m.actions.stage)
	}
}

func TestAReadThatFailsShowsCodeAndMessage(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/lists", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List project lists")
	hs.press("enter")
	hs.mustShow("403", "✗ Forbidden Forbidden: this key cannot read lists")
	recs, _ := env.hist.Recent(context.Background(), 1)
	if len(recs) != 1 || recs[0].Status != 403 {
		t.Fatalf("the history should keep the 403: %+v", recs)
	}
}

func TestQuitFromAFormAsksFirst(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.press("q") // a letter in a field is text
	hs.mustShow("> q")
	hs.press("ctrl+k")
	hs.paste("Quit")
	hs.press("enter")
	hs.mustShow("Quit and lose the action you are filling in?")
	hs.press("n")
	if hs.quit {
		t.Fatal("n should keep the workbench open")
	}
}

// An untouched form closes on esc, and q quits from it, without a question:
// the list Add subscribers chooses by default is not input a user could lose.
func TestUntouchedFormClosesWithoutAsking(t *testing.T) {
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.mustShow("> Newsletter (2001)")
	hs.press("esc")
	hs.mustNotShow("Discard this")
	if hs.m.actions.run != nil || hs.m.Mode() != ModeNormal {
		t.Fatalf("esc on an untouched form: run %v, mode %v; want it closed", hs.m.actions.run, hs.m.Mode())
	}

	hs.openAction("Add subscribers to list")
	hs.press("ctrl+k")
	hs.paste("Quit")
	hs.press("enter")
	if !hs.quit {
		t.Fatalf("quitting from an untouched form asked first:\n%s", hs.screen())
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
	hs.press("down")
	hs.mustShow("> VIP (2002)")
	hs.press("esc")
	hs.mustShow("Discard this Add subscribers to list?")
	hs.press("n")
	hs.press("ctrl+k")
	hs.paste("Quit")
	hs.press("enter")
	hs.mustShow("Quit and lose the action you are filling in?")
	hs.press("n")
	if hs.quit || hs.m.actions.run == nil || hs.m.actions.run.values.listID != "2002" {
		t.Fatalf("n should keep the form and its choice: quit=%v", hs.quit)
	}
}

func TestUnknownProjectFieldsAreSaidInTheBuilder(t *testing.T) {
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/users/getFields", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.paste("ada@example.com")
	hs.press("enter", "enter", "enter", "enter", "enter")
	hs.addField("score", 0, "high")
	hs.mustShow("the project's fields could not be read", "types are not checked before sending")
	hs.mustNotShow("(project)")
}

func TestWithoutAConnectionTheActionsSaySo(t *testing.T) {
	hs := newHarness(t, Deps{Connections: twoConns(), Events: newFakeSource(0)}, 80, 24)
	hs.press("2", "enter")
	hs.mustShow("Add subscribers to list", "no connection in this session")
	if hs.m.Mode() != ModeNormal {
		t.Fatalf("no form should open, mode %v", hs.m.Mode())
	}
}

func TestARunTheHistoryCannotKeepIsSaid(t *testing.T) {
	env := newSandboxEnv(t)
	env.hist.Close() // the database went away under the workbench
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List channels")
	hs.press("enter")
	hs.mustShow("200 OK", "keeping the list-channels run in the history")
}
