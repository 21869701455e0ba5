//go:build unix

package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestActOnAnEventInTheDemo: in iwb demo, from the keyboard alone, a click
// shows the job the demo recipe ran for it; a on a click, Upsert user
// picked, opens the form on that event's email with the recipe's mapping;
// after the review it is sent, and Get user by email reads the user back
// with what was added.
func TestActOnAnEventInTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	const within = 20 * time.Second
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	// A click every few seconds: enough to see one succeed soon, below the
	// demo recipe's cap of 60 jobs a minute.
	term := tuitest.Start(t, 120, 40, env, bin, "demo", "--interval", "300ms")
	term.WaitFor(eventsWithin, "┌ Events", " · 0 rejected")

	// The clicks, each marked with the job the demo recipe ran for it.
	term.SendKeys("/")
	term.SendText("trigger:clicks")
	term.SendKeys("Enter")
	selectedDone := regexp.MustCompile(`│▶[^│]*clicks +✓`)
	term.WaitUntil(2*within, "the selected click marked with its succeeded job", selectedDone.MatchString)
	term.SendKeys("f")
	term.WaitFor(within, "paused")
	// Its detail lists the job, under the body.
	term.SendKeys("Tab")
	jobShown := func() bool {
		s := term.Screen()
		return strings.Contains(s, "remember-last-click  succeeded") && strings.Contains(s, "· job ")
	}
	// G (the detail's end) again while the list's reads may redraw it.
	for i := 0; i < 10 && !tuitest.Poll(2*time.Second, jobShown); i++ {
		term.SendKeys("G")
	}
	term.WaitFor(within, "jobs", "remember-last-click  succeeded", "· job ")
	term.SendKeys("Tab")

	// A click of a user named by email (some name only a userId).
	withEmail := regexp.MustCompile(`prefilled from this event \(([^)]+@[^)]+)\)`)
	var m []string
	for range 20 {
		term.SendKeys("a")
		screen := term.WaitFor(within, "Act on event #", "Which action?", "Upsert user · recipe remember-last-click")
		if m = withEmail.FindStringSubmatch(screen); m != nil {
			break
		}
		term.SendKeys("Escape")
		term.WaitGone(within, "Which action?")
		term.SendKeys("k")
	}
	if m == nil {
		t.Fatal("no click of a user with an email")
	}
	email := m[1]
	term.SendKeys("G", "Enter")
	term.WaitFor(within, "┌ Upsert user", "> "+email, "prefilled from event #")
	term.SendKeys("Enter", "Enter", "Enter", "Enter", "Enter")
	term.WaitFor(within, "Data fields", "lastClickedCampaign")
	term.SendKeys("+")
	term.SendText("actedOn")
	term.SendKeys("Tab", "Tab")
	term.SendText("yes")
	term.SendKeys("Enter")
	term.WaitFor(within, `"actedOn": "yes"`)
	term.SendKeys("Tab", "Enter")
	term.WaitFor(within, "Review: POST /api/users/update", `"email": "`+email+`"`, `"lastClickedCampaign": `)
	term.SendKeys("Enter")
	term.WaitFor(within, "200 OK", `"code": "Success"`)

	// The sandbox's user has it: Get user by email, a read, runs on enter.
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")
	term.SendKeys("g", "j", "j", "j", "Enter")
	term.WaitFor(within, "Get user by email", "the user's email")
	term.SendText(email)
	term.SendKeys("Enter")
	term.WaitFor(within, "200 OK", "actedOn  yes", "lastClickedCampaign")
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")
	term.Quit("q")
}
