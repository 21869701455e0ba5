package tui

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
)

func TestAddSubscribersTypedRowsWithDataFieldsAndAFailedUser(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestBulkUpsertUsersFromACSVFile(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestBulkSendingCanBeStopped(t *testing.T) {
	t.Parallel()
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

func TestAFileBulkRunIsKeptWithItsPathAndRunsAgain(t *testing.T) {
	t.Parallel()
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
