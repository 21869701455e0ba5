package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// listsOf reads the user's lists back from the sandbox over loopback.
func listsOf(t *testing.T, env *sandboxEnv, email string) string {
	t.Helper()
	u, err := env.c.GetUserByEmail(context.Background(), email)
	if err != nil || u == nil {
		t.Fatalf("reading %s back: %v (%v)", email, u, err)
	}
	return fmt.Sprint(u.DataFields["emailListIds"])
}

// TestCreateListThenListRowOpensAddSubscribersOnIt: the lists were read
// before Create list made "Win-back VIPs"; List project lists shows it, and
// enter on its row opens Add subscribers on that list, whose id the review
// carries and the sandbox's list then holds the user.
func TestCreateListThenListRowOpensAddSubscribersOnIt(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list") // reads the lists: Newsletter only
	hs.MustShow("> Newsletter (2001)")
	hs.Press("esc")

	hs.openAction("Create list")
	hs.Paste("Win-back VIPs")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("200 OK", `"listId": 2002`)
	hs.Press("esc")

	hs.openAction("List project lists") // a read: it runs on enter
	hs.MustShow("2001    Newsletter", "2002    Win-back VIPs")
	hs.Press("down", "enter")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("enter on the new row should open Add subscribers:\n%s", hs.Screen())
	}
	hs.MustShow("> Win-back VIPs (2002)")
	hs.Press("enter", "enter", "enter")
	hs.Paste("ada@example.com")
	hs.Press("enter", "tab", "enter")
	hs.MustShow("Review: POST /api/lists/subscribe", `"listId": 2002`)
	hs.Press("enter")
	hs.MustShow("200 OK")
	if got := string(env.rec.last(t, "POST", "/api/lists/subscribe").Body); !strings.Contains(got, `"listId":2002`) {
		t.Fatalf("sent %s, want listId 2002", got)
	}
	if got := listsOf(t, env, "ada@example.com"); got != "[2001 2002]" {
		t.Fatalf("ada's lists are %s, want [2001 2002]", got)
	}
}

// TestAListMadeElsewhereIsOfferedAfterTheRowIsPicked: a list another
// process made while the workbench's lists were fresh is read when its row
// opens the form, never swapped for the first list.
func TestAListMadeElsewhereIsOfferedAfterTheRowIsPicked(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.Press("esc")
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "Made elsewhere"}); err != nil {
		t.Fatal(err)
	}
	hs.openAction("List project lists") // a read: it runs on enter
	hs.Press("down", "enter")
	hs.MustShow("> Made elsewhere (2002)")
	hs.MustNotShow("not in the account")
}

// TestCtrlRReadsTheListsAgainInAnOpenForm: a list made after the form
// opened is offered once ctrl+r reads the account again, with what was
// chosen kept, and the status bar says what was read.
func TestCtrlRReadsTheListsAgainInAnOpenForm(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Add subscribers to list")
	hs.MustShow("Newsletter (2001)")
	hs.MustNotShow("Late list")
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "Late list"}); err != nil {
		t.Fatal(err)
	}
	hs.Press("ctrl+r")
	hs.MustShow("> Newsletter (2001)", "Late list (2002)", "✓ read the account again: 2 lists, 8 channels")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("the form should stay open:\n%s", hs.Screen())
	}
	if n := env.rec.count("GET", "/api/lists"); n != 2 {
		t.Fatalf("GET /api/lists %d times, want 2", n)
	}
}

// TestPickListsOlderThanAMinuteAreReadAgain: within a minute a form opens
// on the lists already read; after it, they are read again.
func TestPickListsOlderThanAMinuteAreReadAgain(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	var offset atomic.Int64
	deps := env.deps()
	deps.Now = func() time.Time { return eventstest.Epoch.Add(time.Duration(offset.Load())) }
	hs := newHarness(t, deps, 120, 40)
	hs.openAction("Add subscribers to list")
	hs.Press("esc")
	if _, err := env.c.CreateList(context.Background(), client.CreateListRequest{Name: "Later"}); err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(30 * time.Second))
	hs.openAction("Add subscribers to list")
	if n := env.rec.count("GET", "/api/lists"); n != 1 {
		t.Fatalf("lists read %d times within a minute, want 1", n)
	}
	hs.Press("esc")
	offset.Store(int64(61 * time.Second))
	hs.openAction("Add subscribers to list")
	hs.MustShow("Later (2002)")
	if n := env.rec.count("GET", "/api/lists"); n != 2 {
		t.Fatalf("lists read %d times, want 2 once a minute old", n)
	}
}

// TestAWriteWithNewFieldsReadsTheFieldsAgain: a field Upsert user made is
// the project's (typed, locked) in the next form, not a new field.
func TestAWriteWithNewFieldsReadsTheFieldsAgain(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Upsert user")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("tier", 0, "gold")
	hs.MustShow("new field ⚠")
	hs.Press("tab", "enter", "enter")
	hs.MustShow("200 OK")
	hs.Press("esc")
	hs.openAction("Upsert user")
	hs.Paste("grace@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.addField("tier", 0, "silver")
	hs.MustShow("(project)")
	hs.MustNotShow("new field ⚠")
}

// TestAListIDTheAccountLacksIsRefusedBeforeSending: a run again names a
// list the account does not have: the form shows that id, not another
// list, refuses it beside the field naming the lists the account has, and
// nothing is sent.
func TestAListIDTheAccountLacksIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := runAgain(t, env, "add-subscribers", `{"listId":2999,"subscribers":[{"email":"ada@example.com"}]}`)
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("R should open Add subscribers:\n%s", hs.Screen())
	}
	hs.MustShow("> 2999 · not in the account")
	hs.Press("enter")
	hs.MustShow("the account has no list 2999: it has 2001")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("the form must not go on:\n%s", hs.Screen())
	}
	if n := env.rec.count("POST", "/api/lists/subscribe"); n != 0 {
		t.Fatalf("a list the account lacks was sent %d times", n)
	}
}

// runAgain is a workbench whose history holds one run of action with
// request, run again (R) from the history.
func runAgain(t *testing.T, env *sandboxEnv, action, request string) *harness {
	t.Helper()
	if _, err := env.hist.Add(context.Background(), history.Record{At: time.Now(), Source: history.SourceWorkbench,
		Action: action, Connection: "sandbox (us)", Status: 200, Request: []byte(request), Answer: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.Press("2", "h", "R")
	return hs
}
