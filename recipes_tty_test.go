//go:build unix

package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoRecipeFromTheKeyboard: in iwb demo, from the keyboard alone, the
// shipped recipe's jobs flow; a recipe made in the editor with a pill from
// the trigger's schema is tested on a stored event, armed, runs for new
// events, its job shows the step's request and answer, and the sandbox's
// user carries the mapped value.
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

	// A recipe of our own, from the editor.
	term.SendKeys("n")
	term.WaitFor(within, "New recipe", "Name")
	term.SendText("vip-clicks")
	term.SendKeys("Enter", "Enter", "Enter")
	term.WaitFor(within, "Pills of clicks:", "{{dataFields.campaignId}} integer")
	term.SendKeys("C-u")
	term.SendText(`{"email": "{{email}}", "dataFields": {"vipCampaign": "{{dataFields.campaignId}}"}}`)
	term.WaitFor(within, "Preview on event", `"vipCampaign":`)
	term.SendKeys("Tab", "Enter")
	term.WaitFor(within, "added vip-clicks (disarmed)")

	// Tested on the latest click, then armed.
	term.SendKeys("j", "t")
	term.WaitFor(within, "Test · vip-clicks", "1. POST /api/users/update", "nothing sent")
	term.SendKeys("Escape")
	term.WaitGone(within, "Test · vip-clicks")
	term.SendKeys("Space")
	term.WaitFor(within, "armed vip-clicks")
	term.WaitUntil(within, "the new recipe's jobs", func(s string) bool {
		return regexp.MustCompile(`Jobs · vip-clicks`).MatchString(s) && okJobs.MatchString(s)
	})

	// A succeeded job's detail: the request and the answer.
	term.SendKeys("Enter")
	var screen string
	for range 40 {
		term.SendKeys("Enter")
		screen = term.WaitFor(within, "Job ")
		if regexp.MustCompile(`Job \d+ · succeeded`).MatchString(screen) {
			break
		}
		term.SendKeys("Escape")
		time.Sleep(300 * time.Millisecond)
	}
	screen = term.WaitFor(within, "· succeeded", "request", `"vipCampaign":`, "answer", `"code": "Success"`)
	email := regexp.MustCompile(`"email": "([^"]+)"`).FindStringSubmatch(screen)
	if email == nil {
		t.Fatalf("no email in the job's request:\n%s", screen)
	}

	// The sandbox's user carries the campaign id.
	term.SendKeys("Escape")
	term.WaitGone(within, "· succeeded")
	term.SendKeys("2")
	term.WaitFor(within, "┌ Actions", "Get user by email")
	term.SendKeys("g", "j", "j", "j", "Enter")
	term.WaitFor(within, "Get user by email", "the user's email")
	term.SendText(email[1])
	term.SendKeys("Enter")
	term.WaitFor(within, "Review: GET /api/users/getByEmail")
	term.SendKeys("Enter")
	term.WaitFor(within, "200 OK", "vipCampaign")
	// A key sent right after Escape would read as alt+key: wait for the list.
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")
	term.Quit("q")
}
