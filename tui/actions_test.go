package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

func TestUpsertUserWithDataFieldThenGetUserShowsIt(t *testing.T) {
	t.Parallel()
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
	hs.Press("enter") // a read: no review
	if q := env.rec.last(t, "GET", "/api/users/getByEmail").Query; q != "email=ana%40acme.io" {
		t.Fatalf("query %q", q)
	}
	hs.MustShow("dataFields", "└ city  Oslo", "plan  pro", "age  42", "lists", "subscriptions")
}

func TestHistoryKeepsRunsAndRunsAgain(t *testing.T) {
	t.Parallel()
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

func TestCreateListSendsNameAndDescription(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("Get user by email")
	hs.Paste("nobody")
	hs.Press("enter")
	hs.MustShow(`"nobody" is not an email address`)
	hs.Paste("@acme.io")
	hs.Press("enter")
	hs.MustShow("user not found: nobody@acme.io")
}

func TestListChannelsShowsATable(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List channels") // a read: it runs on enter
	env.rec.last(t, "GET", "/api/channels")
	hs.MustShow("NAME", "MEDIUM", "101   Marketing Email", "Marketing      Email", "108   Transactional Web Push")
}

func TestListProjectListsOffersAddSubscribers(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "VIP"}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("List project lists")
	env.rec.last(t, "GET", "/api/lists")
	hs.MustShow("2001    Newsletter", "2002    VIP", "enter add subscribers to the list")
	hs.Press("down", "enter")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("enter on a list should open Add subscribers on it:\n%s", hs.Screen())
	}
	hs.MustShow("Add subscribers to list", "> VIP (2002)")
}

func TestSendSMSNeedsAnExplicitYes(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Send SMS")
	// The campaign is picked from the account's SMS campaigns (GET /api/campaigns).
	hs.MustShow("Campaign *", fmt.Sprintf("Flash sale SMS (%d) · Running", sandbox.SMSCampaignID), "another id (type it)")
	hs.MustNotShow("Spring sale") // an email campaign
	hs.Press("enter", "enter")
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
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	hs.MustShow("Email lists", "[x] Newsletter (2001)", "Unsubscribed channels")
	hs.Press("enter")      // ada's lists as they are
	hs.Press("x", "enter") // Marketing Email
	hs.Press("enter")      // no unsubscribed message types
	hs.Press("down", "down", "x", "enter")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("Review: POST /api/users/updateSubscriptions")
	hs.Press("enter")
	want := `{"email":"ada@example.com","subscribedMessageTypeIds":[203],"unsubscribedChannelIds":[101]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK")
}

func TestEmailAndUserIDNeverBoth(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("score", 0, "high")
	hs.MustShow("long", "(project)", `✗ score: "high" is not a number; a long takes whole`, "numbers like 42")
	hs.Press("tab", "enter")
	hs.MustShow("fix the ✗ rows first")
	if n := env.rec.count("POST", "/api/users/update"); n != 0 {
		t.Fatalf("a wrong type was sent")
	}
}

func TestATypeClashFromIterableIsShownOnTheField(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Get user by email")
	hs.Paste("ada@example.com")
	hs.Press("enter")
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
	t.Parallel()
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
	t.Parallel()
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
	hs.MustShow("copied the curl command (it reads the key from $ITERABLE_API_KEY)")
	key := env.sb.Key()
	if strings.Contains(curl, key) || strings.Contains(curl, key[len(key)-4:]) || !strings.Contains(curl, `-H "Api-Key: $ITERABLE_API_KEY"`) {
		t.Fatalf("the curl must read the key from the environment, never carry it: %s", curl)
	}
	if !strings.Contains(curl, "-X 'POST'") && !strings.Contains(curl, "-X POST") || !strings.Contains(curl, `{"name":"VIP"}`) {
		t.Fatalf("the curl lacks the request: %s", curl)
	}
	if n := env.rec.count("POST", "/api/lists"); n != 0 {
		t.Fatal("copying sent the request")
	}
}

func TestResizeKeepsTheFormInItsPane(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.Press("2", "home")
	hs.MustShow("▶Add subscribers to list")
	// The load and the spinner's ticks are left unrun: the screen while
	// the account is read.
	if _, cmd := hs.m.Update(tuitest.KeyPress("enter")); cmd == nil {
		t.Fatal("opening should start the load")
	}
	hs.MustShow("reading the account's lists, channels, message types and fields")
	if hs.m.Mode() == ModeForm {
		t.Fatal("no field has the keys while loading")
	}
	hs.Press("esc")
	if env.rec.count("GET", "/api/lists") != 0 {
		t.Fatal("esc should leave the loading action before it reads")
	}
	hs.MustNotShow("reading the account's lists")
}

func TestAnEmailIterableRefusesIsShownOnTheEmailField(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/lists", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List project lists")
	hs.MustShow("403", "✗ Forbidden Forbidden: this key cannot read lists")
	recs, _ := env.hist.Recent(context.Background(), 1)
	if len(recs) != 1 || recs[0].Status != 403 {
		t.Fatalf("the history should keep the 403: %+v", recs)
	}
}

func TestQuitFromAFormAsksFirst(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	hs := newHarness(t, Deps{Connections: twoConns(), Events: eventstest.NewSource(0)}, 80, 24)
	hs.Press("2", "enter")
	hs.MustShow("Add subscribers to list", "no connection in this session")
	if hs.m.Mode() != ModeNormal {
		t.Fatalf("no form should open, mode %v", hs.m.Mode())
	}
}

func TestARunTheHistoryCannotKeepIsSaid(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	env.hist.Close() // the database went away under the workbench
	hs := newHarness(t, env.deps(), 80, 24)
	hs.openAction("List channels")
	hs.MustShow("200 OK", "keeping the list-channels run in the history")
}

// TestHistoryShowsCommandLineRunsToo: a run kept by `iwb action run` (source
// cli) is in the workbench's history beside its own runs, each marked with
// where it came from, and opens like any other.
func TestHistoryShowsCommandLineRunsToo(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	if _, err := env.hist.Add(context.Background(), history.Record{At: time.Now(), Source: history.SourceCLI, Action: "get-user",
		Connection: "ITERABLE_API_KEY", Status: 200, Request: []byte(`{"email":"cli@example.com"}`), Answer: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Create list")
	hs.Paste("VIP")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("200 OK")
	hs.Press("esc", "h")
	hs.MustShow("History", "Create list", "workbench", "Get user by email", "cli", "ITERABLE_API_")
	hs.Press("down", "enter")
	hs.MustShow("Request", `"email": "cli@example.com"`)
}

// TestTrackEventTakesADateForCreatedAt: createdAt may be typed as a date or
// a date-time (UTC) as well as epoch seconds; what does not read is refused
// beside the field with an example date, and nothing is sent.
func TestTrackEventTakesADateForCreatedAt(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ typed, want string }{
		{"2026-11-27", `"createdAt":1795737600`},
		{"2026-11-27 10:00:00", `"createdAt":1795773600`},
		{"2026-11-27T11:00:00+01:00", `"createdAt":1795773600`},
	} {
		env := newSandboxEnv(t)
		hs := newHarness(t, env.deps(), 120, 40)
		hs.openAction("Track event")
		hs.Paste("purchase")
		hs.Press("enter")
		hs.Paste("ada@example.com")
		hs.Press("enter", "enter", "enter")
		hs.Paste(c.typed)
		hs.Press("enter", "enter", "enter", "enter", "tab", "enter", "enter")
		if got := string(env.rec.last(t, "POST", "/api/events/track").Body); !strings.Contains(got, c.want) {
			t.Errorf("createdAt %q sent %s, want %s", c.typed, got, c.want)
		}
	}
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Track event")
	hs.Paste("purchase")
	hs.Press("enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter")
	hs.Paste("yesterday")
	hs.Press("enter")
	hs.MustShow("a date like 2026-11-27")
	if n := env.rec.count("POST", "/api/events/track"); n != 0 {
		t.Errorf("a createdAt that does not read was sent %d times", n)
	}
}

// TestSendSMSTakesATypedCampaignTheSandboxRefuses: "another id" takes a
// typed campaign id, which goes out as typed; the sandbox refuses one that
// is not an SMS campaign of the account, as Iterable does.
func TestSendSMSTakesATypedCampaignTheSandboxRefuses(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Send SMS")
	hs.MustShow("another id (type it)")
	hs.Press("down", "enter")
	hs.Paste("5001")
	hs.Press("enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "tab", "enter")
	hs.MustShow("Review: POST /api/sms/target", `"campaignId": 5001`)
	hs.Press("y")
	hs.MustShow("400", "not an SMS campaign")
}

// Names read from the account are outside text: a campaign's name carrying
// an escape sequence is shown escaped in the picker, never sent to the
// terminal.
func TestCampaignNamesFromTheAccountAreShownEscaped(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	next := env.rec.next
	env.rec.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/campaigns" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"campaigns":[{"id":73003,"name":"Flash\u001b]0;owned\u0007 sale","campaignState":"Running","type":"Blast","messageMedium":"SMS"}]}`)
	})
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Send SMS")
	hs.MustShow(`Flash\x1b]0;owned\x07 sale (73003) · Running`)
	if strings.Contains(hs.m.Render(), "\x1b]0;owned") {
		t.Fatal("the campaign's escape sequence reached the screen")
	}
}
