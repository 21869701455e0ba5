package tuitest

import (
	"testing"
	"time"
)

// UpsertThenGetUser drives the Actions tab of a workbench on a sandbox:
// Upsert user sets a data field on email, Get user by email shows it, and
// the history keeps both runs.
// The workbench's own terminal test and the demo's run these same steps.
func UpsertThenGetUser(t testing.TB, s *Session, email string) {
	t.Helper()
	const within = 10 * time.Second
	s.SendKeys("2")
	s.WaitFor(within, "┌ Actions", "Upsert user")
	s.SendKeys("G", "Enter")
	s.WaitFor(within, "Merge nested objects", "FORM")
	s.SendText(email)
	s.SendKeys("Enter", "Enter", "Enter", "Enter", "Enter")
	s.WaitFor(within, "+ add field", "review the request")
	s.SendKeys("+")
	s.SendText("favouriteColour")
	s.SendKeys("Tab", "Tab")
	s.SendText("teal")
	s.SendKeys("Enter")
	s.WaitFor(within, "new field ⚠", `"favouriteColour": "teal"`)
	s.SendKeys("Tab", "Enter")
	s.WaitFor(within, "Review: POST /api/users/update", `"email": "`+email+`"`)
	s.SendKeys("Enter")
	s.WaitFor(within, "200 OK", `"code": "Success"`)
	// A key sent right after Escape would read as alt+key: wait for the list.
	s.SendKeys("Escape")
	s.WaitGone(within, "200 OK")
	s.SendKeys("g", "j", "j", "j", "Enter")
	s.WaitFor(within, "Get user by email", "the user's email")
	s.SendText(email)
	s.SendKeys("Enter") // a read: no review
	s.WaitFor(within, "200 OK", "dataFields", "favouriteColour  teal")
	// Both runs are in the history, and the first shows what was sent.
	s.SendKeys("Escape")
	s.WaitGone(within, "200 OK")
	s.SendKeys("h")
	s.WaitFor(within, "┌ History", "Get user by email", "Upsert user")
	s.SendKeys("j", "Enter")
	s.WaitFor(within, "from the history", "Request", `"favouriteColour": "teal"`, "Answer")
	s.SendKeys("Escape")
	s.WaitGone(within, "from the history")
}
