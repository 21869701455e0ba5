//go:build unix

package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoRecipeFromTheKeyboard: in iwb demo, from the keyboard alone, the
// shipped recipe's jobs flow; a recipe made in the editor, its data field
// x filled with a pill picked from the trigger's schema, is tested on a
// stored event, armed, runs for new events, its job shows the step's
// request and answer, and the sandbox's user carries the mapped value.
func TestDemoRecipeFromTheKeyboard(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	const within = 20 * time.Second
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "demo", "--interval", "20ms")
	term.WaitFor(eventsWithin, "┌ Events", " · 0 rejected")

	term.SendKeys("6")
	term.WaitFor(within, "┌ Recipes", "remember-last-click", "Jobs · remember-last-click")
	okJobs := regexp.MustCompile(`Jobs: [1-9][0-9]* ok`)
	term.WaitUntil(within, "the demo recipe's jobs", func(s string) bool { return okJobs.MatchString(s) })

	// A recipe of our own: Upsert user of the click's email, dataFields.x
	// from the pill picker, which offers the schema's fields with their types.
	term.SendKeys("n")
	term.WaitFor(within, "New recipe", "‹clicks›", "‹Upsert user›", "Preview · event")
	term.SendText("vip-clicks")
	term.SendKeys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab")
	term.WaitFor(within, "▶  dataFields          + data field")
	term.SendKeys("Enter")
	term.WaitFor(within, "dataFields.█name")
	term.SendText("x")
	term.SendKeys("Tab", "Enter")
	term.WaitFor(within, "Pill for step 1 · dataFields.x", "dataFields.campaignId", "integer")
	term.SendText("campaignId")
	term.WaitGone(within, "eventName")
	term.SendKeys("Enter")
	// The preview fills the request from the latest click (one without an
	// email would be skipped, and says so).
	term.WaitFor(within, "dataFields.x = {{dataFields.campaignId}}", "Preview · event", "1. POST /api/users/update")
	term.SendKeys("C-s")
	term.WaitFor(within, "added vip-clicks (disarmed)", "Jobs · vip-clicks")

	// Tested on the latest click, then armed.
	term.SendKeys("t")
	term.WaitFor(within, "Test · vip-clicks", "on event ", "1. POST /api/users/update", "nothing sent")
	term.SendKeys("Escape")
	term.WaitGone(within, "Test · vip-clicks")
	term.SendKeys("Space")
	term.WaitFor(within, "armed vip-clicks")
	term.WaitUntil(within, "the new recipe's jobs", func(s string) bool {
		return strings.Contains(s, "Jobs · vip-clicks") && okJobs.MatchString(s)
	})
	// Disarmed again, its job list holds still while we read it.
	term.SendKeys("Space")
	term.WaitFor(within, "disarmed vip-clicks")

	// A succeeded job's detail: the request and the answer.
	term.SendKeys("Enter")
	screen := term.WaitFor(within, "▶ #")
	jobLine := regexp.MustCompile(`#\d+ +event \d+ +(\w+)`)
	down := -1
	for i, m := range jobLine.FindAllStringSubmatch(screen, -1) {
		if m[1] == "succeeded" {
			down = i
			break
		}
	}
	if down < 0 {
		t.Fatalf("no succeeded job in view:\n%s", screen)
	}
	for range down {
		term.SendKeys("j")
	}
	term.WaitUntil(within, "a succeeded job selected", func(s string) bool {
		return regexp.MustCompile(`▶ *#\d+ +event \d+ +succeeded`).MatchString(s)
	})
	term.SendKeys("Enter")
	term.WaitFor(within, "· succeeded", "Event ", `"eventName": `)
	// The event's payload comes first; the step's request and answer are
	// at the end.
	term.SendKeys("End")
	screen = term.WaitFor(within, "· succeeded", "1. POST /api/users/update", "request", `"x": `, "answer", `"code": "Success"`)
	email := regexp.MustCompile(`"email": "([^"]+)"`).FindStringSubmatch(screen)
	if email == nil {
		t.Fatalf("no email in the job's request:\n%s", screen)
	}

	// The sandbox's user carries the campaign id, a number, in x.
	term.SendKeys("Escape")
	term.WaitGone(within, "· succeeded")
	term.SendKeys("2")
	term.WaitFor(within, "┌ Actions", "Get user by email")
	term.SendKeys("g", "j", "j", "j", "Enter")
	term.WaitFor(within, "Get user by email", "the user's email")
	term.SendText(email[1])
	term.SendKeys("Enter") // a read: no review
	term.WaitUntil(within, "the user's x", func(s string) bool {
		return strings.Contains(s, "200 OK") && regexp.MustCompile(`\bx {2,}\d+`).MatchString(s)
	})
	// A key sent right after Escape would read as alt+key: wait for the list.
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")
	term.Quit("q")
}
