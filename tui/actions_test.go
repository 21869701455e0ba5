package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	h.typeText(name)
	h.press("tab")
	for range typeSteps {
		h.press("right")
	}
	h.press("tab")
	h.typeText(value)
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
	hs.typeText("ana@acme.io")
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
	hs.typeText("ana@acme.io")
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
	hs.typeText("VIP")
	hs.press("enter")
	hs.typeText("big spenders")
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
