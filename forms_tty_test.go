//go:build unix

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoNewListRowOpensAddSubscribersOnIt: in iwb demo, from the
// keyboard, with the account's lists read before, Create list makes
// "Win-back VIPs"; List project lists shows it,
// enter on its row opens Add subscribers on that list, the review carries
// its id, and the demo's sandbox then has the user on it (read back with
// Get user by email, over loopback).
func TestDemoNewListRowOpensAddSubscribersOnIt(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	const within = 20 * time.Second
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "demo")
	term.WaitFor(eventsWithin, "┌ Events")

	// The account's lists are read once before the new list exists.
	term.SendKeys("2")
	term.WaitFor(within, "┌ Actions", "Create list")
	openNthAction(term, within, 0, "> Newsletter (2001)")
	term.SendKeys("Escape")
	term.WaitGone(within, "Users from")

	// Create list.
	openNthAction(term, within, 2, "Name *")
	term.SendText("Win-back VIPs")
	term.SendKeys("Enter", "Enter")
	term.WaitFor(within, "Review: POST /api/lists", `"name": "Win-back VIPs"`)
	term.SendKeys("Enter")
	screen := term.WaitFor(within, "200 OK", `"listId": `)
	m := regexp.MustCompile(`"listId": (\d+)`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no listId in the answer:\n%s", screen)
	}
	id := m[1]
	// A key sent right after Escape would read as alt+key: wait for the list.
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")

	// List project lists, enter on the new row.
	openNthAction(term, within, 5, "")
	passReview(term, within, "Review: GET /api/lists", "Win-back VIPs")
	screen = term.WaitFor(within, "enter add subscribers to the list", id+"    Win-back VIPs")
	rows := regexp.MustCompile(`│(?:▶| ) (\d+)\s{2,}\S`).FindAllStringSubmatch(screen, -1)
	below := -1
	for i, r := range rows {
		if r[1] == id {
			below = i
		}
	}
	if below < 0 {
		t.Fatalf("the list table has no row %s:\n%s", id, screen)
	}
	for range below {
		term.SendKeys("j")
	}
	term.WaitUntil(within, "the new list's row selected", func(s string) bool {
		return regexp.MustCompile(`▶\s*` + id + `\s+Win-back VIPs`).MatchString(s)
	})
	term.SendKeys("Enter")
	term.WaitFor(within, "Add subscribers to list", fmt.Sprintf("> Win-back VIPs (%s)", id))

	// Add ada to it.
	term.SendKeys("Enter", "Enter", "Enter")
	term.WaitFor(within, "one per line")
	term.SendText("ada@example.com")
	term.SendKeys("Enter")
	term.WaitFor(within, "+ add field")
	term.SendKeys("Tab", "Enter")
	term.WaitFor(within, "Review: POST /api/lists/subscribe", `"listId": `+id, `"email": "ada@example.com"`)
	term.SendKeys("Enter")
	term.WaitFor(within, "200 OK", "1 succeeded · 0 failed")
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")

	// The sandbox's list holds ada.
	openNthAction(term, within, 3, "the user's email")
	term.SendText("ada@example.com")
	term.SendKeys("Enter")
	passReview(term, within, "Review: GET /api/users/getByEmail", "dataFields")
	term.WaitFor(within, "200 OK", "└ "+id+" Win-back VIPs")
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")
	term.Quit("q")
}

// openNthAction opens the action n rows below the first on the Actions tab
// and waits for its form to show want ("" when the action has no form).
func openNthAction(term *tuitest.Session, within time.Duration, n int, want string) {
	term.SendKeys("g")
	for range n {
		term.SendKeys("j")
	}
	term.SendKeys("Enter")
	if want != "" {
		term.WaitFor(within, want)
	}
}

// passReview sends the reviewed read when the workbench asks for a review
// first, and goes on when the read ran on enter and its answer (answered)
// is shown already.
func passReview(term *tuitest.Session, within time.Duration, review, answered string) {
	screen := term.WaitUntil(within, review+" or the answer", func(s string) bool {
		return strings.Contains(s, review) || strings.Contains(s, answered)
	})
	if strings.Contains(screen, review) {
		term.SendKeys("Enter")
	}
}
